// hcpctl calendar import | show | law, and hcpctl reminders, as an installer runs them.
#include <catch2/catch.hpp>

#include <filesystem>
#include <string>

#include "fixtures.hpp"
#include "hcp/config/config.hpp"
#include "hcp/domain/calendar.hpp"
#include "hcp/store/store.hpp"
#include "hcp/store/unrated.hpp"
#include "test_support.hpp"

using Catch::Matchers::Contains;
using hcp::test::CommandResult;

namespace {

std::string q(const std::filesystem::path& p) {
    return "'" + p.string() + "'";
}

CommandResult hcpctl(const std::string& args) {
    return hcp::test::run_command(q(hcp::test::hcpctl_path()) + " " + args + " 2>&1");
}

// The demo hall with its data and its own calendar folder in `dir`.
std::filesystem::path demo_config(const hcp::test::TempDir& dir) {
    std::string text = hcp::test::read_file(hcp::test::assets_dir() / "config" / "demo-hall.toml");
    auto replace = [&](const std::string& from, const std::string& to) {
        auto p = text.find(from);
        REQUIRE(p != std::string::npos);
        text.replace(p, from.size(), to);
    };
    replace("assets = \"..\"", "assets = \"" + hcp::test::assets_dir().string() + "\"");
    replace("data = \"../../var/demo\"", "data = \"" + dir.path().string() + "\"");
    hcp::test::write_file(dir / "hall.toml", text);
    return dir / "hall.toml";
}

}  // namespace

TEST_CASE("hcpctl calendar import writes the notice into the hall's folder and the calendar uses it") {
    hcp::test::TempDir dir;
    const auto config = demo_config(dir);
    const auto notice = hcp::test::test_data_dir() / "notices" / "2025.txt";
    auto r = hcpctl("calendar import " + q(notice) + " --config " + q(config));
    INFO(r.output);
    REQUIRE(r.exit_code == 0);
    CHECK_THAT(r.output, Contains("国庆节、中秋节  2025-10-01 .. 2025-10-08  共 8 天  调休上班 2025-09-28 2025-10-11"));
    const auto file = dir / "calendars" / "cn-2025.toml";
    REQUIRE(std::filesystem::exists(file));
    CHECK((std::filesystem::status(file).permissions() & std::filesystem::perms::others_read) !=
          std::filesystem::perms::none);
    const auto cal = hcp::WorkCalendar::load_file(file);
    CHECK(cal.basis(2025) == hcp::YearBasis::notice);
    auto show = hcpctl("calendar show --config " + q(config) + " --year 2025 --year 2027");
    INFO(show.output);
    CHECK(show.exit_code == 0);
    CHECK_THAT(show.output, Contains("2025：按国务院办公厅通知"));
    CHECK_THAT(show.output, Contains("工作日 248 天"));
    CHECK_THAT(show.output, Contains("2027：临时：仅法定节假日"));
    CHECK_THAT(show.output, Contains(file.string()));
}

TEST_CASE("hcpctl calendar import refuses a damaged copy with its line, writes nothing, exit 3") {
    hcp::test::TempDir dir;
    const auto config = demo_config(dir);
    std::string text = hcp::test::read_file(hcp::test::test_data_dir() / "notices" / "2026.txt");
    text.replace(text.find("共7天"), std::string("共7天").size(), "共6天");
    hcp::test::write_file(dir / "notice.txt", text);
    auto r = hcpctl("calendar import " + q(dir / "notice.txt") + " --config " + q(config));
    INFO(r.output);
    CHECK(r.exit_code == 3);
    CHECK_THAT(r.output, Contains("notice.txt:19:"));
    CHECK_THAT(r.output, Contains("共6天"));
    CHECK_FALSE(std::filesystem::exists(dir / "calendars" / "cn-2026.toml"));
    auto dry = hcpctl("calendar import " + q(hcp::test::test_data_dir() / "notices" / "2026.txt") + " --dry-run");
    CHECK(dry.exit_code == 0);
    CHECK_THAT(dry.output, Contains("years = [2026]"));
    CHECK_THAT(dry.output, Contains("makeup_workdays = [2026-09-20, 2026-10-10]"));
}

TEST_CASE("hcpctl calendar law prints the statutory days of a year") {
    auto r = hcpctl("calendar law --from 2027 --to 2027");
    INFO(r.output);
    CHECK(r.exit_code == 0);
    CHECK_THAT(r.output, Contains("2027-01-01\t元旦"));
    CHECK_THAT(r.output, Contains("2027-02-05\t春节"));
    CHECK_THAT(r.output, Contains("2027-02-08\t春节"));
    CHECK(hcpctl("calendar law --from 2030 --to 2020").exit_code == 2);
}

TEST_CASE("hcpctl reminders lists what to call, masked, and records a call") {
    hcp::test::TempDir dir;
    const auto config_path = demo_config(dir);
    // No store yet: the command says it cannot run.
    CHECK(hcpctl("reminders --config " + q(config_path)).exit_code == 3);

    const auto config = hcp::load_config(config_path);
    const auto key = hcp::SecretKey::create_file(config.store.key_file);
    {
        hcp::StoreOptions o;
        o.path = config.store.database;
        o.device_id = config.device.id;
        o.min_free_bytes = 0;
        auto store = hcp::Store::open(o, key);
        const auto at = *hcp::parse_iso8601("2026-12-08T10:00:00+08:00");
        hcp::test::save_completed_case(store, "CALL-1", at);
        auto book = hcp::ReminderBook::open(config.store.database);
        REQUIRE(book.file({{"CALL-1", at + std::chrono::hours{24}}}, hcp::ReminderChannelKind::call_list, at) == 1);
    }
    auto list = hcpctl("reminders --config " + q(config_path));
    INFO(list.output);
    CHECK(list.exit_code == 0);
    CHECK_THAT(list.output, Contains("CALL-1  待提醒"));
    CHECK_THAT(list.output, Contains("138****1234"));
    CHECK(list.output.find("13812341234") == std::string::npos);
    CHECK_THAT(list.output, Contains("hcpctl reminders called"));
    CHECK_THAT(hcpctl("reminders --show-phone --config " + q(config_path)).output, Contains("13812341234"));

    CHECK(hcpctl("reminders called CALL-1 --config " + q(config_path)).exit_code == 0);
    CHECK(hcpctl("reminders called CALL-1 --config " + q(config_path)).exit_code == 1);  // once
    CHECK_THAT(hcpctl("reminders --config " + q(config_path)).output, Contains("没有需要处理的提醒"));
    CHECK_THAT(hcpctl("reminders --all --config " + q(config_path)).output, Contains("CALL-1  已提醒"));
}
