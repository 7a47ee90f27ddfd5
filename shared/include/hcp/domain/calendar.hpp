#pragma once
// Working-day calendar (工作日) with public holidays and 调休 make-up working days.
//
// Each year's days off come from one of three bases (YearBasis):
//   notice    — a calendar file (TOML, docs/calendar.md, assets/calendars/ or the hall's own
//               folder) transcribed from the 国务院办公厅 notice: days off, bridges and 调休 exact;
//   statutory — no notice yet: the statutory days of 《全国年节及纪念日放假办法》 (in force since
//               2025-01-01) computed from the lunar calendar (statutory.hpp). Provisional: the
//               bridged days off and the 调休 make-up Saturdays are unknown until the notice;
//   weekdays  — neither (no file, and outside the years the law can be computed for): Monday to
//               Friday.
// parse()/load_file()/load_files() build notice years only; with_statutory_years() fills the
// rest from the law, which is what a hall runs (load_hall_calendar in calendar_sources.hpp).
#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include "hcp/base/time.hpp"

namespace hcp {

struct Holiday {
    std::string name;                   // 春节
    Date first{};                       // first day off
    Date last{};                        // last day off (inclusive)
    std::vector<Date> makeup_workdays;  // 调休上班 days belonging to this holiday
    bool provisional = false;           // from the law, not from a notice (YearBasis::statutory)
};

enum class YearBasis { notice, statutory, weekdays };
std::string_view to_string(YearBasis b) noexcept;  // "notice", "statutory", "weekdays"

class WorkCalendar {
public:
    // An empty calendar: Monday–Friday work, covers nothing.
    WorkCalendar() = default;

    // Loads one file. Throws Error(Errc::calendar_invalid) naming file, line and what is wrong;
    // nothing is half-loaded. Errc::io_failure when the file cannot be read.
    static WorkCalendar load_file(const std::filesystem::path& path);
    // Same from text; `origin` names the source in messages.
    static WorkCalendar parse(std::string_view toml_text, const std::string& origin);
    // Merges several files (e.g. 2026 and 2027); overlapping years are an error.
    static WorkCalendar load_files(const std::vector<std::filesystem::path>& paths);

    // Queries taking a Date throw Error(Errc::invalid_argument) when !d.ok().
    bool is_working_day(Date d) const;
    bool is_holiday(Date d) const;         // an official day off (not an ordinary weekend)
    bool is_makeup_workday(Date d) const;  // a weekend day that is worked (调休)
    bool covers(Date d) const;             // d's year comes from a notice (YearBasis::notice)
    YearBasis basis(int year) const noexcept;
    YearBasis basis(Date d) const { return basis(static_cast<int>(d.year())); }
    // The years in [from, to] (by date, inclusive) whose basis is not a notice, in order.
    std::vector<int> unofficial_years(Date from, Date to) const;
    const std::set<int>& years() const noexcept { return m_years; }  // the notice years
    const std::set<int>& statutory_years() const noexcept { return m_statutory_years; }

    // A copy in which every year from kFirstStatutoryYear to kLastStatutoryYear that no notice
    // covers gets the statutory days off (provisional). Years the lunar library cannot compute
    // stay weekdays.
    WorkCalendar with_statutory_years() const;
    const std::vector<Holiday>& holidays() const noexcept { return m_holidays; }

    // The instant `n` working days after `t` (n ≥ 0), keeping the time of day: Friday 15:00 + 1
    // → next working day 15:00. If t falls on a non-working day, counting starts at 00:00 of the
    // next working day, so a Saturday completion + 1 working day = the end of Monday (Tuesday
    // 00:00 when Monday works). Dates are China dates (UTC+08:00). n outside 0..100000 or t
    // outside years 1900..9000 throws Error(Errc::invalid_argument).
    TimePoint add_working_days(TimePoint t, int n) const;
    // Number of working days in [from, to) by date; 0 when to <= from.
    int working_days_between(Date from, Date to) const;
    Date next_working_day(Date d) const;  // first working day strictly after d

private:
    std::set<int> m_years;
    std::set<int> m_statutory_years;
    std::vector<Holiday> m_holidays;
    std::set<int> m_days_off;     // days since epoch
    std::set<int> m_makeup_days;  // days since epoch
};

}  // namespace hcp
