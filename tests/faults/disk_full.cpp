// Disk full while the hub records and uploads ratings (fault tests).
//
// Why a preload shim and not a small tmpfs or loop mount: mounting needs privileges a CI
// container usually lacks, and RLIMIT_FSIZE limits one file's size (EFBIG, SIGXFSZ) rather than
// the space all files share, and leaves statvfs — which the store's reserve reads — untouched.
// faultfs.cpp (LD_PRELOAD) makes the hub's folder a small disk for this process only: writes
// that would grow a file past the capacity fail with ENOSPC, and statvfs reports what is left.
// The run re-executes itself with the shim preloaded.
//
// Phases: ratings recorded with space → free space below the store's reserve: every rating is
// refused up front with disk_nearly_full and the screen's Chinese message, nothing written →
// the disk fills past the reserve (a store with no reserve, the WAL just truncated): commits
// meet ENOSPC/SQLITE_FULL and are rolled back whole → space returns: ratings are accepted again
// and every committed rating reaches the platform exactly once. Throughout: integrity_check ok,
// `hcpctl verify` ok (no sequence number consumed by a refused rating).
// Prints one FIG line; exits 1 on any failure.
#include <dlfcn.h>
#include <unistd.h>

#include <iostream>
#include <set>
#include <thread>

#include "fault_support.hpp"
#include "fixtures.hpp"
#include "hcp/store/outbox.hpp"
#include "platform_sim.hpp"

namespace {

using SetCapacity = void (*)(long long);
using Used = long long (*)();

struct Args {
    int ratings = 40;   // per phase with space
    int attempts = 20;  // per phase without
    std::filesystem::path workdir = "disk-full";
};

// Truncates the WAL to zero bytes so that the next commit must grow a file (a just-checkpointed
// hub); otherwise a commit may reuse WAL space and need no new block at all.
bool truncate_wal(const std::filesystem::path& db) {
    sqlite3* raw = nullptr;
    if (sqlite3_open(db.c_str(), &raw) != SQLITE_OK) return false;
    std::unique_ptr<sqlite3, decltype(&sqlite3_close)> h(raw, &sqlite3_close);
    sqlite3_busy_timeout(raw, 5000);
    return sqlite3_exec(raw, "PRAGMA wal_checkpoint(TRUNCATE)", nullptr, nullptr, nullptr) == SQLITE_OK;
}

}  // namespace

int main(int argc, char** argv) {
    using namespace std::chrono_literals;
    Args args;
    for (int i = 1; i + 1 < argc; i += 2) {
        std::string a = argv[i];
        if (a == "--ratings")
            args.ratings = std::stoi(argv[i + 1]);
        else if (a == "--attempts")
            args.attempts = std::stoi(argv[i + 1]);
        else if (a == "--workdir")
            args.workdir = argv[i + 1];
        else {
            std::cerr << "usage: hcp_disk_full [--ratings N] [--attempts N] [--workdir DIR]\n";
            return 2;
        }
    }
    const auto workdir = std::filesystem::absolute(args.workdir);
    const auto hub_dir = workdir / "hub";
    auto set_capacity = reinterpret_cast<SetCapacity>(::dlsym(RTLD_DEFAULT, "hcp_faultfs_set_capacity"));
    auto used = reinterpret_cast<Used>(::dlsym(RTLD_DEFAULT, "hcp_faultfs_used"));
    if (!set_capacity || !used) {
        // First start: prepare the folder, then run again with the shim preloaded.
        if (std::getenv("HCP_FAULTFS_DIR")) {
            std::cerr << "disk_full: the faultfs shim did not load (" << HCP_FAULTFS_PATH << ")\n";
            return 1;
        }
        std::filesystem::remove_all(workdir);
        std::filesystem::create_directories(hub_dir);
        ::setenv("LD_PRELOAD", HCP_FAULTFS_PATH, 1);
        ::setenv("HCP_FAULTFS_DIR", hub_dir.c_str(), 1);
        ::execv("/proc/self/exe", argv);
        std::perror("execv");
        return 1;
    }
    // Children (hcpctl verify) must not inherit the shim.
    ::unsetenv("LD_PRELOAD");

    const auto db = hub_dir / "hub.db";
    const auto key_file = workdir / "store.key";
    hcp::SecretKey::create_file(key_file);
    hcp::sim::SimOptions so;
    so.database = workdir / "platform.db";  // outside the small disk
    so.secret = hcp::faults::hall_secret();
    hcp::sim::PlatformSim platform(so);
    platform.start();

    hcp::test::HallFixture hall(HCP_TEST_ASSETS_DIR);
    const auto key = hcp::SecretKey::load_file(key_file);
    constexpr long long kReserve = 512 * 1024;  // the product default is 64 MiB; scaled to the small disk
    hcp::StoreOptions o;
    o.path = db;
    o.device_id = "hub-disk";
    o.min_free_bytes = kReserve;
    auto store = hcp::Store::open(o, key);
    hcp::StoreOptions no_reserve = o;
    no_reserve.min_free_bytes = 0;
    auto racing = hcp::Store::open(no_reserve, key);  // as if the disk filled after the reserve check

    hcp::Uploader up(hcp::faults::fast_config(platform.base_url()), hcp::generic_profile(), hcp::faults::hall_secret(),
                     db, hall.hall.code);
    long long store_errors = 0;
    up.set_log([&](const std::string& line) {
        if (line.rfind("store error", 0) == 0) ++store_errors;
    });
    up.start();

    int n = 0;
    long long committed = 0, refused_reserve = 0, refused_full = 0, committed_while_full = 0, other_failures = 0;
    std::string message_zh, detail_reserve, detail_full;
    auto case_no = [](int k) { return "DF-" + std::to_string(k); };
    // Rates case `k`, saving it first unless `saved`.
    auto rate_case = [&](hcp::Store& s, int k, bool saved) -> std::optional<hcp::RecordFailure> {
        const auto now = hcp::now();
        if (!saved) hcp::test::save_completed_case(s, case_no(k), now);
        auto r = s.record_rating(hcp::test::draft_for(case_no(k), k, now), hall.context());
        up.notify();
        if (r) {
            ++committed;
            return std::nullopt;
        }
        return r.error();
    };
    auto rate = [&](hcp::Store& s) { return rate_case(s, ++n, false); };

    // 1. Space.
    for (int i = 0; i < args.ratings; ++i)
        if (rate(store)) ++other_failures;
    const long long before_full = store.rating_count();

    // 2. Free space below the reserve: refused up front. (The cases of both full phases are
    // saved while there is space: saving a case would meet the full disk before the rating.)
    const int first_reserve = n + 1;
    for (int i = 0; i < args.attempts; ++i) hcp::test::save_completed_case(store, case_no(++n), hcp::now());
    const int first_saved = n + 1;
    for (int i = 0; i < args.attempts; ++i) hcp::test::save_completed_case(racing, case_no(++n), hcp::now());
    set_capacity(used() + kReserve / 2);
    for (int k = first_reserve; k < first_saved; ++k) {
        auto f = rate_case(store, k, true);
        if (!f)
            ++committed_while_full;
        else if (f->cause == hcp::RecordFailureCause::disk_nearly_full) {
            ++refused_reserve;
            message_zh = f->message_zh();
            detail_reserve = f->detail;
        } else
            ++other_failures;
    }
    const bool reserve_wrote_nothing = store.rating_count() == before_full;

    // 3. Full past the reserve: the commit itself fails and is rolled back whole.
    set_capacity(-1);
    const bool truncated = truncate_wal(db);
    set_capacity(used());
    for (int k = first_saved; k < first_saved + args.attempts; ++k) {
        auto f = rate_case(racing, k, true);
        if (!f)
            ++committed_while_full;
        else if (f->cause == hcp::RecordFailureCause::disk_nearly_full) {
            ++refused_full;
            detail_full = f->detail;
        } else
            ++other_failures;
    }
    const std::string integrity_full = hcp::faults::integrity_check(db);

    // 4. Space returns.
    set_capacity(-1);
    const auto space_back = std::chrono::steady_clock::now();
    for (int i = 0; i < args.ratings; ++i)
        if (rate(store)) ++other_failures;
    auto queue = hcp::OutboxQueue::open(db);
    long long recovered_ms = -1;
    while (hcp::faults::ms_since(space_back) < 30000) {
        if (queue.sync_state().not_uploaded == 0) {
            recovered_ms = hcp::faults::ms_since(space_back);
            break;
        }
        std::this_thread::sleep_for(10ms);
    }
    up.stop();

    const long long ratings = store.rating_count();
    const auto stats = platform.stats();
    long long lost = 0;
    std::set<std::string> ids;
    for (const auto& e : store.outbox()) {
        ids.insert(e.rating_id);
        if (platform.arrivals_of(e.rating_id) == 0) ++lost;
    }
    const long long duplicates = stats.stored - static_cast<long long>(ids.size()) + lost;
    const auto events = platform.chain_events();
    const std::string integrity = hcp::faults::integrity_check(db);
    const auto verify = hcp::faults::hcpctl_verify(db, key_file);
    platform.stop();

    const bool verify_ok = verify.value("ok", false);
    const bool message_ok = message_zh.find("存储空间不足") != std::string::npos;
    const bool ok = truncated && other_failures == 0 && refused_reserve == args.attempts && reserve_wrote_nothing &&
                    refused_full > 0 && message_ok && ratings == committed && lost == 0 && duplicates == 0 &&
                    stats.accepted == ratings && recovered_ms >= 0 && events.empty() && integrity_full == "ok" &&
                    integrity == "ok" && verify_ok;
    std::cout << "disk_full: refused below the reserve: " << detail_reserve << "\n";
    std::cout << "disk_full: refused at commit: " << detail_full << "\n";
    std::cout << "disk_full: the screen shows: " << message_zh << "\n";
    std::cout << "FIG disk_full ratings=" << ratings << " refused_reserve=" << refused_reserve
              << " refused_sqlite_full=" << refused_full << " committed_while_full=" << committed_while_full
              << " cause=disk_nearly_full"
              << " message_zh=" << (message_ok ? "ok" : "MISSING") << " lost=" << lost << " duplicates=" << duplicates
              << " accepted=" << stats.accepted << " recovered_ms=" << recovered_ms
              << " uploader_store_errors=" << store_errors << " integrity_while_full=" << integrity_full
              << " integrity=" << integrity << " verify=" << (verify_ok ? "ok" : "FAILED")
              << " other_failures=" << other_failures << '\n';
    if (!verify_ok) std::cerr << verify.dump() << '\n';
    return ok ? 0 : 1;
}
