#pragma once
// The hall's working-day calendar as the hub, the queue and hcpctl load it: the shipped notice
// files, the hall's own notice files, and the law for every other year (docs/calendar.md).
//
//   shipped: [calendar].files, or every *.toml in <assets>/calendars (the package's files);
//   local:   every *.toml in [calendar].local_dir (/etc/hcp-kiosk/calendars), the folder
//            `hcpctl calendar import` writes to. A year a local file declares replaces every
//            shipped file that declares it (a newer notice, or a province's own days off);
//   law:     every year from 2025 to 2099 that no file declares (WorkCalendar::
//            with_statutory_years), provisional.
// A missing folder is an empty one. Any file that does not load refuses the whole calendar
// (Error(Errc::calendar_invalid) naming file and line): nothing is half-loaded.
#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include "hcp/config/config.hpp"
#include "hcp/domain/calendar.hpp"

namespace hcp {

struct LoadedCalendar {
    WorkCalendar calendar;                     // notices, then the law for the other years
    std::vector<std::filesystem::path> files;  // the notice files read, shipped first
    std::vector<std::string> notes;            // "…/cn-2026.toml replaced by …/cn-2026.toml (2026)"
    std::string fingerprint;                   // calendar_fingerprint() when loaded
};

LoadedCalendar load_hall_calendar(const CalendarConfig& config);

// Names, sizes and modification times of the candidate files: changes when a file is added,
// replaced, edited or removed. Cheap (directory listings and stat), for reload checks.
std::string calendar_fingerprint(const CalendarConfig& config);

// The file name `hcpctl calendar import` gives a notice of `year` in the local folder.
std::filesystem::path local_calendar_file(const CalendarConfig& config, int year);

// Whether the calendar the hall relies on soon is known from notices: the next `days_ahead`
// days from `today`, plus `pending_years` (the years of pending reminder and default deadlines).
struct CalendarOutlook {
    std::vector<int> provisional_years;  // YearBasis::statutory
    std::vector<int> uncovered_years;    // YearBasis::weekdays
    std::string warning_zh;              // empty when all of it comes from notices
    std::string warning;                 // the same in English, for logs
    std::string fix;                     // the command that fixes it
    bool ok() const noexcept { return provisional_years.empty() && uncovered_years.empty(); }
};
inline constexpr int kCalendarWarningDays = 60;
CalendarOutlook calendar_outlook(const WorkCalendar& calendar, Date today, const std::set<int>& pending_years = {},
                                 int days_ahead = kCalendarWarningDays);

}  // namespace hcp
