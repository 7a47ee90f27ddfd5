// WorkCalendar: the shipped 2026 national calendar, working-day arithmetic in China time, and
// hostile calendar files.
#include <catch2/catch.hpp>

#include <chrono>
#include <string>

#include "hcp/base/error.hpp"
#include "hcp/base/time.hpp"
#include "hcp/domain/calendar.hpp"
#include "test_support.hpp"

using Catch::Matchers::Contains;
using hcp::Date;
using hcp::TimePoint;
using hcp::WorkCalendar;

namespace {

Date ymd(int y, unsigned m, unsigned d) {
    return Date{std::chrono::year{y}, std::chrono::month{m}, std::chrono::day{d}};
}

// A wall-clock time in China (UTC+8) as the UTC instant the core stores.
TimePoint china(int y, unsigned m, unsigned d, int hour, int minute = 0) {
    return std::chrono::time_point_cast<std::chrono::milliseconds>(std::chrono::sys_days{ymd(y, m, d)}) +
           std::chrono::hours{hour} + std::chrono::minutes{minute} - hcp::kChinaOffset;
}

std::string text(TimePoint t) {
    return hcp::format_iso8601(t);
}
std::string text(Date d) {
    return hcp::format_date(d);
}

const WorkCalendar& shipped() {
    static const WorkCalendar cal = WorkCalendar::load_file(hcp::test::assets_dir() / "calendars" / "cn-2026.toml");
    return cal;
}

// A small valid file; hostile tests change one line of it.
const std::string kValid = R"([calendar]
name = "test"
source = "unit test"
years = [2026]

[[holiday]]
name = "国庆节"
first = 2026-10-01
last = 2026-10-07
makeup_workdays = ["2026-09-20", 2026-10-10]
)";

std::string replaced(std::string s, const std::string& from, const std::string& to) {
    auto pos = s.find(from);
    REQUIRE(pos != std::string::npos);
    return s.replace(pos, from.size(), to);
}

// The message of the calendar_invalid error that parsing `toml` must raise.
std::string calendar_error(const std::string& toml, const std::string& origin = "bad.toml") {
    try {
        WorkCalendar::parse(toml, origin);
    } catch (const hcp::Error& e) {
        CHECK(e.code() == hcp::Errc::calendar_invalid);
        return e.what();
    }
    FAIL("the calendar was accepted");
    return {};
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// The shipped national calendar

TEST_CASE("Calendar: the shipped 2026 file loads with the seven national holidays in order") {
    const auto& cal = shipped();
    REQUIRE(cal.years() == std::set<int>{2026});
    REQUIRE(cal.holidays().size() == 7);
    const char* names[] = {"元旦", "春节", "清明节", "劳动节", "端午节", "中秋节", "国庆节"};
    for (size_t i = 0; i < 7; ++i) CHECK(cal.holidays()[i].name == names[i]);
    CHECK(text(cal.holidays()[1].first) == "2026-02-15");
    CHECK(text(cal.holidays()[1].last) == "2026-02-23");
    REQUIRE(cal.holidays()[6].makeup_workdays.size() == 2);
    CHECK(text(cal.holidays()[6].makeup_workdays[0]) == "2026-09-20");
    CHECK(text(cal.holidays()[6].makeup_workdays[1]) == "2026-10-10");
}

TEST_CASE("Calendar: 国庆 2026 holidays are days off and 10月10日 is a make-up working day") {
    const auto& cal = shipped();
    CHECK(cal.is_working_day(ymd(2026, 9, 30)));  // Wednesday
    for (unsigned d = 1; d <= 7; ++d) {
        INFO("2026-10-0" << d);
        CHECK_FALSE(cal.is_working_day(ymd(2026, 10, d)));
        CHECK(cal.is_holiday(ymd(2026, 10, d)));
    }
    CHECK(cal.is_working_day(ymd(2026, 10, 8)));   // Thursday
    CHECK(cal.is_working_day(ymd(2026, 10, 9)));   // Friday
    CHECK(cal.is_working_day(ymd(2026, 10, 10)));  // Saturday, 调休上班
    CHECK(cal.is_makeup_workday(ymd(2026, 10, 10)));
    CHECK_FALSE(cal.is_holiday(ymd(2026, 10, 10)));
    CHECK_FALSE(cal.is_working_day(ymd(2026, 10, 11)));  // Sunday, an ordinary weekend
    CHECK_FALSE(cal.is_holiday(ymd(2026, 10, 11)));
    CHECK(cal.is_working_day(ymd(2026, 9, 20)));  // Sunday, 调休上班
    CHECK(cal.is_makeup_workday(ymd(2026, 9, 20)));
}

TEST_CASE("Calendar: 春节 2026 runs from 2月15日 to 2月23日 with 2月14日 and 2月28日 worked") {
    const auto& cal = shipped();
    CHECK(cal.is_working_day(ymd(2026, 2, 13)));  // Friday
    CHECK(cal.is_working_day(ymd(2026, 2, 14)));  // Saturday, 调休上班
    for (unsigned d = 15; d <= 23; ++d) {
        INFO("2026-02-" << d);
        CHECK_FALSE(cal.is_working_day(ymd(2026, 2, d)));
    }
    CHECK(cal.is_working_day(ymd(2026, 2, 24)));       // Tuesday
    CHECK(cal.is_working_day(ymd(2026, 2, 28)));       // Saturday, 调休上班
    CHECK_FALSE(cal.is_working_day(ymd(2026, 3, 1)));  // Sunday
}

TEST_CASE("Calendar: the other 2026 holidays and make-up days match the State Council notice") {
    const auto& cal = shipped();
    CHECK_FALSE(cal.is_working_day(ymd(2026, 1, 1)));
    CHECK_FALSE(cal.is_working_day(ymd(2026, 1, 2)));   // Friday
    CHECK(cal.is_working_day(ymd(2026, 1, 4)));         // Sunday, 调休上班
    CHECK_FALSE(cal.is_working_day(ymd(2026, 4, 6)));   // 清明 Monday
    CHECK_FALSE(cal.is_working_day(ymd(2026, 5, 5)));   // 劳动节 Tuesday
    CHECK(cal.is_working_day(ymd(2026, 5, 9)));         // Saturday, 调休上班
    CHECK_FALSE(cal.is_working_day(ymd(2026, 6, 19)));  // 端午 Friday
    CHECK_FALSE(cal.is_working_day(ymd(2026, 9, 25)));  // 中秋 Friday
    CHECK(cal.is_working_day(ymd(2026, 9, 28)));
}

TEST_CASE("Calendar: 2026 has 248 working days") {
    // 261 weekdays − 19 weekday holidays + 6 make-up weekend days.
    CHECK(shipped().working_days_between(ymd(2026, 1, 1), ymd(2027, 1, 1)) == 248);
}

// ---------------------------------------------------------------------------------------------
// Working-day arithmetic

TEST_CASE("Calendar: adding working days across 国庆 keeps the time of day") {
    const auto& cal = shipped();
    auto start = china(2026, 9, 30, 15);
    CHECK(text(cal.add_working_days(start, 0)) == "2026-09-30T15:00:00+08:00");
    CHECK(text(cal.add_working_days(start, 1)) == "2026-10-08T15:00:00+08:00");
    CHECK(text(cal.add_working_days(start, 2)) == "2026-10-09T15:00:00+08:00");
    CHECK(text(cal.add_working_days(start, 3)) == "2026-10-10T15:00:00+08:00");  // Saturday 调休
    CHECK(text(cal.add_working_days(start, 4)) == "2026-10-12T15:00:00+08:00");
}

TEST_CASE("Calendar: adding working days across 春节 counts the make-up Saturday") {
    const auto& cal = shipped();
    auto friday = china(2026, 2, 13, 10, 30);
    CHECK(text(cal.add_working_days(friday, 1)) == "2026-02-14T10:30:00+08:00");
    CHECK(text(cal.add_working_days(friday, 2)) == "2026-02-24T10:30:00+08:00");
    CHECK(text(cal.add_working_days(friday, 5)) == "2026-02-27T10:30:00+08:00");
    CHECK(text(cal.add_working_days(friday, 6)) == "2026-02-28T10:30:00+08:00");
    CHECK(text(cal.add_working_days(friday, 7)) == "2026-03-02T10:30:00+08:00");
}

TEST_CASE("Calendar: counting from a Saturday starts at 00:00 of the next working day") {
    const auto& cal = shipped();
    auto saturday = china(2026, 3, 7, 11, 20);
    CHECK(text(cal.add_working_days(saturday, 0)) == "2026-03-09T00:00:00+08:00");
    CHECK(text(cal.add_working_days(saturday, 1)) == "2026-03-10T00:00:00+08:00");
    CHECK(text(cal.add_working_days(saturday, 4)) == "2026-03-13T00:00:00+08:00");
}

TEST_CASE("Calendar: counting from inside a holiday starts after the holiday") {
    const auto& cal = shipped();
    auto during = china(2026, 10, 3, 9);
    CHECK(text(cal.add_working_days(during, 0)) == "2026-10-08T00:00:00+08:00");
    CHECK(text(cal.add_working_days(during, 1)) == "2026-10-09T00:00:00+08:00");
}

TEST_CASE("Calendar: zero working days on a working day is the same instant") {
    auto t = china(2026, 10, 8, 9, 30) + std::chrono::milliseconds{250};
    CHECK(shipped().add_working_days(t, 0) == t);
}

TEST_CASE("Calendar: dates are China dates, not UTC dates") {
    const auto& cal = shipped();
    // 2026-09-30T20:00Z is 04:00 on 1 October in China: a holiday.
    auto utc_evening = china(2026, 10, 1, 4);
    CHECK(text(cal.add_working_days(utc_evening, 0)) == "2026-10-08T00:00:00+08:00");
    // 2026-09-29T17:00Z is 01:00 on 30 September in China: a working day.
    auto china_night = china(2026, 9, 30, 1);
    CHECK(text(cal.add_working_days(china_night, 1)) == "2026-10-08T01:00:00+08:00");
    // 23:59:59.999 stays on its day.
    auto late = china(2026, 9, 30, 23, 59) + std::chrono::milliseconds{59999};
    CHECK(text(cal.add_working_days(late, 1)) == "2026-10-08T23:59:59.999+08:00");
}

TEST_CASE("Calendar: a negative or absurd number of working days is refused") {
    auto t = china(2026, 10, 8, 9);
    try {
        (void)shipped().add_working_days(t, -1);
        FAIL("accepted n = -1");
    } catch (const hcp::Error& e) {
        CHECK(e.code() == hcp::Errc::invalid_argument);
    }
    CHECK_THROWS_AS(shipped().add_working_days(t, 1000000000), hcp::Error);
    CHECK_THROWS_AS(shipped().add_working_days(TimePoint::max(), 1), hcp::Error);
    CHECK_THROWS_AS(shipped().add_working_days(TimePoint::min(), 1), hcp::Error);
}

TEST_CASE("Calendar: the next working day skips holidays and ordinary weekends") {
    const auto& cal = shipped();
    CHECK(text(cal.next_working_day(ymd(2026, 9, 30))) == "2026-10-08");
    CHECK(text(cal.next_working_day(ymd(2026, 10, 9))) == "2026-10-10");
    CHECK(text(cal.next_working_day(ymd(2026, 10, 10))) == "2026-10-12");
    CHECK(text(cal.next_working_day(ymd(2026, 2, 13))) == "2026-02-14");
}

TEST_CASE("Calendar: working days between two dates count from the first date up to but not including the second") {
    const auto& cal = shipped();
    // 9-28, 9-29, 9-30, 10-08, 10-09, 10-10 (调休).
    CHECK(cal.working_days_between(ymd(2026, 9, 28), ymd(2026, 10, 12)) == 6);
    CHECK(cal.working_days_between(ymd(2026, 10, 1), ymd(2026, 10, 8)) == 0);
    CHECK(cal.working_days_between(ymd(2026, 10, 8), ymd(2026, 10, 8)) == 0);
    CHECK(cal.working_days_between(ymd(2026, 10, 12), ymd(2026, 9, 28)) == 0);
    CHECK(cal.working_days_between(ymd(2026, 2, 14), ymd(2026, 2, 15)) == 1);
}

TEST_CASE("Calendar: working days between agrees with a day-by-day count over many ranges") {
    const auto& cal = shipped();
    auto first = std::chrono::sys_days{ymd(2025, 12, 1)};
    for (int a = 0; a < 420; a += 13) {
        for (int len = 0; len < 60; len += 7) {
            auto from = first + std::chrono::days{a};
            auto to = from + std::chrono::days{len};
            int expected = 0;
            for (auto d = from; d < to; d += std::chrono::days{1}) expected += cal.is_working_day(Date{d}) ? 1 : 0;
            INFO(text(Date{from}) << " .. " << text(Date{to}));
            CHECK(cal.working_days_between(Date{from}, Date{to}) == expected);
        }
    }
}

TEST_CASE("Calendar: a file alone covers its years, outside them it counts Monday to Friday and says so") {
    const auto& cal = shipped();
    CHECK(cal.covers(ymd(2026, 6, 1)));
    CHECK(cal.basis(2026) == hcp::YearBasis::notice);
    CHECK_FALSE(cal.covers(ymd(2027, 10, 1)));
    CHECK(cal.basis(2027) == hcp::YearBasis::weekdays);  // no law filled in: parse()/load_file() alone
    CHECK(cal.is_working_day(ymd(2027, 10, 1)));         // a Friday
    CHECK_FALSE(cal.is_working_day(ymd(2027, 10, 2)));   // Saturday
    CHECK(cal.unofficial_years(ymd(2026, 12, 1), ymd(2027, 2, 1)) == std::vector<int>{2027});
}

TEST_CASE("Calendar: with the law filled in, 2027-01-01 (元旦) is a day off and 2027 is provisional") {
    const WorkCalendar cal = shipped().with_statutory_years();
    CHECK(cal.basis(2026) == hcp::YearBasis::notice);
    CHECK(cal.basis(2027) == hcp::YearBasis::statutory);
    CHECK(cal.basis(2100) == hcp::YearBasis::weekdays);  // beyond the lunar library
    CHECK_FALSE(cal.covers(ymd(2027, 1, 1)));
    CHECK_FALSE(cal.is_working_day(ymd(2027, 1, 1)));  // a Friday, but 元旦
    CHECK(cal.is_holiday(ymd(2027, 1, 1)));
    // Thursday 2026-12-31 16:00 + 1 working day skips 元旦 and the weekend.
    CHECK(text(cal.add_working_days(china(2026, 12, 31, 16), 1)) == "2027-01-04T16:00:00+08:00");
    // 春节 2027: 除夕 2月5日 (Fri) to 初三 2月8日 (Mon) are days off.
    for (unsigned d = 5; d <= 8; ++d) CHECK_FALSE(cal.is_working_day(ymd(2027, 2, d)));
    CHECK(cal.is_working_day(ymd(2027, 2, 4)));
    CHECK(cal.is_working_day(ymd(2027, 2, 9)));
    // The shipped 2026 days are untouched.
    CHECK(cal.is_makeup_workday(ymd(2026, 10, 10)));
    CHECK(cal.working_days_between(ymd(2026, 1, 1), ymd(2027, 1, 1)) == 248);
}

TEST_CASE("Calendar: an empty calendar works Monday to Friday and covers nothing") {
    WorkCalendar cal;
    CHECK(cal.years().empty());
    CHECK_FALSE(cal.covers(ymd(2026, 10, 1)));
    CHECK(cal.is_working_day(ymd(2026, 10, 1)));  // Thursday
    CHECK_FALSE(cal.is_working_day(ymd(2026, 10, 3)));
    CHECK(text(cal.add_working_days(china(2026, 10, 2, 15), 1)) == "2026-10-05T15:00:00+08:00");
    CHECK(cal.working_days_between(ymd(2026, 10, 1), ymd(2026, 10, 8)) == 5);
}

TEST_CASE("Calendar: an invalid date passed by a caller is refused") {
    CHECK_THROWS_AS(shipped().is_working_day(ymd(2026, 2, 30)), hcp::Error);
    CHECK_THROWS_AS(shipped().working_days_between(ymd(2026, 1, 1), ymd(2026, 13, 1)), hcp::Error);
}

// ---------------------------------------------------------------------------------------------
// File format

TEST_CASE("Calendar: dates may be written as TOML dates or as quoted text") {
    auto cal = WorkCalendar::parse(kValid, "ok.toml");
    CHECK(cal.is_makeup_workday(ymd(2026, 9, 20)));   // written "2026-09-20"
    CHECK(cal.is_makeup_workday(ymd(2026, 10, 10)));  // written 2026-10-10
    auto quoted = replaced(replaced(kValid, "first = 2026-10-01", "first = \"2026-10-01\""), "last = 2026-10-07",
                           "last = \"2026-10-07\"");
    CHECK(WorkCalendar::parse(quoted, "ok.toml").is_holiday(ymd(2026, 10, 7)));
}

TEST_CASE("Calendar: a holiday without make-up days needs no makeup_workdays key") {
    auto toml = replaced(kValid, "makeup_workdays = [\"2026-09-20\", 2026-10-10]\n", "");
    auto cal = WorkCalendar::parse(toml, "ok.toml");
    CHECK_FALSE(cal.is_working_day(ymd(2026, 10, 10)));
}

TEST_CASE("Calendar: late-December days before a declared year are accepted for 元旦") {
    // 2012年元旦: 2011-12-31 (Saturday) was a working day and belongs to the 2012 notice.
    auto cal = WorkCalendar::parse(R"([calendar]
name = "2012"
source = "国务院办公厅关于2012年部分节假日安排的通知"
years = [2012]
[[holiday]]
name = "元旦"
first = 2012-01-01
last = 2012-01-03
makeup_workdays = [2011-12-31]
)",
                                   "2012.toml");
    CHECK(cal.is_working_day(ymd(2011, 12, 31)));
    CHECK_FALSE(cal.covers(ymd(2011, 12, 31)));
}

TEST_CASE("Calendar: load_files merges the years of several files") {
    hcp::test::TempDir dir;
    hcp::test::write_file(dir / "cn-2027.toml", R"([calendar]
name = "test 2027"
source = "unit test"
years = [2027]
[[holiday]]
name = "国庆节"
first = 2027-10-01
last = 2027-10-07
makeup_workdays = [2027-09-26, 2027-10-09]
)");
    auto cal = WorkCalendar::load_files({hcp::test::assets_dir() / "calendars" / "cn-2026.toml", dir / "cn-2027.toml"});
    CHECK(cal.years() == std::set<int>{2026, 2027});
    CHECK(cal.holidays().size() == 8);
    CHECK(cal.covers(ymd(2027, 10, 1)));
    CHECK_FALSE(cal.is_working_day(ymd(2027, 10, 1)));
    CHECK(cal.is_working_day(ymd(2027, 10, 9)));
    CHECK_FALSE(cal.is_working_day(ymd(2026, 10, 1)));
    CHECK(text(cal.add_working_days(china(2027, 9, 30, 9), 1)) == "2027-10-08T09:00:00+08:00");
    CHECK(WorkCalendar::load_files({}).years().empty());
}

TEST_CASE("Calendar: load_files refuses a year that appears in two files and names both") {
    hcp::test::TempDir dir;
    hcp::test::write_file(dir / "a.toml", kValid);
    hcp::test::write_file(dir / "b.toml",
                          replaced(replaced(kValid, "2026-10-01", "2026-05-01"), "2026-10-07", "2026-05-05"));
    try {
        WorkCalendar::load_files({dir / "a.toml", dir / "b.toml"});
        FAIL("duplicate year accepted");
    } catch (const hcp::Error& e) {
        CHECK(e.code() == hcp::Errc::calendar_invalid);
        std::string msg = e.what();
        CHECK_THAT(msg, Contains("year 2026 is already covered by"));
        CHECK_THAT(msg, Contains((dir / "a.toml").string() + ":4"));
        CHECK_THAT(msg, Contains((dir / "b.toml").string() + ":4"));
    }
}

TEST_CASE("Calendar: load_files reports the problems of every file, not only the first") {
    hcp::test::TempDir dir;
    hcp::test::write_file(dir / "a.toml", replaced(kValid, "name = \"test\"", "names = \"test\""));
    hcp::test::write_file(dir / "b.toml", replaced(kValid, "years = [2026]", "years = [2027]"));
    try {
        WorkCalendar::load_files({dir / "a.toml", dir / "b.toml"});
        FAIL("bad files accepted");
    } catch (const hcp::Error& e) {
        std::string msg = e.what();
        CHECK_THAT(msg, Contains((dir / "a.toml").string() + ":2"));
        CHECK_THAT(msg, Contains("did you mean 'name'"));
        CHECK_THAT(msg, Contains((dir / "b.toml").string() + ":8"));
        CHECK_THAT(msg, Contains("outside the declared years (2027)"));
    }
}

// ---------------------------------------------------------------------------------------------
// Hostile files

TEST_CASE("Calendar: a TOML syntax error names the file and the line") {
    auto msg = calendar_error("[calendar]\nname = \"x\"\nyears = [2026\n", "syntax.toml");
    CHECK_THAT(msg, Contains("syntax.toml:3"));
    CHECK_THAT(msg, Contains("TOML syntax error"));
}

TEST_CASE("Calendar: impossible and malformed dates are refused with their line") {
    CHECK_THAT(calendar_error(replaced(kValid, "first = 2026-10-01", "first = \"2026-02-30\"")),
               Contains("bad.toml:8:9: holiday[0].first: '2026-02-30' is not a valid date"));
    CHECK_THAT(calendar_error(replaced(kValid, "first = 2026-10-01", "first = \"tomorrow\"")),
               Contains("'tomorrow' is not a valid date; write YYYY-MM-DD"));
    CHECK_THAT(calendar_error(replaced(kValid, "last = 2026-10-07", "last = \"2026-13-01\"")),
               Contains("bad.toml:9:8: holiday[0].last: '2026-13-01' is not a valid date"));
    CHECK_THAT(calendar_error(replaced(kValid, "last = 2026-10-07", "last = \"2026-1-7\"")),
               Contains("not a valid date"));
    // As a TOML date literal the parser itself refuses 30 February.
    CHECK_THAT(calendar_error(replaced(kValid, "first = 2026-10-01", "first = 2026-02-30")), Contains("bad.toml:8"));
    CHECK_THAT(calendar_error(replaced(kValid, "first = 2026-10-01", "first = 2026-10-01T08:00:00")),
               Contains("must be a date without a time of day"));
    CHECK_THAT(calendar_error(replaced(kValid, "first = 2026-10-01", "first = 20261001")),
               Contains("holiday[0].first: must be a date like 2026-10-01"));
}

TEST_CASE("Calendar: a date outside the declared years is refused") {
    CHECK_THAT(calendar_error(replaced(kValid, "last = 2026-10-07", "last = 2027-01-02")),
               Contains("bad.toml:9:8: holiday[0].last: 2027-01-02 is outside the declared years "
                        "(2026)"));
    CHECK_THAT(calendar_error(replaced(kValid, "\"2026-09-20\"", "\"2025-12-20\"")),
               Contains("2025-12-20 is outside the declared years"));
}

TEST_CASE("Calendar: a holiday ending before it starts or longer than 15 days is refused") {
    CHECK_THAT(calendar_error(replaced(kValid, "last = 2026-10-07", "last = 2026-09-30")),
               Contains("bad.toml:9:8: holiday[0].last: 2026-09-30 is before first 2026-10-01"));
    CHECK_THAT(calendar_error(replaced(kValid, "last = 2026-10-07", "last = 2026-12-31")),
               Contains("is 92 days long; at most 15 allowed"));
    CHECK_NOTHROW(WorkCalendar::parse(
        replaced(replaced(kValid, "last = 2026-10-07", "last = 2026-10-15"), ", 2026-10-10", ""), "ok.toml"));
}

TEST_CASE("Calendar: overlapping holidays are refused and both are named") {
    auto toml = kValid + R"(
[[holiday]]
name = "中秋节"
first = 2026-09-25
last = 2026-10-01
)";
    auto msg = calendar_error(toml);
    CHECK_THAT(msg, Contains("overlaps"));
    CHECK_THAT(msg, Contains("中秋节"));
    CHECK_THAT(msg, Contains("bad.toml:8:9: holiday[0].first: holiday '国庆节'"));
    CHECK_THAT(msg, Contains("at bad.toml:12"));  // where 中秋节 is
}

TEST_CASE("Calendar: a make-up working day must be a weekend day outside every holiday") {
    CHECK_THAT(calendar_error(replaced(kValid, "2026-10-10]", "2026-10-09]")),
               Contains("bad.toml:10:34: holiday[0].makeup_workdays[1]: 2026-10-09 is a Friday; "
                        "a make-up working day (调休上班) must be a Saturday or Sunday"));
    CHECK_THAT(calendar_error(replaced(kValid, "2026-10-10]", "2026-10-03]")),
               Contains("make-up working day 2026-10-03 falls inside holiday '国庆节'"));
}

TEST_CASE("Calendar: a date listed twice as a make-up working day is refused") {
    auto toml = kValid + R"(
[[holiday]]
name = "中秋节"
first = 2026-09-25
last = 2026-09-27
makeup_workdays = [2026-10-10]
)";
    CHECK_THAT(calendar_error(toml), Contains("2026-10-10 is listed twice as a make-up working day"));
}

TEST_CASE("Calendar: years must be distinct integers from 2000 to 2100 with holidays") {
    CHECK_THAT(calendar_error(replaced(kValid, "years = [2026]", "years = [1999, 2026]")),
               Contains("bad.toml:4:10: calendar.years[0]: must be a year from 2000 to 2100"));
    CHECK_THAT(calendar_error(replaced(kValid, "years = [2026]", "years = [2026, 2101]")),
               Contains("calendar.years[1]: must be a year from 2000 to 2100"));
    CHECK_THAT(calendar_error(replaced(kValid, "years = [2026]", "years = [2026, 2026]")),
               Contains("year 2026 is listed twice"));
    CHECK_THAT(calendar_error(replaced(kValid, "years = [2026]", "years = []")),
               Contains("must list at least one year"));
    CHECK_THAT(calendar_error(replaced(kValid, "years = [2026]", "years = 2026")),
               Contains("calendar.years: must be a list"));
    CHECK_THAT(calendar_error(replaced(kValid, "years = [2026]", "years = [\"2026\"]")), Contains("must be a year"));
    CHECK_THAT(calendar_error(replaced(kValid, "years = [2026]", "years = [2026, 2027]")),
               Contains("year 2027 has no [[holiday]] in this file"));
}

TEST_CASE("Calendar: unknown keys are refused with a did-you-mean suggestion") {
    CHECK_THAT(calendar_error(replaced(kValid, "makeup_workdays", "makeup_workday")),
               Contains("bad.toml:10:18: holiday[0].makeup_workday: unknown key 'makeup_workday'; "
                        "did you mean 'makeup_workdays'?"));
    CHECK_THAT(calendar_error(replaced(kValid, "source =", "sourse =")), Contains("did you mean 'source'?"));
    CHECK_THAT(calendar_error("[calender]\nname = \"x\"\n"), Contains("did you mean 'calendar'?"));
}

TEST_CASE("Calendar: missing and wrongly typed values are refused") {
    CHECK_THAT(calendar_error(replaced(kValid, "name = \"国庆节\"\n", "")), Contains("holiday[0].name: missing"));
    CHECK_THAT(calendar_error(replaced(kValid, "name = \"国庆节\"", "name = \"\"")),
               Contains("holiday[0].name: must not be empty"));
    CHECK_THAT(calendar_error(replaced(kValid, "first = 2026-10-01\n", "")), Contains("holiday[0].first: missing"));
    CHECK_THAT(calendar_error(replaced(kValid, "source = \"unit test\"\n", "")), Contains("calendar.source: missing"));
    CHECK_THAT(calendar_error(replaced(kValid, "[\"2026-09-20\", 2026-10-10]", "\"2026-10-10\"")),
               Contains("holiday[0].makeup_workdays: must be a list"));
    CHECK_THAT(calendar_error("holiday = 5\n[calendar]\nname = \"x\"\nsource = \"y\"\nyears = [2026]\n"),
               Contains("holiday: must be [[holiday]] sections"));
}

TEST_CASE("Calendar: every problem in a file is reported at once") {
    auto toml = replaced(replaced(replaced(kValid, "name = \"test\"", "nmae = \"test\""), "2026-10-10]", "2026-10-09]"),
                         "last = 2026-10-07", "last = \"2026-10-32\"");
    toml +=
        "[[holiday]]\nname = \"中秋节\"\nfirst = 2026-09-25\nlast = 2026-09-27\n"
        "[[holiday]]\nname = \"重复\"\nfirst = 2026-09-26\nlast = 2026-09-26\n";
    auto msg = calendar_error(toml);
    CHECK_THAT(msg, Contains("bad.toml:2:"));                                      // unknown key
    CHECK_THAT(msg, Contains("bad.toml:9:"));                                      // impossible date
    CHECK_THAT(msg, Contains("bad.toml:10:"));                                     // make-up day on a Friday
    CHECK_THAT(msg, Contains("bad.toml:17:9: holiday[2].first: holiday '重复'"));  // overlap
}

TEST_CASE("Calendar: an empty file is refused for its missing calendar section") {
    CHECK_THAT(calendar_error("", "empty.toml"), Contains("empty.toml:1:1: calendar: missing"));
    CHECK_THAT(calendar_error("# only a comment\n", "empty.toml"), Contains("calendar: missing"));
}

TEST_CASE("Calendar: binary garbage and NUL bytes are refused, not half-read") {
    std::string garbage;
    for (int i = 0; i < 512; ++i) garbage += static_cast<char>((i * 97 + 13) % 256);
    CHECK_THAT(calendar_error(garbage, "garbage.bin"), Contains("garbage.bin"));
    std::string with_nul = kValid;
    with_nul[20] = '\0';
    CHECK_THAT(calendar_error(with_nul), Contains("NUL bytes"));
    CHECK_THAT(calendar_error("\xEF\xBB\xBF[calendar]\nname = \"\xFF\xFE\"\n"), Contains("bad.toml"));
}

TEST_CASE("Calendar: a file larger than 1 MiB is refused before parsing") {
    std::string huge = kValid + "# " + std::string(1 << 20, 'x') + "\n";
    CHECK_THAT(calendar_error(huge), Contains("at most 1 MiB"));
}

TEST_CASE("Calendar: a file with thousands of problems gives a bounded message") {
    std::string days;
    for (int i = 0; i < 3000; ++i) days += (i == 0 ? "" : ", ") + std::string("\"2026-10-09\"");
    auto msg = calendar_error(replaced(kValid, "[\"2026-09-20\", 2026-10-10]", "[" + days + "]"));
    CHECK_THAT(msg, Contains("more problem(s)"));
    CHECK(msg.size() < 30000);
}

TEST_CASE("Calendar: a missing file is an I/O failure, not a validation error") {
    hcp::test::TempDir dir;
    try {
        WorkCalendar::load_file(dir / "nope.toml");
        FAIL("missing file accepted");
    } catch (const hcp::Error& e) {
        CHECK(e.code() == hcp::Errc::io_failure);
        CHECK_THAT(std::string(e.what()), Contains("nope.toml"));
    }
    CHECK_THROWS_AS(
        WorkCalendar::load_files({hcp::test::assets_dir() / "calendars" / "cn-2026.toml", dir / "nope.toml"}),
        hcp::Error);
}
