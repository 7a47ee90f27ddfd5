// Receiver faults while ratings arrive and upload (fault tests).
//
// The reference platform injects every fault it has — server errors, connection resets,
// replies held past the uploader's timeout, garbage bodies, duplicated replies and repeated
// 429 bursts with Retry-After — while one thread records ratings (durably, as the hub does)
// and the uploader thread drains the outbox. Then the faults stop. Within a bounded time every
// rating must be stored at the platform exactly once: none lost, none stored twice, every
// outbox row acked, no gap or fork reported, the chain and the file intact.
// Prints one FIG line; exits 1 on any failure.
#include <atomic>
#include <iostream>
#include <set>
#include <thread>

#include "fault_support.hpp"
#include "fixtures.hpp"
#include "hcp/store/outbox.hpp"
#include "hcp/store/verify.hpp"
#include "platform_sim.hpp"

namespace {

struct Args {
    int ratings = 150;
    int fault_ms = 4000;
    std::filesystem::path workdir = "receiver-faults";
};

}  // namespace

int main(int argc, char** argv) {
    using namespace std::chrono_literals;
    Args args;
    for (int i = 1; i + 1 < argc; i += 2) {
        std::string a = argv[i];
        if (a == "--ratings")
            args.ratings = std::stoi(argv[i + 1]);
        else if (a == "--fault-ms")
            args.fault_ms = std::stoi(argv[i + 1]);
        else if (a == "--workdir")
            args.workdir = argv[i + 1];
        else {
            std::cerr << "usage: hcp_receiver_faults [--ratings N] [--fault-ms MS] [--workdir DIR]\n";
            return 2;
        }
    }
    std::filesystem::remove_all(args.workdir);
    std::filesystem::create_directories(args.workdir);
    const auto db = std::filesystem::absolute(args.workdir / "hub.db");
    const auto key_file = std::filesystem::absolute(args.workdir / "store.key");
    hcp::SecretKey::create_file(key_file);

    hcp::sim::SimOptions so;
    so.database = args.workdir / "platform.db";
    so.secret = hcp::faults::hall_secret();
    hcp::sim::PlatformSim platform(so);
    platform.start();

    hcp::sim::Faults faults;
    faults.error_rate = 0.15;
    faults.reset_rate = 0.1;
    faults.timeout_rate = 0.08;
    faults.timeout_ms = 1500;  // past the uploader's 1 s timeout: outcome unknown, resent
    faults.garbage_rate = 0.1;
    faults.duplicate_reply_rate = 0.25;
    faults.burst_429 = 2;
    faults.retry_after_seconds = 1;
    platform.set_faults(faults);

    hcp::test::HallFixture hall(HCP_TEST_ASSETS_DIR);
    hcp::StoreOptions o;
    o.path = db;
    o.device_id = "hub-faults";
    o.min_free_bytes = 0;
    auto store = hcp::Store::open(o, hcp::SecretKey::load_file(key_file));
    const auto config = hcp::faults::fast_config(platform.base_url());
    hcp::Uploader up(config, hcp::generic_profile(), hcp::faults::hall_secret(), db, hall.hall.code);
    long long log_lines = 0;
    up.set_log([&](const std::string&) { ++log_lines; });  // the uploader thread only
    up.start();

    // Ratings arrive spread over the fault period while the platform misbehaves; a 429 burst
    // is re-armed every 2.5 s (each one costs the uploader a Retry-After of 1 s).
    const auto started = std::chrono::steady_clock::now();
    const auto gap = std::chrono::milliseconds{std::max(1, args.fault_ms / std::max(1, args.ratings))};
    int refused = 0;
    auto last_burst = started;
    for (int n = 1; n <= args.ratings; ++n) {
        const std::string case_no = "RF-" + std::to_string(n);
        const auto now = hcp::now();
        hcp::test::save_completed_case(store, case_no, now);
        if (!store.record_rating(hcp::test::draft_for(case_no, n, now), hall.context())) ++refused;
        up.notify();
        if (std::chrono::steady_clock::now() - last_burst > 2500ms) {
            faults.burst_429 = 2;
            platform.set_faults(faults);
            last_burst = std::chrono::steady_clock::now();
        }
        std::this_thread::sleep_for(gap);
    }
    while (hcp::faults::ms_since(started) < args.fault_ms) std::this_thread::sleep_for(20ms);
    const auto during = platform.stats();

    // The faults stop: everything must be through within the bound (the longest backoff, a
    // Retry-After, a timed-out request, and ample time to drain what is left).
    platform.set_faults({});
    const auto calm = std::chrono::steady_clock::now();
    const long long bound_ms = config.backoff_max_ms + config.max_retry_after_seconds * 1000LL +
                               (config.timeout_seconds + config.connect_timeout_seconds) * 1000LL + 20000;
    auto queue = hcp::OutboxQueue::open(db);
    long long settle_ms = -1;
    while (hcp::faults::ms_since(calm) < bound_ms) {
        if (queue.sync_state().not_uploaded == 0) {
            settle_ms = hcp::faults::ms_since(calm);
            break;
        }
        std::this_thread::sleep_for(10ms);
    }
    up.stop();

    const long long ratings = store.rating_count();
    const auto stats = platform.stats();
    long long lost = 0, resent = 0;
    std::set<std::string> ids;
    for (const auto& e : store.outbox()) {
        ids.insert(e.rating_id);
        const long long n = platform.arrivals_of(e.rating_id);
        if (n == 0)
            ++lost;
        else
            resent += n - 1;
    }
    long long accepted_once = 0;
    for (const auto& a : platform.arrivals(o.device_id))
        if (a.status == "accepted" && ids.count(a.id)) ++accepted_once;
    const long long duplicates = stats.stored - accepted_once;  // stored beyond one per rating
    const auto sync = queue.sync_state();
    const auto events = platform.chain_events();
    const auto integrity = hcp::faults::integrity_check(db);
    const auto verify = hcp::faults::hcpctl_verify(db, key_file);
    platform.stop();

    const bool verify_ok = verify.value("ok", false);
    const bool ok = refused == 0 && ratings == args.ratings && lost == 0 && duplicates == 0 &&
                    accepted_once == ratings && stats.accepted == ratings && sync.not_uploaded == 0 &&
                    sync.uploaded == ratings && settle_ms >= 0 && events.empty() && integrity == "ok" && verify_ok &&
                    during.faults >= 5;
    std::cout << "FIG receiver_faults ratings=" << ratings << " accepted_once=" << accepted_once
              << " duplicates=" << duplicates << " lost=" << lost << " settle_ms=" << settle_ms
              << " bound_ms=" << bound_ms << " fault_ms=" << args.fault_ms << " requests=" << stats.requests
              << " faults_injected=" << during.faults << " resent=" << resent << " log_lines=" << log_lines
              << " chain_events=" << events.size() << " integrity=" << integrity
              << " verify=" << (verify_ok ? "ok" : "FAILED") << '\n';
    if (!verify_ok) std::cerr << verify.dump() << '\n';
    return ok ? 0 : 1;
}
