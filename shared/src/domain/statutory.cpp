#include "hcp/domain/statutory.hpp"

#include <lunar-date/lunar-date.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <map>
#include <memory>

// liblunar-date converts between the Chinese lunar calendar and the Gregorian one and knows
// the 24 solar terms (节气) from 1900 to 2100. Only numbers cross its interface here: its names
// are translated by gettext into the process's locale, so a name is never compared.

namespace hcp {

namespace {

namespace chr = std::chrono;

struct LunarDateDeleter {
    void operator()(LunarDate* d) const noexcept { lunar_date_free(d); }
};
using LunarDatePtr = std::unique_ptr<LunarDate, LunarDateDeleter>;

struct GErrorDeleter {
    void operator()(GError* e) const noexcept { g_error_free(e); }
};

// The Gregorian date of a lunar date (not a leap month); nullopt outside the library's range.
std::optional<Date> solar_of_lunar(LunarDate* d, int year, int month, int day) {
    GError* raw = nullptr;
    lunar_date_set_lunar_date(d, static_cast<GDateYear>(year), static_cast<GDateMonth>(month),
                              static_cast<GDateDay>(day), 0, FALSE, &raw);
    if (raw != nullptr) {
        std::unique_ptr<GError, GErrorDeleter> owned(raw);
        return std::nullopt;
    }
    // %(year) %(month) %(day) are the Gregorian numbers of the date set.
    std::unique_ptr<gchar, decltype(&g_free)> text(lunar_date_strftime(d, "%(year) %(month) %(day)"), &g_free);
    int y = 0, m = 0, dd = 0;
    if (!text || std::sscanf(text.get(), "%d %d %d", &y, &m, &dd) != 3) return std::nullopt;
    Date out{chr::year{y}, chr::month{static_cast<unsigned>(m)}, chr::day{static_cast<unsigned>(dd)}};
    if (!out.ok()) return std::nullopt;
    return out;
}

// True when the library marks the Gregorian date as one of its holidays. A fresh LunarDate
// knows no festival, only the solar terms, so in early April that is 清明 and nothing else
// (the term before it, 春分, is near 3月20日; the one after, 谷雨, near 4月20日).
std::optional<bool> is_solar_term(LunarDate* d, Date date) {
    GError* raw = nullptr;
    lunar_date_set_solar_date(d, static_cast<GDateYear>(static_cast<int>(date.year())),
                              static_cast<GDateMonth>(static_cast<unsigned>(date.month())),
                              static_cast<GDateDay>(static_cast<unsigned>(date.day())), 0, &raw);
    if (raw != nullptr) {
        std::unique_ptr<GError, GErrorDeleter> owned(raw);
        return std::nullopt;
    }
    std::unique_ptr<gchar, decltype(&g_free)> names(lunar_date_get_holiday(d, "|"), &g_free);
    return names && names.get()[0] != '\0';
}

Date ymd(int y, unsigned m, unsigned d) {
    return Date{chr::year{y}, chr::month{m}, chr::day{d}};
}

}  // namespace

std::optional<std::vector<StatutoryDay>> statutory_days(int year) {
    if (year < 1901 || year > 2099) return std::nullopt;  // the library's range, with a year of margin
    LunarDatePtr lunar(lunar_date_new());
    if (!lunar) return std::nullopt;

    std::map<int, std::string> days;  // days since epoch → names
    const auto add = [&](Date d, const std::string& name) {
        int key = static_cast<int>(chr::sys_days{d}.time_since_epoch().count());
        std::string& names = days[key];
        names += (names.empty() ? "" : "、") + name;
    };

    add(ymd(year, 1, 1), "元旦");

    // 春节: 农历除夕 (the day before 正月初一, whether 腊月 has 29 or 30 days) to 正月初三.
    auto new_year = solar_of_lunar(lunar.get(), year, 1, 1);
    if (!new_year) return std::nullopt;
    for (int offset = -1; offset <= 2; ++offset) add(Date{chr::sys_days{*new_year} + chr::days{offset}}, "春节");

    // 清明: the solar term, between 4月3日 and 4月6日 in every year the library covers.
    std::optional<Date> qingming;
    for (unsigned day = 3; day <= 6; ++day) {
        auto term = is_solar_term(lunar.get(), ymd(year, 4, day));
        if (!term) return std::nullopt;
        if (*term) {
            if (qingming) return std::nullopt;  // two terms in four days: the library is not what we expect
            qingming = ymd(year, 4, day);
        }
    }
    if (!qingming) return std::nullopt;
    add(*qingming, "清明节");

    add(ymd(year, 5, 1), "劳动节");
    add(ymd(year, 5, 2), "劳动节");

    auto duanwu = solar_of_lunar(lunar.get(), year, 5, 5);
    auto zhongqiu = solar_of_lunar(lunar.get(), year, 8, 15);
    if (!duanwu || !zhongqiu) return std::nullopt;
    // 国庆节 first: when 中秋 falls on 10月1日–3日 the day reads "国庆节、中秋节", as notices write it.
    for (unsigned day = 1; day <= 3; ++day) add(ymd(year, 10, day), "国庆节");
    add(*duanwu, "端午节");
    add(*zhongqiu, "中秋节");

    std::vector<StatutoryDay> out;
    for (const auto& [serial, names] : days) out.push_back({Date{chr::sys_days{chr::days{serial}}}, names});
    return out;
}

}  // namespace hcp
