#pragma once
// Time in the core. Every stored instant is a UTC system_clock time point with millisecond
// precision; everything shown or exported is China Standard Time (UTC+08:00, no DST).
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace hcp {

using TimePoint = std::chrono::time_point<std::chrono::system_clock, std::chrono::milliseconds>;
using Date = std::chrono::year_month_day;

// Fixed offset of China Standard Time.
inline constexpr std::chrono::hours kChinaOffset{8};

TimePoint now();

// "2026-10-08T09:30:00.250+08:00" (milliseconds only when non-zero).
std::string format_iso8601(TimePoint t);
// Accepts "YYYY-MM-DDTHH:MM:SS[.fff](Z|+HH:MM|-HH:MM)" and "YYYY-MM-DD HH:MM:SS" (taken as +08:00).
std::optional<TimePoint> parse_iso8601(std::string_view text);

// "2026-10-08"; parse returns nullopt for anything that is not a valid calendar date.
std::string format_date(Date d);
std::optional<Date> parse_date(std::string_view text);

// Calendar date and start of day in China Standard Time.
Date china_date(TimePoint t);
TimePoint china_midnight(Date d);
// Local wall-clock time of day (since China midnight).
std::chrono::milliseconds china_time_of_day(TimePoint t);

// "2026-10-08 09:30" in China Standard Time: how tickets and receipts print an instant.
std::string format_china_minute(TimePoint t);

// Monday = 1 … Sunday = 7.
unsigned iso_weekday(Date d);

}  // namespace hcp
