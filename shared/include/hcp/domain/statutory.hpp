#pragma once
// The statutory public holidays (法定节假日) of 《全国年节及纪念日放假办法》 as revised in force
// since 2025-01-01, for any year the lunar calendar library can compute:
//   元旦 1 day (1月1日); 春节 4 days (农历除夕、正月初一至初三); 清明节 1 day (the 清明 solar term);
//   劳动节 2 days (5月1日、2日); 端午节 1 day (农历五月初五); 中秋节 1 day (农历八月十五);
//   国庆节 3 days (10月1日至3日).
// These are the days off a year has before the State Council publishes its notice; the notice
// adds the bridged days and the 调休 make-up working days (docs/calendar.md). Lunar dates and the
// 清明 term come from liblunar-date (Debian's lunar-date), never from a typed table.
#include <optional>
#include <string>
#include <vector>

#include "hcp/base/time.hpp"

namespace hcp {

inline constexpr int kFirstStatutoryYear = 2025;  // the first year of the revised law
inline constexpr int kLastStatutoryYear = 2099;   // the lunar library's last complete year

struct StatutoryDay {
    Date date{};
    std::string name;  // 元旦, 春节, 清明节, 劳动节, 端午节, 中秋节, 国庆节
    friend bool operator==(const StatutoryDay&, const StatutoryDay&) = default;
};

// The statutory days of `year` under the rules above, in date order (a day named twice when two
// festivals fall on it, e.g. 中秋节 on 10月1日, is listed once with both names, "国庆节、中秋节").
// nullopt when the lunar library cannot compute the year. The year is not checked against
// kFirstStatutoryYear: tests compare earlier years' lunar dates with an independent source.
// Thread-safe.
std::optional<std::vector<StatutoryDay>> statutory_days(int year);

}  // namespace hcp
