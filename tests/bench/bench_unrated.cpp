// Unrated cases after a calendar reload, one line per figure: "name value unit". Run by
// `./dev bench`.
//
//   calendar load (shipped notices + the law for 2025–2099), the law alone for one year
//   a maintenance pass over N pending unrated cases with the old calendar and again after a
//   reload that imports a notice (every deadline is recomputed from the completion time and
//   the reminder facts; nothing is stored per deadline), per case
//   the same pass with the reminders filed (the facts read from the reminder book)
//
// The work directory must be on the disk the product uses.
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>

#include "fixtures.hpp"
#include "hcp/domain/calendar_sources.hpp"
#include "hcp/domain/statutory.hpp"
#include "hcp/store/store.hpp"
#include "hcp/store/unrated.hpp"

namespace {

using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point t) {
    return std::chrono::duration<double, std::milli>(Clock::now() - t).count();
}

}  // namespace

int main(int argc, char** argv) {
    std::filesystem::path workdir = "var/bench-unrated";
    int n = 100000;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (std::strcmp(argv[i], "--workdir") == 0) workdir = argv[i + 1];
        if (std::strcmp(argv[i], "--cases") == 0) n = std::stoi(argv[i + 1]);
    }
    std::filesystem::remove_all(workdir);
    std::filesystem::create_directories(workdir);
    const auto assets = std::filesystem::path(HCP_TEST_ASSETS_DIR);

    hcp::CalendarConfig cfg;
    cfg.shipped_dir = assets / "calendars";
    cfg.local_dir = workdir / "calendars";
    auto t = Clock::now();
    const auto loaded = hcp::load_hall_calendar(cfg);
    std::printf("calendar_load_ms %.1f ms\n", ms_since(t));
    t = Clock::now();
    for (int i = 0; i < 100; ++i) (void)hcp::statutory_days(2027);
    std::printf("statutory_year_us %.1f us\n", ms_since(t) * 1000.0 / 100);

    hcp::test::HallFixture hall(assets);
    hcp::StoreOptions o;
    o.path = workdir / "hub.db";
    o.device_id = "hub-01";
    o.durability = hcp::Durability::off_for_fixtures;  // filling only; the pass reads
    o.min_free_bytes = 0;
    auto store = hcp::Store::open(o, hcp::SecretKey::random());
    // Completed on 2026-12-28 around 10:00: Tai'an's default falls into 2027 (provisional).
    const auto completed = *hcp::parse_iso8601("2026-12-28T10:00:00+08:00");
    for (int i = 0; i < n; ++i)
        hcp::test::save_completed_case(store, "U-" + std::to_string(i), completed + std::chrono::seconds{i % 3600});
    auto book = hcp::ReminderBook::open(o.path);
    const auto policy = hcp::UnratedPolicy::taian();
    const auto now = *hcp::parse_iso8601("2026-12-28T12:00:00+08:00");  // nothing due: a pure recount

    t = Clock::now();
    auto run = hcp::process_unrated_cases(store, book, hall.context(), loaded.calendar, policy, std::nullopt, now);
    const double before = ms_since(t);
    std::printf("unrated_pass_%d_cases_ms %.0f ms\n", n, before);
    std::printf("unrated_pass_per_case_us %.2f us\n", before * 1000.0 / n);
    std::printf("unrated_pass_pending %d cases\n", run.not_yet_due + run.waiting_for_reminder);

    // The 2027 notice arrives: a reload, then the same pass with the new calendar.
    std::filesystem::create_directories(cfg.local_dir);
    {
        std::FILE* f = std::fopen((cfg.local_dir / "cn-2027.toml").c_str(), "w");
        std::fputs(
            "[calendar]\nname = \"bench\"\nsource = \"bench\"\nyears = [2027]\n[[holiday]]\nname = \"元旦\"\n"
            "first = 2027-01-01\nlast = 2027-01-03\n",
            f);
        std::fclose(f);
    }
    t = Clock::now();
    const auto reloaded = hcp::load_hall_calendar(cfg);
    std::printf("calendar_reload_ms %.1f ms\n", ms_since(t));
    t = Clock::now();
    run = hcp::process_unrated_cases(store, book, hall.context(), reloaded.calendar, policy, std::nullopt, now);
    const double after = ms_since(t);
    std::printf("unrated_recount_after_reload_%d_cases_ms %.0f ms\n", n, after);
    std::printf("unrated_recount_ratio_after_before %.2f x\n", after / before);

    // With reminders filed (the facts come from the reminder book too).
    const auto later = *hcp::parse_iso8601("2026-12-29T12:00:00+08:00");
    run = hcp::process_unrated_cases(store, book, hall.context(), reloaded.calendar, policy,
                                     hcp::ReminderChannelKind::call_list, later);
    t = Clock::now();
    run = hcp::process_unrated_cases(store, book, hall.context(), reloaded.calendar, policy,
                                     hcp::ReminderChannelKind::call_list, later);
    std::printf("unrated_pass_with_reminders_%d_cases_ms %.0f ms\n", n, ms_since(t));
    std::printf("reminders_filed %lld\n", book.counts()[hcp::ReminderState::pending]);
    std::filesystem::remove_all(workdir);
    return 0;
}
