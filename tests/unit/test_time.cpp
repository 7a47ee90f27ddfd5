// Time in the core (shared/include/hcp/time.hpp): UTC instants with millisecond precision,
// shown and exported in China Standard Time (UTC+08:00, no DST).
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "hcp/base/time.hpp"

using namespace hcp;
using namespace std::chrono;

namespace {

// An instant given by its UTC wall clock.
TimePoint utc(int y, unsigned m, unsigned d, int hh = 0, int mi = 0, int ss = 0, int ms = 0) {
    return time_point_cast<milliseconds>(sys_days{Date{year{y}, month{m}, day{d}}}) + hours{hh} + minutes{mi} +
           seconds{ss} + milliseconds{ms};
}

Date date(int y, unsigned m, unsigned d) {
    return Date{year{y}, month{m}, day{d}};
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// format_iso8601

TEST_CASE("format_iso8601: an instant is written in China time with the +08:00 offset") {
    CHECK(format_iso8601(utc(2026, 10, 8, 1, 30, 0)) == "2026-10-08T09:30:00+08:00");
}

TEST_CASE("format_iso8601: milliseconds are written only when they are not zero") {
    CHECK(format_iso8601(utc(2026, 10, 8, 1, 30, 0, 250)) == "2026-10-08T09:30:00.250+08:00");
    CHECK(format_iso8601(utc(2026, 10, 8, 1, 30, 0, 1)) == "2026-10-08T09:30:00.001+08:00");
    CHECK(format_iso8601(utc(2026, 10, 8, 1, 30, 0, 999)) == "2026-10-08T09:30:00.999+08:00");
    CHECK(format_iso8601(utc(2026, 10, 8, 1, 30, 0, 0)).find('.') == std::string::npos);
}

TEST_CASE("format_iso8601: a UTC evening already belongs to the next China day") {
    CHECK(format_iso8601(utc(2026, 10, 7, 16, 0, 0)) == "2026-10-08T00:00:00+08:00");
    CHECK(format_iso8601(utc(2026, 10, 7, 15, 59, 59, 999)) == "2026-10-07T23:59:59.999+08:00");
    // Year end rolls the year.
    CHECK(format_iso8601(utc(2026, 12, 31, 16, 0, 0)) == "2027-01-01T00:00:00+08:00");
}

TEST_CASE("format_iso8601: the epoch and instants before it are formatted correctly") {
    CHECK(format_iso8601(TimePoint{}) == "1970-01-01T08:00:00+08:00");
    CHECK(format_iso8601(TimePoint{milliseconds{-1}}) == "1970-01-01T07:59:59.999+08:00");
    CHECK(format_iso8601(utc(1969, 12, 31, 15, 0, 0)) == "1969-12-31T23:00:00+08:00");
}

// ---------------------------------------------------------------------------------------------
// parse_iso8601

TEST_CASE("parse_iso8601: Z, +08:00 and -05:00 offsets are converted to the same UTC instant") {
    const TimePoint expected = utc(2026, 10, 8, 1, 30, 0);
    CHECK(parse_iso8601("2026-10-08T01:30:00Z") == expected);
    CHECK(parse_iso8601("2026-10-08T09:30:00+08:00") == expected);
    CHECK(parse_iso8601("2026-10-07T20:30:00-05:00") == expected);
    CHECK(parse_iso8601("2026-10-08T07:00:00+05:30") == expected);
    CHECK(parse_iso8601("2026-10-08T01:30:00+00:00") == expected);
    CHECK(parse_iso8601("2026-10-08T01:30:00-00:00") == expected);
}

TEST_CASE("parse_iso8601: \"YYYY-MM-DD HH:MM:SS\" without an offset is taken as China time") {
    CHECK(parse_iso8601("2026-10-08 09:30:00") == utc(2026, 10, 8, 1, 30, 0));
    // China midnight is 16:00 UTC the previous day.
    CHECK(parse_iso8601("2026-10-08 00:00:00") == utc(2026, 10, 7, 16, 0, 0));
}

TEST_CASE("parse_iso8601: fractional seconds keep milliseconds and drop finer digits") {
    CHECK(parse_iso8601("2026-10-08T09:30:00.250+08:00") == utc(2026, 10, 8, 1, 30, 0, 250));
    CHECK(parse_iso8601("2026-10-08T09:30:00.5Z") == utc(2026, 10, 8, 9, 30, 0, 500));
    CHECK(parse_iso8601("2026-10-08T09:30:00.05Z") == utc(2026, 10, 8, 9, 30, 0, 50));
    CHECK(parse_iso8601("2026-10-08T09:30:00.123456789Z") == utc(2026, 10, 8, 9, 30, 0, 123));
    CHECK(parse_iso8601("2026-10-08 09:30:00.007") == utc(2026, 10, 8, 1, 30, 0, 7));
}

TEST_CASE("parse_iso8601: the largest allowed offsets are accepted") {
    CHECK(parse_iso8601("2026-10-08T14:00:00+14:00") == utc(2026, 10, 8, 0, 0, 0));
    CHECK(parse_iso8601("2026-10-07T10:00:00-14:00") == utc(2026, 10, 8, 0, 0, 0));
}

TEST_CASE("parse_iso8601: offsets beyond 14 hours are refused even when the hour field is 14") {
    CHECK_FALSE(parse_iso8601("2026-10-08T09:30:00+14:30").has_value());
    CHECK_FALSE(parse_iso8601("2026-10-08T09:30:00-14:59").has_value());
}

TEST_CASE("parse_iso8601: leap day in a leap year is accepted") {
    CHECK(parse_iso8601("2024-02-29T12:00:00+08:00") == utc(2024, 2, 29, 4, 0, 0));
}

TEST_CASE("parse_iso8601: hostile or malformed text is refused, never half-parsed") {
    const std::vector<std::string> bad = {
        "",
        " ",
        "garbage",
        "2026-10-08",                 // a date, not an instant
        "2026-10-08T09:30",           // no seconds
        "2026-10-08T09:30:00",        // T form without its offset
        "2026-02-30T10:00:00+08:00",  // no such day
        "2026-02-29T10:00:00+08:00",  // 2026 is not a leap year
        "2026-13-01T10:00:00+08:00",  // month 13
        "2026-00-10T10:00:00+08:00",  // month 0
        "2026-10-00T10:00:00+08:00",  // day 0
        "2026-10-08T24:00:00+08:00",  // hour 24
        "2026-10-08T23:60:00+08:00",  // minute 60
        "2026-10-08T23:59:60+08:00",  // leap second
        "2026-10-08T09:30:00+15:00",  // offset beyond 14 hours
        "2026-10-08T09:30:00-15:00",
        "2026-10-08T09:30:00+99:00",
        "2026-10-08T09:30:00+08:60",      // offset minutes 60
        "2026-10-08T09:30:00+0800",       // offset without colon
        "2026-10-08T09:30:00+08",         // short offset
        "2026-10-08T09:30:00+08:00junk",  // trailing junk
        "2026-10-08T09:30:00Zjunk",
        "2026-10-08T09:30:00Z ",  // trailing space
        "2026-10-08 09:30:00 ",
        "2026-10-08 09:30:00x",
        " 2026-10-08T09:30:00Z",  // leading space
        "2026-10-08T09:30:00z",   // lowercase z
        "2026-10-08t09:30:00Z",   // lowercase t
        "2026-10-08X09:30:00Z",   // wrong separator
        "2026/10/08T09:30:00Z",
        "2026-10-08T09-30-00Z",
        "2026-10-08T9:30:00Z",              // one-digit hour
        "2026-1-08T09:30:00Z",              // one-digit month
        "+026-10-08T09:30:00Z",             // sign in the year
        "2026-10-08T09:30:00.Z",            // dot without digits
        "2026-10-08T09:30:00.1234567890Z",  // more than 9 fraction digits
        "2026-10-08T09:30:00.12a4Z",        // junk in the fraction
        "2026-10-08T-9:30:00Z",
        "２０２６-10-08T09:30:00Z",  // full-width digits
    };
    for (const auto& text : bad) {
        INFO("input: \"" << text << "\"");
        CHECK_FALSE(parse_iso8601(text).has_value());
    }
}

TEST_CASE("parse_iso8601: text with an embedded NUL is refused") {
    const std::string with_nul("2026-10-08T09:30:00Z\0junk", 25);
    CHECK_FALSE(parse_iso8601(with_nul).has_value());
    const std::string nul_inside("2026-10-08T09:30:\0\0Z", 20);
    CHECK_FALSE(parse_iso8601(nul_inside).has_value());
}

TEST_CASE("parse_iso8601: whatever format_iso8601 writes parses back to the same instant") {
    const std::vector<TimePoint> instants = {
        TimePoint{},
        utc(2026, 10, 8, 1, 30, 0),
        utc(2026, 10, 8, 1, 30, 0, 250),
        utc(2026, 10, 7, 16, 0, 0),
        utc(2026, 10, 7, 15, 59, 59, 999),
        utc(2024, 2, 28, 16, 0, 0, 1),  // China 2024-02-29 00:00:00.001
        utc(2099, 12, 31, 23, 59, 59, 999),
        utc(1999, 12, 31, 16, 0, 0),
    };
    for (auto t : instants) {
        auto text = format_iso8601(t);
        INFO(text);
        auto back = parse_iso8601(text);
        REQUIRE(back.has_value());
        CHECK(*back == t);
        CHECK(format_iso8601(*back) == text);
    }
}

TEST_CASE("parse_iso8601: an instant from now() survives the round trip at millisecond precision") {
    auto t = now();
    auto back = parse_iso8601(format_iso8601(t));
    REQUIRE(back.has_value());
    CHECK(*back == t);
}

// ---------------------------------------------------------------------------------------------
// parse_date / format_date

TEST_CASE("format_date: a date is written as zero-padded YYYY-MM-DD") {
    CHECK(format_date(date(2026, 1, 1)) == "2026-01-01");
    CHECK(format_date(date(2026, 10, 8)) == "2026-10-08");
    CHECK(format_date(date(999, 12, 31)) == "0999-12-31");
}

TEST_CASE("parse_date: valid calendar dates parse, including 29 February of a leap year") {
    CHECK(parse_date("2026-10-08") == date(2026, 10, 8));
    CHECK(parse_date("2024-02-29") == date(2024, 2, 29));
    CHECK(parse_date("2000-02-29") == date(2000, 2, 29));  // divisible by 400: leap
    CHECK(parse_date("2026-12-31") == date(2026, 12, 31));
    CHECK(parse_date("2026-01-01") == date(2026, 1, 1));
}

TEST_CASE("parse_date: anything that is not a valid calendar date is refused") {
    const std::vector<std::string> bad = {
        "",
        "2026-02-29",  // not a leap year
        "1900-02-29",  // divisible by 100, not by 400
        "2026-02-30", "2026-04-31", "2026-13-01", "2026-00-01",  "2026-01-00",  "2026-01-32",
        "2026-1-1",  // not zero-padded
        "2026-01-1",  "26-01-01",   "2026/01/01", "2026-01-01 ", " 2026-01-01", "2026-01-01T00:00:00+08:00",
        "20260101",   "2026-0a-01", "abcd-ef-gh", "-026-01-01",  "2026--1-01",  "2026-+1-01",
    };
    for (const auto& text : bad) {
        INFO("input: \"" << text << "\"");
        CHECK_FALSE(parse_date(text).has_value());
    }
}

TEST_CASE("parse_date: format_date and parse_date round-trip every day of a leap year") {
    auto d = sys_days{date(2024, 1, 1)};
    const auto end = sys_days{date(2025, 1, 1)};
    int count = 0;
    for (; d < end; d += days{1}, ++count) {
        Date ymd{d};
        auto back = parse_date(format_date(ymd));
        REQUIRE(back.has_value());
        CHECK(*back == ymd);
    }
    CHECK(count == 366);
}

// ---------------------------------------------------------------------------------------------
// china_date / china_midnight / china_time_of_day / iso_weekday

TEST_CASE("china_date: 16:00 UTC is the start of the next China day") {
    CHECK(china_date(utc(2026, 10, 7, 16, 0, 0)) == date(2026, 10, 8));
    CHECK(china_date(utc(2026, 10, 7, 15, 59, 59, 999)) == date(2026, 10, 7));
    CHECK(china_date(utc(2026, 10, 8, 0, 0, 0)) == date(2026, 10, 8));  // UTC midnight = 08:00 China
    CHECK(china_date(utc(2026, 10, 8, 15, 59, 59, 999)) == date(2026, 10, 8));
}

TEST_CASE("china_date: year and leap-day boundaries follow China time") {
    CHECK(china_date(utc(2026, 12, 31, 16, 0, 0)) == date(2027, 1, 1));
    CHECK(china_date(utc(2024, 2, 28, 16, 0, 0)) == date(2024, 2, 29));
    CHECK(china_date(utc(2024, 2, 29, 16, 0, 0)) == date(2024, 3, 1));
    CHECK(china_date(TimePoint{}) == date(1970, 1, 1));
}

TEST_CASE("china_midnight: a China date starts at 16:00 UTC of the day before") {
    CHECK(china_midnight(date(2026, 10, 8)) == utc(2026, 10, 7, 16, 0, 0));
    CHECK(format_iso8601(china_midnight(date(2026, 10, 8))) == "2026-10-08T00:00:00+08:00");
    CHECK(china_midnight(date(2027, 1, 1)) == utc(2026, 12, 31, 16, 0, 0));
}

TEST_CASE("china_midnight: china_date of a China midnight is that date, one ms earlier the day before") {
    for (auto d : {date(2026, 1, 1), date(2026, 10, 8), date(2024, 2, 29), date(2026, 12, 31)}) {
        INFO(format_date(d));
        auto m = china_midnight(d);
        CHECK(china_date(m) == d);
        CHECK(china_date(m - milliseconds{1}) == Date{sys_days{d} - days{1}});
        CHECK(china_date(m + hours{24} - milliseconds{1}) == d);
        CHECK(china_time_of_day(m) == milliseconds{0});
    }
}

TEST_CASE("china_time_of_day: the local wall clock is measured from China midnight") {
    CHECK(china_time_of_day(utc(2026, 10, 8, 1, 30, 0)) == hours{9} + minutes{30});
    CHECK(china_time_of_day(utc(2026, 10, 7, 15, 59, 59, 999)) == hours{24} - milliseconds{1});
    CHECK(china_time_of_day(utc(2026, 10, 7, 16, 0, 0)) == milliseconds{0});
}

TEST_CASE("iso_weekday: 2026-10-01 (国庆) is a Thursday, 4 in ISO numbering") {
    CHECK(iso_weekday(date(2026, 10, 1)) == 4);
}

TEST_CASE("iso_weekday: Monday is 1 and Sunday is 7") {
    CHECK(iso_weekday(date(2026, 10, 5)) == 1);   // Monday
    CHECK(iso_weekday(date(2026, 10, 10)) == 6);  // Saturday
    CHECK(iso_weekday(date(2026, 10, 11)) == 7);  // Sunday, not 0
    CHECK(iso_weekday(date(1970, 1, 1)) == 4);    // Thursday
    CHECK(iso_weekday(date(2024, 2, 29)) == 4);   // Thursday
    // Seven consecutive days cover 1..7 once each.
    unsigned sum = 0;
    for (unsigned d = 5; d <= 11; ++d) sum += iso_weekday(date(2026, 10, d));
    CHECK(sum == 28);
}

TEST_CASE("format_china_minute: tickets and receipts print China time to the minute") {
    CHECK(hcp::format_china_minute(*parse_iso8601("2026-10-08T01:30:59.900Z")) == "2026-10-08 09:30");
    // 16:05 UTC is already the next day in China; midnight prints as 00:00.
    CHECK(hcp::format_china_minute(*parse_iso8601("2026-12-31T16:05:00Z")) == "2027-01-01 00:05");
    CHECK(hcp::format_china_minute(*parse_iso8601("2026-02-16T16:00:00Z")) == "2026-02-17 00:00");
}
