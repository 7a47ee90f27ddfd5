// Wall-clock jumps while the hub records and uploads ratings (fault tests).
//
// The hub runs in a child process under libfaketime (Debian package faketime): its wall clock
// follows an offset file the parent rewrites — minutes forward and back (inside the platform's
// 300 s replay window), then hours back, days back, days forward, and back to true time, which
// is a two-day step backwards. The monotonic clock is left real (FAKETIME_DONT_FAKE_MONOTONIC),
// as on a machine whose clock is stepped. The reference platform runs in this process on the
// true clock.
//
// Checks: every rating is stored at the platform exactly once, in seq order with an unbroken
// hash chain and no gap or fork reported (seq is the order; tapped_at goes backwards at the
// jumps and the platform accepts that); while the hub's clock is outside the replay window the
// admin's sync state names the skew ("the hub clock is 3 h 0 min behind …") and nothing is
// lost; after the last (backward) jump the uploader is not stalled by rows scheduled with the
// old clock: the backlog settles within a bound of seconds. `hcpctl verify` and integrity_check
// pass. Prints one FIG line; exits 1 on failure, 77 (skipped) when libfaketime is missing.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <iostream>
#include <map>
#include <thread>

#include "fault_support.hpp"
#include "fixtures.hpp"
#include "hcp/store/outbox.hpp"
#include "platform_sim.hpp"

namespace {

using namespace std::chrono_literals;

// The hub child: records a rating every 15 ms until `stop-recording` appears (then writes
// `recording-stopped`), keeps uploading until `stop` appears.
int run_hub(const std::filesystem::path& db, const std::filesystem::path& key_file, const std::string& url,
            const std::filesystem::path& workdir) {
    hcp::test::HallFixture hall(HCP_TEST_ASSETS_DIR);
    hcp::StoreOptions o;
    o.path = db;
    o.device_id = "hub-clock";
    o.min_free_bytes = 0;
    auto store = hcp::Store::open(o, hcp::SecretKey::load_file(key_file));
    hcp::Uploader up(hcp::faults::fast_config(url), hcp::generic_profile(), hcp::faults::hall_secret(), db,
                     hall.hall.code);
    up.set_log([](const std::string& line) { std::cerr << "hub: " << line << '\n'; });
    up.start();
    for (int n = 1; !std::filesystem::exists(workdir / "stop-recording"); ++n) {
        const std::string case_no = "CJ-" + std::to_string(n);
        const auto now = hcp::now();
        hcp::test::save_completed_case(store, case_no, now);
        if (!store.record_rating(hcp::test::draft_for(case_no, n, now), hall.context())) return 1;
        up.notify();
        std::this_thread::sleep_for(15ms);
    }
    std::ofstream(workdir / "recording-stopped").put('\n');
    while (!std::filesystem::exists(workdir / "stop")) std::this_thread::sleep_for(20ms);
    up.stop();
    return 0;
}

void set_offset(const std::filesystem::path& rc, long long seconds) {
    auto tmp = rc;
    tmp += ".tmp";
    {
        std::ofstream f(tmp);
        f << (seconds >= 0 ? "+" : "") << seconds << '\n';
    }
    std::filesystem::rename(tmp, rc);  // libfaketime never reads a half-written file
}

}  // namespace

int main(int argc, char** argv) {
    if (argc == 6 && std::strcmp(argv[1], "--hub") == 0) return run_hub(argv[2], argv[3], argv[4], argv[5]);
    int phase_ms = 1200, cycles = 1;
    std::filesystem::path workdir = "clock-jumps";
    for (int i = 1; i + 1 < argc; i += 2) {
        std::string a = argv[i];
        if (a == "--phase-ms")
            phase_ms = std::stoi(argv[i + 1]);
        else if (a == "--cycles")
            cycles = std::stoi(argv[i + 1]);
        else if (a == "--workdir")
            workdir = argv[i + 1];
        else {
            std::cerr << "usage: hcp_clock_jumps [--phase-ms MS] [--cycles N] [--workdir DIR]\n";
            return 2;
        }
    }
    if (!std::filesystem::exists(HCP_LIBFAKETIME)) {
        std::cerr << "clock_jumps: " << HCP_LIBFAKETIME
                  << " missing: install the Debian package faketime (./dev deps)\n";
        return 77;
    }
    workdir = std::filesystem::absolute(workdir);
    std::filesystem::remove_all(workdir);
    std::filesystem::create_directories(workdir);
    const auto db = workdir / "hub.db";
    const auto key_file = workdir / "store.key";
    const auto rc = workdir / "faketime.rc";
    hcp::SecretKey::create_file(key_file);
    set_offset(rc, 0);

    hcp::sim::SimOptions so;
    so.database = workdir / "platform.db";
    so.secret = hcp::faults::hall_secret();
    hcp::sim::PlatformSim platform(so);
    platform.start();
    const std::string url = platform.base_url();

    pid_t pid = ::fork();
    if (pid == 0) {
        ::setenv("LD_PRELOAD", HCP_LIBFAKETIME, 1);
        ::setenv("FAKETIME_TIMESTAMP_FILE", rc.c_str(), 1);
        ::setenv("FAKETIME_NO_CACHE", "1", 1);
        ::setenv("FAKETIME_DONT_FAKE_MONOTONIC", "1", 1);
        ::execl("/proc/self/exe", argv[0], "--hub", db.c_str(), key_file.c_str(), url.c_str(), workdir.c_str(),
                static_cast<char*>(nullptr));
        ::_exit(127);
    }

    // Minutes (inside the 300 s replay window), then hours and days (outside it).
    const long long kHour = 3600, kDay = 86400;
    const std::vector<long long> schedule = {0, 120, -240, 0, -3 * kHour, 0, -2 * kDay, 2 * kDay, 0};
    std::this_thread::sleep_for(std::chrono::milliseconds{phase_ms});  // the hub starts and records
    bool skew_error_seen = false;
    std::string skew_error;
    int phases = 0;
    auto not_uploaded = [&]() -> long long {
        try {
            return hcp::OutboxQueue::open(db).sync_state().not_uploaded;
        } catch (const std::exception&) {
            return -1;  // the hub holds the write lock for a moment; ask again
        }
    };
    // settle: from the last step (two days back to true time) until the backlog first empties.
    std::chrono::steady_clock::time_point last_step;
    long long settle_ms = -1;
    for (int c = 0; c < cycles; ++c)
        for (size_t p = 0; p < schedule.size(); ++p) {
            const long long offset = schedule[p];
            set_offset(rc, offset);
            ++phases;
            const auto start = std::chrono::steady_clock::now();
            const bool last = c + 1 == cycles && p + 1 == schedule.size();
            if (last) last_step = start;
            while (hcp::faults::ms_since(start) < phase_ms) {
                std::this_thread::sleep_for(20ms);
                if (last && settle_ms < 0 && not_uploaded() == 0) settle_ms = hcp::faults::ms_since(last_step);
                if ((offset > 300 || offset < -300) && !last) {
                    try {
                        auto e = hcp::OutboxQueue::open(db).sync_state().last_error;
                        if (e.find("hub clock is") != std::string::npos) {
                            skew_error_seen = true;
                            skew_error = e;
                        }
                    } catch (const std::exception&) {
                        // the hub holds the write lock for a moment; the next poll reads it
                    }
                }
            }
        }
    // Recording stops; everything recorded must be uploaded (and the settle time known) within 30 s.
    std::ofstream(workdir / "stop-recording").put('\n');
    const auto wind_down = std::chrono::steady_clock::now();
    while (!std::filesystem::exists(workdir / "recording-stopped") && hcp::faults::ms_since(wind_down) < 10000)
        std::this_thread::sleep_for(20ms);
    bool drained = false;
    while (hcp::faults::ms_since(wind_down) < 30000) {
        if (not_uploaded() == 0) {
            if (settle_ms < 0) settle_ms = hcp::faults::ms_since(last_step);
            drained = true;
            break;
        }
        std::this_thread::sleep_for(20ms);
    }
    std::ofstream(workdir / "stop").put('\n');
    int status = 0;
    for (int i = 0; i < 200 && ::waitpid(pid, &status, WNOHANG) == 0; ++i) std::this_thread::sleep_for(50ms);
    if (::waitpid(pid, &status, WNOHANG) == 0) {
        ::kill(pid, SIGKILL);
        ::waitpid(pid, &status, 0);
    }
    const bool hub_ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;

    // The hub's chain in seq order against what the platform holds.
    auto store = hcp::Store::open_read_only(db, hcp::SecretKey::load_file(key_file));
    auto hub = store.ratings_between(hcp::TimePoint{}, hcp::now() + std::chrono::hours{24 * 365});
    const auto arrived = platform.arrivals("hub-clock");
    long long lost = 0, reordered = 0, backwards = 0, tapped_backwards = 0;
    std::map<std::string, const hcp::sim::Arrival*> by_id;
    for (const auto& a : arrived) by_id[a.id] = &a;
    for (size_t i = 0; i < hub.size(); ++i) {
        auto it = by_id.find(hub[i].id);
        if (it == by_id.end())
            ++lost;
        else if (it->second->seq != hub[i].seq || it->second->hash != hub[i].hash)
            ++reordered;
        if (i > 0 && hub[i].tapped_at < hub[i - 1].tapped_at) ++tapped_backwards;
    }
    for (size_t i = 1; i < arrived.size(); ++i) {
        if (arrived[i].seq != arrived[i - 1].seq + 1 || arrived[i].prev_hash != arrived[i - 1].hash) ++reordered;
        auto a = hcp::parse_iso8601(arrived[i - 1].tapped_at), b = hcp::parse_iso8601(arrived[i].tapped_at);
        if (a && b && *b < *a) ++backwards;
    }
    const auto stats = platform.stats();
    const long long duplicates = stats.stored - static_cast<long long>(arrived.size());
    long long not_accepted = 0;
    for (const auto& a : arrived)
        if (a.status != "accepted") ++not_accepted;
    const auto events = platform.chain_events();
    const std::string integrity = hcp::faults::integrity_check(db);
    const auto verify = hcp::faults::hcpctl_verify(db, key_file);
    platform.stop();

    const bool verify_ok = verify.value("ok", false);
    const long long ratings = static_cast<long long>(hub.size());
    const bool ok = hub_ok && ratings > 0 && lost == 0 && reordered == 0 && duplicates == 0 && not_accepted == 0 &&
                    static_cast<long long>(arrived.size()) == ratings && stats.accepted == ratings &&
                    tapped_backwards > 0 && backwards == tapped_backwards && skew_error_seen && drained &&
                    settle_ms >= 0 && events.empty() && integrity == "ok" && verify_ok;
    std::cout << "clock_jumps: the admin saw: " << skew_error << '\n';
    std::cout << "FIG clock_jumps phases=" << phases << " ratings=" << ratings << " accepted=" << stats.accepted
              << " lost=" << lost << " duplicates=" << duplicates << " reordered=" << reordered
              << " tapped_at_backwards=" << tapped_backwards << " platform_tapped_at_backwards=" << backwards
              << " skew_error_seen=" << (skew_error_seen ? 1 : 0) << " auth_refusals=" << stats.auth_failures
              << " settle_ms=" << settle_ms << " chain_events=" << events.size() << " integrity=" << integrity
              << " verify=" << (verify_ok ? "ok" : "FAILED") << " hub_exit=" << (hub_ok ? "ok" : "FAILED") << '\n';
    if (!verify_ok) std::cerr << verify.dump() << '\n';
    return ok ? 0 : 1;
}
