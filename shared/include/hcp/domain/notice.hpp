#pragma once
// The State Council's holiday notice (国务院办公厅关于YYYY年部分节假日安排的通知) as published, read
// into a calendar file (docs/calendar.md, "Importing the notice"). The text is what a person
// copies from gov.cn or a newspaper: full-width or ASCII punctuation, 周X or 星期X, any
// indentation. Every item line ("二、春节：2月15日（农历腊月二十八、周日）至23日（农历正月初七、周一）
// 放假调休，共9天。2月14日（周六）、2月28日（周六）上班。") is read completely or refused; the weekday in
// brackets, "共N天" and the law's statutory days are checked against the dates read, so a
// mistyped or truncated copy is caught, not imported.
#include <string>
#include <string_view>
#include <vector>

#include "hcp/domain/calendar.hpp"

namespace hcp {

struct NoticeHoliday {
    Holiday holiday;
    int line = 0;      // the item's line in the notice text (1-based)
    std::string text;  // the item line as written (trimmed)
};

struct ParsedNotice {
    int year = 0;
    std::string title;   // 国务院办公厅关于2027年部分节假日安排的通知
    std::string issued;  // 2026年11月4日, when the notice gives its date; else empty
    std::vector<NoticeHoliday> holidays;
};

// Throws Error(Errc::calendar_invalid) with "origin:line: what is wrong" for the first line it
// cannot read, for a notice without its title or without one of the seven holidays, and for
// dates that contradict their weekday, their "共N天" or the law.
ParsedNotice parse_notice(std::string_view text, const std::string& origin);

// The calendar file (TOML) for a parsed notice, each holiday under its line of the notice as a
// comment. WorkCalendar::parse accepts it.
std::string notice_calendar_toml(const ParsedNotice& notice);

}  // namespace hcp
