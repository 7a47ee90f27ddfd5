// The statutory holidays computed from the law (liblunar-date), the notice importer, and the
// hall's calendar sources (shipped files, the hall's own folder, reload fingerprints, warnings).
#include <catch2/catch.hpp>

#include <chrono>
#include <fstream>
#include <map>
#include <string>
#include <thread>

#include "hcp/base/error.hpp"
#include "hcp/base/time.hpp"
#include "hcp/domain/calendar.hpp"
#include "hcp/domain/calendar_sources.hpp"
#include "hcp/domain/notice.hpp"
#include "hcp/domain/rules.hpp"
#include "hcp/domain/statutory.hpp"
#include "test_support.hpp"

using Catch::Matchers::Contains;
using hcp::Date;
using hcp::TimePoint;
using hcp::WorkCalendar;

namespace {

Date ymd(int y, unsigned m, unsigned d) {
    return Date{std::chrono::year{y}, std::chrono::month{m}, std::chrono::day{d}};
}

TimePoint china(int y, unsigned m, unsigned d, int hour) {
    return std::chrono::time_point_cast<std::chrono::milliseconds>(std::chrono::sys_days{ymd(y, m, d)}) +
           std::chrono::hours{hour} - hcp::kChinaOffset;
}

std::string text(TimePoint t) {
    return hcp::format_iso8601(t);
}

// name → days of `year` by the law.
std::map<std::string, std::vector<std::string>> law(int year) {
    auto days = hcp::statutory_days(year);
    REQUIRE(days);
    std::map<std::string, std::vector<std::string>> out;
    for (const auto& d : *days) out[d.name].push_back(hcp::format_date(d.date));
    return out;
}

std::string notice_text(int year) {
    return hcp::test::read_file(hcp::test::test_data_dir() / "notices" / (std::to_string(year) + ".txt"));
}

std::string replaced(std::string s, const std::string& from, const std::string& to) {
    auto pos = s.find(from);
    REQUIRE(pos != std::string::npos);
    return s.replace(pos, from.size(), to);
}

std::string notice_error(const std::string& text) {
    try {
        hcp::parse_notice(text, "notice.txt");
    } catch (const hcp::Error& e) {
        CHECK(e.code() == hcp::Errc::calendar_invalid);
        return e.what();
    }
    FAIL("the notice was accepted");
    return {};
}

void write(const std::filesystem::path& p, const std::string& content) {
    std::filesystem::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << content;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// The law, from the lunar calendar

TEST_CASE("Law: the lunar festivals and 清明 of 2024–2026 are the days the State Council published") {
    // 2024: 除夕 2月9日, 清明 4月4日, 端午 6月10日, 中秋 9月17日 (国办发明电〔2023〕7号).
    auto y2024 = law(2024);
    CHECK(y2024["春节"] == std::vector<std::string>{"2024-02-09", "2024-02-10", "2024-02-11", "2024-02-12"});
    CHECK(y2024["清明节"] == std::vector<std::string>{"2024-04-04"});
    CHECK(y2024["端午节"] == std::vector<std::string>{"2024-06-10"});
    CHECK(y2024["中秋节"] == std::vector<std::string>{"2024-09-17"});
    // 2025: 除夕 1月28日, 清明 4月4日, 端午 5月31日, 中秋 10月6日 (国办发明电〔2024〕12号).
    auto y2025 = law(2025);
    CHECK(y2025["春节"].front() == "2025-01-28");
    CHECK(y2025["清明节"] == std::vector<std::string>{"2025-04-04"});
    CHECK(y2025["端午节"] == std::vector<std::string>{"2025-05-31"});
    CHECK(y2025["中秋节"] == std::vector<std::string>{"2025-10-06"});
    // 2026: 除夕 2月16日, 清明 4月5日, 端午 6月19日, 中秋 9月25日.
    auto y2026 = law(2026);
    CHECK(y2026["春节"] == std::vector<std::string>{"2026-02-16", "2026-02-17", "2026-02-18", "2026-02-19"});
    CHECK(y2026["清明节"] == std::vector<std::string>{"2026-04-05"});
    CHECK(y2026["端午节"] == std::vector<std::string>{"2026-06-19"});
    CHECK(y2026["中秋节"] == std::vector<std::string>{"2026-09-25"});
}

TEST_CASE("Law: every year has the 13 statutory days off of the 2025 revision") {
    for (int y = hcp::kFirstStatutoryYear; y <= hcp::kLastStatutoryYear; ++y) {
        CAPTURE(y);
        auto days = hcp::statutory_days(y);
        REQUIRE(days);
        // 13 days; one fewer when 中秋 falls on 10月1日–3日 (the day then carries both names).
        size_t merged = 0;
        for (const auto& d : *days) merged += d.name.find("、") != std::string::npos ? 1U : 0U;
        CHECK(days->size() + merged == 13);
        auto l = law(y);
        CHECK(l["元旦"] == std::vector<std::string>{std::to_string(y) + "-01-01"});
        CHECK(l["劳动节"].size() == 2);
        CHECK(l["春节"].size() == 4);
    }
}

TEST_CASE("Law: 中秋 on 国庆 is one day with both names (2020-10-01)") {
    auto days = hcp::statutory_days(2020);
    REQUIRE(days);
    bool both = false;
    for (const auto& d : *days) both = both || (hcp::format_date(d.date) == "2020-10-01" && d.name == "国庆节、中秋节");
    CHECK(both);
}

TEST_CASE("Law: years the lunar library cannot compute are refused, not guessed") {
    CHECK_FALSE(hcp::statutory_days(1800));
    CHECK_FALSE(hcp::statutory_days(2150));
}

// ---------------------------------------------------------------------------------------------
// Deadlines across the turn of the year and 春节 2027 (provisional), under both presets

TEST_CASE("Deadlines for completions from 2026-12-24 to 2027-01-08 never land on 元旦 or a weekend") {
    const WorkCalendar cal =
        WorkCalendar::load_file(hcp::test::assets_dir() / "calendars" / "cn-2026.toml").with_statutory_years();
    for (auto policy : {hcp::UnratedPolicy::taian(), hcp::UnratedPolicy::gansu(), hcp::UnratedPolicy::county()}) {
        for (unsigned day = 0; day < 16; ++day) {
            const TimePoint completed =
                china(2026, 12, 24, 10) + std::chrono::hours{24} * static_cast<int>(day);  // 12-24 … 01-08
            CAPTURE(policy.preset, text(completed));
            auto d = hcp::unrated_deadlines(completed, cal, policy);
            REQUIRE(d.default_due);
            const Date due = hcp::china_date(*d.default_due);
            CHECK(cal.is_working_day(due));
            CHECK(hcp::format_date(due) != "2027-01-01");
        }
    }
    // Exact values: Thursday 12-24 10:00 under 甘肃 (5 working days from completion):
    // 12-25, 12-28, 12-29, 12-30, 12-31 → 12-31 10:00. Under 泰安 the reminder is 12-25 and the
    // default 4 working days later: 12-28, 29, 30, 31 → 12-31 10:00; from 12-25: … 2027-01-04.
    auto g = hcp::unrated_deadlines(china(2026, 12, 24, 10), cal, hcp::UnratedPolicy::gansu());
    CHECK(text(*g.default_due) == "2026-12-31T10:00:00+08:00");
    auto t = hcp::unrated_deadlines(china(2026, 12, 25, 10), cal, hcp::UnratedPolicy::taian());
    CHECK(text(t.reminder_due) == "2026-12-28T10:00:00+08:00");
    CHECK(text(*t.default_due) == "2027-01-04T10:00:00+08:00");  // skips 元旦 (Fri) and the weekend
    auto late = hcp::unrated_deadlines(china(2026, 12, 31, 16), cal, hcp::UnratedPolicy::gansu());
    CHECK(text(*late.default_due) == "2027-01-08T16:00:00+08:00");
}

TEST_CASE("Deadlines around 春节 2027 skip 除夕 to 初三 (2月5日–8日) while the notice is not out") {
    const WorkCalendar cal = WorkCalendar().with_statutory_years();
    // Thursday 2027-02-04 09:00, 甘肃: 02-09, 10, 11, 12, 15 → 02-15 09:00.
    auto g = hcp::unrated_deadlines(china(2027, 2, 4, 9), cal, hcp::UnratedPolicy::gansu());
    CHECK(text(*g.default_due) == "2027-02-15T09:00:00+08:00");
    // 泰安: reminder 1 working day later skips the festival: 02-09; default 4 later: 02-15.
    auto t = hcp::unrated_deadlines(china(2027, 2, 4, 9), cal, hcp::UnratedPolicy::taian());
    CHECK(text(t.reminder_due) == "2027-02-09T09:00:00+08:00");
    CHECK(text(*t.default_due) == "2027-02-15T09:00:00+08:00");
    CHECK(cal.basis(2027) == hcp::YearBasis::statutory);
}

// ---------------------------------------------------------------------------------------------
// The notice importer

TEST_CASE("Notice: the 2026 notice as published gives exactly the shipped 2026 calendar") {
    const auto notice = hcp::parse_notice(notice_text(2026), "2026.txt");
    CHECK(notice.year == 2026);
    CHECK(notice.title == "国务院办公厅关于2026年部分节假日安排的通知");
    CHECK(notice.issued == "2025年11月4日");
    REQUIRE(notice.holidays.size() == 7);
    const WorkCalendar imported = WorkCalendar::parse(hcp::notice_calendar_toml(notice), "imported");
    const WorkCalendar shipped = WorkCalendar::load_file(hcp::test::assets_dir() / "calendars" / "cn-2026.toml");
    for (auto d = std::chrono::sys_days{ymd(2025, 12, 25)}; d < std::chrono::sys_days{ymd(2027, 1, 1)};
         d += std::chrono::days{1}) {
        CAPTURE(hcp::format_date(Date{d}));
        CHECK(imported.is_working_day(Date{d}) == shipped.is_working_day(Date{d}));
        CHECK(imported.is_makeup_workday(Date{d}) == shipped.is_makeup_workday(Date{d}));
    }
    CHECK(notice.holidays[1].holiday.name == "春节");
    CHECK(hcp::format_date(notice.holidays[1].holiday.first) == "2026-02-15");
    CHECK(hcp::format_date(notice.holidays[1].holiday.last) == "2026-02-23");
    CHECK(notice.holidays[1].holiday.makeup_workdays.size() == 2);
}

TEST_CASE("Notice: the 2025 notice, copied with ASCII punctuation and a broken title, reads too") {
    const auto notice = hcp::parse_notice(notice_text(2025), "2025.txt");
    CHECK(notice.year == 2025);
    CHECK(notice.issued == "2024年11月12日");
    REQUIRE(notice.holidays.size() == 6);  // 国庆节、中秋节 is one item
    const WorkCalendar cal = WorkCalendar::parse(hcp::notice_calendar_toml(notice), "imported");
    CHECK_FALSE(cal.is_working_day(ymd(2025, 1, 1)));
    CHECK(cal.is_working_day(ymd(2025, 1, 2)));  // 不调休
    CHECK(cal.is_makeup_workday(ymd(2025, 1, 26)));
    CHECK_FALSE(cal.is_working_day(ymd(2025, 2, 4)));
    CHECK(cal.is_makeup_workday(ymd(2025, 4, 27)));
    CHECK_FALSE(cal.is_working_day(ymd(2025, 6, 2)));  // 端午 runs into June
    CHECK_FALSE(cal.is_working_day(ymd(2025, 10, 8)));
    CHECK(cal.is_makeup_workday(ymd(2025, 10, 11)));
    CHECK(cal.working_days_between(ymd(2025, 1, 1), ymd(2026, 1, 1)) == 248);
    CHECK(notice.holidays[5].holiday.name == "国庆节、中秋节");
}

TEST_CASE("Notice: damaged copies are refused with the line they stopped at") {
    const std::string good = notice_text(2026);
    SECTION("a weekday that does not match its date") {
        auto msg = notice_error(replaced(good, "2月14日（周六）", "2月14日（周日）"));
        CHECK_THAT(msg, Contains("notice.txt:9:"));
        CHECK_THAT(msg, Contains("周六"));
    }
    SECTION("a count of days that does not match the range") {
        CHECK_THAT(notice_error(replaced(good, "共9天", "共8天")), Contains("notice.txt:9:"));
    }
    SECTION("a range shortened so that a statutory day would be worked") {
        auto msg = notice_error(
            replaced(good, "6月19日（周五）至21日（周日）放假，共3天", "6月20日（周六）至21日（周日）放假，共2天"));
        CHECK_THAT(msg, Contains("端午节"));
        CHECK_THAT(msg, Contains("6月19日"));
    }
    SECTION("a make-up working day on a weekday") {
        CHECK_THAT(notice_error(replaced(good, "5月9日（周六）上班", "5月8日（周五）上班")),
                   Contains("Saturday or Sunday"));
    }
    SECTION("a holiday missing (the copy stopped early)") {
        auto cut = good.substr(0, good.find("　　七、国庆节"));
        CHECK_THAT(notice_error(cut), Contains("国庆节"));
    }
    SECTION("no title and no year") {
        auto msg = notice_error(
            replaced(replaced(good, "国务院办公厅关于2026年部分节假日安排的通知", "通知"), "现将2026年", "现将"));
        CHECK_THAT(msg, Contains("no year found"));
    }
    SECTION("an item that is not a holiday") {
        CHECK_THAT(notice_error(replaced(good, "六、中秋节：", "六、重阳节：")), Contains("重阳节"));
    }
    SECTION("a sentence with dates it cannot read") {
        CHECK_THAT(notice_error(replaced(good, "5月9日（周六）上班。", "5月9日（周六）照常。")),
                   Contains("cannot read"));
    }
    SECTION("not UTF-8, NUL bytes, far too long") {
        CHECK_THAT(notice_error(std::string("\xff\xfe") + good), Contains("UTF-8"));
        CHECK_THAT(notice_error(good + std::string(1, '\0')), Contains("NUL"));
        CHECK_THAT(notice_error(std::string(200000, 'a')), Contains("bytes"));
    }
    SECTION("a notice for a year the law does not cover") {
        CHECK_THAT(notice_error(replaced(replaced(good, "关于2026年", "关于2024年"), "现将2026年", "现将2024年")),
                   Contains("2024"));
    }
}

// ---------------------------------------------------------------------------------------------
// The hall's sources: shipped files, its own folder, reloads, warnings

TEST_CASE("Sources: a notice in the hall's folder adds its year and replaces a shipped file of that year") {
    hcp::test::TempDir dir;
    hcp::CalendarConfig cfg;
    cfg.shipped_dir = hcp::test::assets_dir() / "calendars";
    cfg.local_dir = dir / "calendars";
    auto before = hcp::load_hall_calendar(cfg);
    CHECK(before.calendar.basis(2026) == hcp::YearBasis::notice);
    CHECK(before.calendar.basis(2027) == hcp::YearBasis::statutory);
    const std::string fp = before.fingerprint;
    CHECK(hcp::calendar_fingerprint(cfg) == fp);

    // A 2027 notice (made from the 2026 text moved by a year is not valid; write a small one).
    write(cfg.local_dir / "cn-2027.toml", R"([calendar]
name = "全国法定节假日 2027"
source = "test notice"
years = [2027]
[[holiday]]
name = "元旦"
first = 2027-01-01
last = 2027-01-03
[[holiday]]
name = "春节"
first = 2027-02-05
last = 2027-02-12
makeup_workdays = [2027-02-14]
)");
    CHECK(hcp::calendar_fingerprint(cfg) != fp);
    auto after = hcp::load_hall_calendar(cfg);
    CHECK(after.calendar.basis(2027) == hcp::YearBasis::notice);
    CHECK_FALSE(after.calendar.is_working_day(ymd(2027, 2, 10)));  // a bridged day the law does not know
    CHECK(after.calendar.is_makeup_workday(ymd(2027, 2, 14)));
    CHECK(after.files.size() == 2);

    // The hall's own 2026 replaces the shipped one (a province's extra day off).
    auto shipped_2026 = hcp::test::read_file(cfg.shipped_dir / "cn-2026.toml");
    write(cfg.local_dir / "cn-2026.toml",
          replaced(shipped_2026, "first = 2026-06-19\nlast = 2026-06-21", "first = 2026-06-18\nlast = 2026-06-21"));
    auto local = hcp::load_hall_calendar(cfg);
    CHECK_FALSE(local.calendar.is_working_day(ymd(2026, 6, 18)));
    REQUIRE(local.notes.size() == 1);
    CHECK_THAT(local.notes[0], Contains("replaced by"));

    // Editor leftovers are not calendars; a broken file refuses the whole calendar.
    write(cfg.local_dir / ".cn-2028.toml.swp", "garbage");
    write(cfg.local_dir / "cn-2027.toml~", "garbage");
    CHECK_NOTHROW(hcp::load_hall_calendar(cfg));
    write(cfg.local_dir / "broken.toml", "[calendar]\nyears = [2028\n");
    CHECK_THROWS_AS(hcp::load_hall_calendar(cfg), hcp::Error);
}

TEST_CASE("Sources: the outlook warns 60 days ahead of a year without its notice, with the command") {
    const WorkCalendar cal =
        WorkCalendar::load_file(hcp::test::assets_dir() / "calendars" / "cn-2026.toml").with_statutory_years();
    auto early = hcp::calendar_outlook(cal, ymd(2026, 10, 1));
    CHECK(early.ok());
    auto now = hcp::calendar_outlook(cal, ymd(2026, 12, 7));  // the day this was written
    CHECK_FALSE(now.ok());
    CHECK(now.provisional_years == std::vector<int>{2027});
    CHECK_THAT(now.warning_zh, Contains("2027"));
    CHECK_THAT(now.warning_zh, Contains("hcpctl calendar import"));
    CHECK(now.fix == "hcpctl calendar import NOTICE.txt");
    // A pending deadline in a later year counts too, even beyond 60 days.
    auto pending = hcp::calendar_outlook(cal, ymd(2026, 10, 1), {2100});
    CHECK(pending.uncovered_years == std::vector<int>{2100});
}
