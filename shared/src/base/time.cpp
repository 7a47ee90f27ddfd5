#include "hcp/base/time.hpp"

#include <cstdio>

namespace hcp {

using namespace std::chrono;

namespace {

bool parse_digits(std::string_view s, size_t pos, size_t count, int& out) {
    if (pos + count > s.size()) return false;
    int v = 0;
    for (size_t i = pos; i < pos + count; ++i) {
        char c = s[i];
        if (c < '0' || c > '9') return false;
        v = v * 10 + (c - '0');
    }
    out = v;
    return true;
}

}  // namespace

TimePoint now() {
    return time_point_cast<milliseconds>(system_clock::now());
}

std::string format_iso8601(TimePoint t) {
    auto local = t + kChinaOffset;
    auto day = floor<days>(local);
    year_month_day ymd{day};
    hh_mm_ss<milliseconds> tod{local - day};
    char buf[48];
    int y = static_cast<int>(ymd.year());
    auto m = static_cast<unsigned>(ymd.month());
    auto d = static_cast<unsigned>(ymd.day());
    auto h = static_cast<long>(tod.hours().count());
    auto mi = static_cast<long>(tod.minutes().count());
    auto s = static_cast<long>(tod.seconds().count());
    auto ms = static_cast<long>(tod.subseconds().count());
    if (ms != 0) {
        std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02ld:%02ld:%02ld.%03ld+08:00", y, m, d, h, mi, s, ms);
    } else {
        std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02ld:%02ld:%02ld+08:00", y, m, d, h, mi, s);
    }
    return buf;
}

std::optional<TimePoint> parse_iso8601(std::string_view text) {
    // YYYY-MM-DD[T ]HH:MM:SS[.fff][Z|±HH:MM]
    if (text.size() < 19) return std::nullopt;
    auto date = parse_date(text.substr(0, 10));
    if (!date) return std::nullopt;
    if (text[10] != 'T' && text[10] != ' ') return std::nullopt;
    int h = 0, mi = 0, s = 0;
    if (!parse_digits(text, 11, 2, h) || text[13] != ':' || !parse_digits(text, 14, 2, mi) || text[16] != ':' ||
        !parse_digits(text, 17, 2, s))
        return std::nullopt;
    if (h > 23 || mi > 59 || s > 59) return std::nullopt;
    size_t pos = 19;
    int ms = 0;
    if (pos < text.size() && text[pos] == '.') {
        size_t start = ++pos;
        int scale = 100;
        while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
            if (pos - start < 3) {
                ms += (text[pos] - '0') * scale;
                scale /= 10;
            }
            ++pos;
        }
        if (pos == start || pos - start > 9) return std::nullopt;
    }
    minutes offset = kChinaOffset;
    if (pos == text.size()) {
        if (text[10] == 'T') return std::nullopt;  // ISO form must carry its offset
    } else if (text[pos] == 'Z' && pos + 1 == text.size()) {
        offset = minutes{0};
    } else if ((text[pos] == '+' || text[pos] == '-') && pos + 6 == text.size() && text[pos + 3] == ':') {
        int oh = 0, om = 0;
        if (!parse_digits(text, pos + 1, 2, oh) || !parse_digits(text, pos + 4, 2, om) || om > 59 ||
            oh * 60 + om > 14 * 60)
            return std::nullopt;
        offset = hours{oh} + minutes{om};
        if (text[pos] == '-') offset = -offset;
    } else {
        return std::nullopt;
    }
    auto local = sys_days{*date} + hours{h} + minutes{mi} + seconds{s} + milliseconds{ms};
    return time_point_cast<milliseconds>(local - offset);
}

std::string format_date(Date d) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(d.year()), static_cast<unsigned>(d.month()),
                  static_cast<unsigned>(d.day()));
    return buf;
}

std::string format_china_minute(TimePoint t) {
    const auto minutes = std::chrono::duration_cast<std::chrono::minutes>(china_time_of_day(t)).count();
    char buf[8];
    std::snprintf(buf, sizeof buf, "%02d:%02d", static_cast<int>(minutes / 60), static_cast<int>(minutes % 60));
    return format_date(china_date(t)) + " " + buf;
}

std::optional<Date> parse_date(std::string_view text) {
    int y = 0, m = 0, d = 0;
    if (text.size() != 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
    if (!parse_digits(text, 0, 4, y) || !parse_digits(text, 5, 2, m) || !parse_digits(text, 8, 2, d))
        return std::nullopt;
    Date date{year{y}, month{static_cast<unsigned>(m)}, day{static_cast<unsigned>(d)}};
    if (!date.ok()) return std::nullopt;
    return date;
}

Date china_date(TimePoint t) {
    return year_month_day{floor<days>(t + kChinaOffset)};
}

TimePoint china_midnight(Date d) {
    return time_point_cast<milliseconds>(sys_days{d} - kChinaOffset);
}

milliseconds china_time_of_day(TimePoint t) {
    auto local = t + kChinaOffset;
    return local - floor<days>(local);
}

unsigned iso_weekday(Date d) {
    return weekday{sys_days{d}}.iso_encoding();
}

}  // namespace hcp
