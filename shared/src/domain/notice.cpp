#include "hcp/domain/notice.hpp"

#include <array>
#include <chrono>
#include <map>
#include <optional>
#include <regex>
#include <set>
#include <sstream>

#include "hcp/base/error.hpp"
#include "hcp/base/utf8.hpp"
#include "hcp/domain/statutory.hpp"

// The notices have kept one shape since 2008: a title naming the year, one numbered item per
// holiday ("一、元旦：…"), each a sentence of days off ("…至…放假调休，共N天。" or "…放假1天，不调休。")
// and, when days are moved, a sentence of make-up working days ("…、…上班。"). The reader
// normalises punctuation, then reads each item sentence by sentence; anything it does not
// recognise inside an item is an error, text outside the items is ignored.

namespace hcp {

namespace {

namespace chr = std::chrono;

constexpr size_t kMaxNoticeBytes = 64 * 1024;  // a notice is about 2 KB
constexpr std::array<std::string_view, 7> kHolidayNames = {"元旦",   "春节",   "清明节", "劳动节",
                                                           "端午节", "中秋节", "国庆节"};

[[noreturn]] void fail(const std::string& origin, int line, const std::string& what, std::string_view text = {}) {
    std::string message = origin + (line > 0 ? ":" + std::to_string(line) : "") + ": " + what;
    if (!text.empty()) message += "\n  the line reads: " + std::string(utf8::first_chars(text, 120));
    throw Error(Errc::calendar_invalid, message);
}

// Full-width punctuation, digits and spaces to ASCII, so one grammar reads both kinds of copy.
std::string normalise(std::string_view in) {
    static const std::vector<std::pair<std::string_view, std::string_view>> map = {
        {"：", ":"}, {"（", "("}, {"）", ")"}, {"，", ","}, {"。", "."}, {"；", ";"}, {"　", " "},
        {"０", "0"}, {"１", "1"}, {"２", "2"}, {"３", "3"}, {"４", "4"}, {"５", "5"}, {"６", "6"},
        {"７", "7"}, {"８", "8"}, {"９", "9"}, {"\t", " "}, {"\r", ""}};
    std::string out;
    out.reserve(in.size());
    for (size_t i = 0; i < in.size();) {
        bool replaced = false;
        for (const auto& [from, to] : map) {
            if (in.compare(i, from.size(), from) == 0) {
                out += to;
                i += from.size();
                replaced = true;
                break;
            }
        }
        if (!replaced) out += in[i++];
    }
    return out;
}

std::string trim(const std::string& s) {
    const auto first = s.find_first_not_of(' ');
    if (first == std::string::npos) return {};
    return s.substr(first, s.find_last_not_of(' ') - first + 1);
}

int serial(Date d) {
    return static_cast<int>(chr::sys_days{d}.time_since_epoch().count());
}

std::string month_day(Date d) {
    return std::to_string(static_cast<unsigned>(d.month())) + "月" + std::to_string(static_cast<unsigned>(d.day())) +
           "日";
}

// The weekday a bracket names ("周日", "农历除夕、周二", "星期六"), or -1 when it names none.
int named_weekday(const std::string& bracket) {
    static const std::regex weekday("(?:周|星期)(一|二|三|四|五|六|日|天)");
    std::smatch m;
    if (!std::regex_search(bracket, m, weekday)) return -1;
    static const std::map<std::string, int> days = {{"日", 0}, {"天", 0}, {"一", 1}, {"二", 2},
                                                    {"三", 3}, {"四", 4}, {"五", 5}, {"六", 6}};
    return days.at(m[1].str());
}

const char* weekday_zh(Date d) {
    static constexpr const char* names[] = {"周日", "周一", "周二", "周三", "周四", "周五", "周六"};
    return names[chr::weekday{chr::sys_days{d}}.c_encoding()];
}

struct DateMention {
    Date date{};
    size_t position = 0;  // in the sentence
    size_t end = 0;
};

// Reads the dates of one sentence. A day without a month takes the month of the date before it
// ("2月15日…至23日"); a date without a year is in the notice's year, except the first date of a
// range that reaches back into December ("12月31日至1月2日").
std::vector<DateMention> read_dates(const std::string& sentence, int year, const std::string& origin, int line,
                                    const std::string& raw) {
    static const std::regex date_re(R"((?:(\d{4})年)?(?:(\d{1,2})月)?(\d{1,2})日(?:\(([^)]*)\))?)");
    std::vector<DateMention> out;
    std::optional<unsigned> month;
    for (auto it = std::sregex_iterator(sentence.begin(), sentence.end(), date_re); it != std::sregex_iterator();
         ++it) {
        const std::smatch& m = *it;
        int y = m[1].matched ? std::stoi(m[1].str()) : year;
        if (m[2].matched) month = static_cast<unsigned>(std::stoi(m[2].str()));
        if (!month) fail(origin, line, "a date without its month: '" + m[0].str() + "'", raw);
        Date d{chr::year{y}, chr::month{*month}, chr::day{static_cast<unsigned>(std::stoi(m[3].str()))}};
        if (!d.ok()) fail(origin, line, "'" + m[0].str() + "' is not a date of " + std::to_string(y), raw);
        if (m[4].matched) {
            int named = named_weekday(m[4].str());
            if (named >= 0 && static_cast<unsigned>(named) != chr::weekday{chr::sys_days{d}}.c_encoding()) {
                fail(origin, line,
                     std::to_string(y) + "年" + month_day(d) + " is a " + weekday_zh(d) + ", but the notice says '" +
                         m[4].str() + "'; check the text against the published notice",
                     raw);
            }
        }
        out.push_back({d, static_cast<size_t>(m.position(0)), static_cast<size_t>(m.position(0) + m.length(0))});
    }
    return out;
}

NoticeHoliday read_item(const std::string& names, const std::string& body, int year, const std::string& origin,
                        int line, const std::string& raw) {
    NoticeHoliday out;
    out.line = line;
    out.text = raw;
    out.holiday.name = names;
    bool have_days_off = false;

    std::vector<std::string> sentences;
    {
        std::string current;
        for (char c : body) {
            if (c == '.' || c == ';') {
                sentences.push_back(trim(current));
                current.clear();
            } else {
                current += c;
            }
        }
        sentences.push_back(trim(current));
    }
    for (const std::string& s : sentences) {
        if (s.empty()) continue;
        auto dates = read_dates(s, year, origin, line, raw);
        if (s.find("上班") != std::string::npos) {
            if (dates.empty()) fail(origin, line, "'上班' without the dates to work", raw);
            for (const auto& d : dates) out.holiday.makeup_workdays.push_back(d.date);
            continue;
        }
        if (s.find("放假") != std::string::npos) {
            if (have_days_off) fail(origin, line, "two sentences of days off in one item", raw);
            if (dates.empty() || dates.size() > 2)
                fail(origin, line, "a sentence of days off must give one date or a range 'M月D日至D日'", raw);
            Date first = dates.front().date;
            Date last = dates.back().date;
            if (dates.size() == 2) {
                const std::string between = s.substr(dates[0].end, dates[1].position - dates[0].end);
                if (between.find("至") == std::string::npos)
                    fail(origin, line, "two dates of days off without '至' between them", raw);
                // "12月31日至1月2日" written without years: the range starts in December before.
                if (first > last && first.month() == chr::December && last.month() == chr::January)
                    first = Date{first.year() - chr::years{1}, first.month(), first.day()};
            }
            if (last < first)
                fail(origin, line,
                     "the days off end (" + month_day(last) + ") before they start (" + month_day(first) + ")", raw);
            const int length = serial(last) - serial(first) + 1;
            static const std::regex total_re(R"(共(\d{1,2})天)");
            std::smatch m;
            if (std::regex_search(s, m, total_re) && std::stoi(m[1].str()) != length) {
                fail(origin, line,
                     month_day(first) + " to " + month_day(last) + " are " + std::to_string(length) +
                         " days, but the notice says " + m[0].str() + "; check the text against the published notice",
                     raw);
            }
            out.holiday.first = first;
            out.holiday.last = last;
            have_days_off = true;
            continue;
        }
        if (!dates.empty())
            fail(origin, line, "cannot read the sentence '" + std::string(utf8::first_chars(s, 120)) + "'", raw);
        // Sentences without dates ("不调休", "与周末连休") say nothing the calendar needs.
    }
    if (!have_days_off) fail(origin, line, "the item gives no days off ('…放假…')", raw);
    return out;
}

}  // namespace

ParsedNotice parse_notice(std::string_view text, const std::string& origin) {
    if (text.size() > kMaxNoticeBytes)
        fail(origin, 0, "is " + std::to_string(text.size()) + " bytes; a notice is a few kilobytes of text");
    if (text.find('\0') != std::string_view::npos) fail(origin, 0, "contains NUL bytes; it is not a text file");
    if (!utf8::is_valid(text)) fail(origin, 0, "is not UTF-8 text; save the notice as UTF-8 and retry");

    std::vector<std::string> raw_lines;
    {
        std::string current;
        for (char c : text) {
            if (c == '\n') {
                raw_lines.push_back(current);
                current.clear();
            } else {
                current += c;
            }
        }
        raw_lines.push_back(current);
    }

    ParsedNotice notice;
    std::string flat;  // the whole text on one line: titles are sometimes broken across two lines
    for (const auto& l : raw_lines) flat += trim(normalise(l));
    static const std::regex title_re(R"(关于(\d{4})年[^.,:()]{0,80}?通知)");
    static const std::regex body_year_re(R"(现将(\d{4})年)");
    std::smatch m;
    if (std::regex_search(flat, m, title_re)) {
        notice.year = std::stoi(m[1].str());
        notice.title = "国务院办公厅" + m[0].str();
    } else if (std::regex_search(flat, m, body_year_re)) {
        notice.year = std::stoi(m[1].str());
        notice.title = "国务院办公厅关于" + m[1].str() + "年部分节假日安排的通知";
    } else {
        fail(origin, 0,
             "no year found: the notice's title (国务院办公厅关于YYYY年部分节假日安排的通知) is missing; "
             "copy the whole notice, title included");
    }
    if (notice.year < kFirstStatutoryYear || notice.year > kLastStatutoryYear)
        fail(origin, 0,
             "is a notice for " + std::to_string(notice.year) + "; notices from " +
                 std::to_string(kFirstStatutoryYear) + " to " + std::to_string(kLastStatutoryYear) +
                 " can be imported (the law as revised in 2024 applies from 2025)");

    static const std::regex item_re(R"(^(?:一|二|三|四|五|六|七|八|九|十)+、([^:]{1,40}):(.*)$)");
    static const std::regex issued_re(R"(^(\d{4})年(\d{1,2})月(\d{1,2})日$)");
    std::set<std::string> named;
    for (size_t i = 0; i < raw_lines.size(); ++i) {
        const int line = static_cast<int>(i + 1);
        const std::string raw = trim(normalise(raw_lines[i]));
        std::smatch item;
        if (std::regex_search(raw, item, issued_re)) notice.issued = raw;
        if (!std::regex_match(raw, item, item_re)) continue;
        const std::string names = item[1].str();
        // "国庆节、中秋节": one break for two festivals.
        std::string rest = names;
        while (!rest.empty()) {
            const auto cut = rest.find("、");
            const std::string name = rest.substr(0, cut);
            bool known = false;
            for (auto k : kHolidayNames) known = known || name == k;
            if (!known)
                fail(origin, line,
                     "'" + std::string(utf8::first_chars(name, 40)) +
                         "' is not one of the seven holidays (元旦、春节、清明节、劳动节、端午节、中秋节、国庆节)",
                     raw);
            if (!named.insert(name).second) fail(origin, line, name + " is listed twice", raw);
            rest = cut == std::string::npos ? std::string{} : rest.substr(cut + std::string_view("、").size());
        }
        notice.holidays.push_back(read_item(names, item[2].str(), notice.year, origin, line, raw));
    }
    for (auto k : kHolidayNames) {
        if (named.count(std::string(k)) == 0)
            fail(origin, 0,
                 "names no " + std::string(k) +
                     ": every notice lists the seven holidays, one numbered item each (e.g. '五、端午节：…'); "
                     "copy the whole notice");
    }

    // The law's days off must all be off: a copy that shortened a range is caught here.
    if (auto law = statutory_days(notice.year)) {
        for (const auto& day : *law) {
            bool off = false;
            for (const auto& h : notice.holidays)
                off = off || (h.holiday.first <= day.date && day.date <= h.holiday.last);
            if (off) continue;
            int line = 0;
            std::string raw;
            for (const auto& h : notice.holidays) {
                if (h.holiday.name.find(day.name.substr(0, day.name.find("、"))) != std::string::npos) {
                    line = h.line;
                    raw = h.text;
                }
            }
            fail(origin, line,
                 "as read, " + month_day(day.date) + " (" + day.name +
                     ", a statutory day off) would be a working day; check the text against the published notice",
                 raw);
        }
    }

    // Everything a calendar file must satisfy (make-up days on weekends, no overlaps …).
    try {
        (void)WorkCalendar::parse(notice_calendar_toml(notice), origin);
    } catch (const Error& e) {
        fail(origin, 0, std::string("the dates read do not form a valid calendar: ") + e.what());
    }
    return notice;
}

std::string notice_calendar_toml(const ParsedNotice& notice) {
    std::ostringstream o;
    const std::string source = notice.title + (notice.issued.empty() ? "" : "（" + notice.issued + "）");
    o << "# 全国年节及纪念日放假安排 " << notice.year << " — national public holidays and 调休 make-up working days.\n"
      << "# Imported by `hcpctl calendar import` from the text of the notice. Format: docs/calendar.md.\n"
      << "#\n"
      << "# 来源 Source: " << source << "\n\n"
      << "[calendar]\n"
      << "name = \"全国法定节假日 " << notice.year << "\"\n"
      << "source = \"" << source << "\"\n"
      << "years = [" << notice.year << "]\n";
    for (const auto& h : notice.holidays) {
        o << "\n# " << h.text << "\n"
          << "[[holiday]]\n"
          << "name = \"" << h.holiday.name << "\"\n"
          << "first = " << format_date(h.holiday.first) << "\n"
          << "last = " << format_date(h.holiday.last) << "\n";
        if (!h.holiday.makeup_workdays.empty()) {
            o << "makeup_workdays = [";
            for (size_t i = 0; i < h.holiday.makeup_workdays.size(); ++i)
                o << (i ? ", " : "") << format_date(h.holiday.makeup_workdays[i]);
            o << "]\n";
        }
    }
    return o.str();
}

}  // namespace hcp
