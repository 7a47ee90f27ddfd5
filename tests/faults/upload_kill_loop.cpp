// kill -9 of a hub while ratings arrive and upload (fault tests).
//
// The reference platform runs in this (parent) process. A child process plays the hub: one
// thread records ratings, the uploader thread drains the outbox to the platform. The parent
// kills the child with SIGKILL at random moments, starts a new one, and repeats. At the end a
// last child drains what is left without being killed. Then: every rating committed in the
// hub's database is stored at the platform exactly once (no loss, no duplicate stored), every
// outbox row is acked, the chain verifies, PRAGMA integrity_check is ok and the platform saw no
// gap or fork. Prints one FIG line; exits 1 on any failure.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstring>
#include <iostream>
#include <random>
#include <thread>

#include "fixtures.hpp"
#include "hcp/store/outbox.hpp"
#include "hcp/store/verify.hpp"
#include "hcp/upload/upload.hpp"
#include "platform_sim.hpp"

namespace {

hcp::SecretKey hall_secret() {
    std::array<std::uint8_t, hcp::SecretKey::kSize> b{};
    for (size_t i = 0; i < b.size(); ++i) b[i] = static_cast<std::uint8_t>(i * 7 + 1);
    return hcp::SecretKey::from_bytes(b);
}

hcp::UploadConfig config(const std::string& url) {
    hcp::UploadConfig c;
    c.base_url = url;
    c.batch_size = 20;
    c.timeout_seconds = 5;
    c.backoff_base_ms = 5;
    c.backoff_max_ms = 50;
    return c;
}

// The hub child: records ratings (unless `write` is false) while the uploader drains.
int run_hub(const std::filesystem::path& db, const std::filesystem::path& key_file, const std::string& url,
            bool write) {
    hcp::test::HallFixture hall(HCP_TEST_ASSETS_DIR);
    hcp::StoreOptions o;
    o.path = db;
    o.device_id = "hub-kill";
    o.min_free_bytes = 0;
    auto store = hcp::Store::open(o, hcp::SecretKey::load_file(key_file));
    hcp::Uploader up(config(url), hcp::generic_profile(), hall_secret(), db, "DEMO-0001");
    up.set_log([](const std::string&) {});
    if (!write) {
        for (int i = 0; i < 2000; ++i) {
            auto r = up.drain_once();
            if (hcp::OutboxQueue::open(db).sync_state().not_uploaded == 0) return 0;
            if (r.stopped_on_error) std::this_thread::sleep_for(std::chrono::milliseconds{50});
        }
        return 1;
    }
    up.start();
    std::string prefix = "CASE-" + std::to_string(::getpid()) + "-";
    for (int n = 1;; ++n) {
        std::string case_no = prefix + std::to_string(n);
        auto now = hcp::now();
        hcp::test::save_completed_case(store, case_no, now);
        auto r = store.record_rating(hcp::test::draft_for(case_no, n, now), hall.context());
        if (!r) return 1;
        up.notify();
        std::this_thread::sleep_for(std::chrono::milliseconds{2});
    }
}

}  // namespace

int main(int argc, char** argv) {
    if (argc == 6 && std::strcmp(argv[1], "--hub") == 0)
        return run_hub(argv[2], argv[3], argv[4], std::strcmp(argv[5], "write") == 0);
    int kills = 10;
    std::filesystem::path workdir = "upload-kill-loop";
    for (int i = 1; i + 1 < argc; i += 2) {
        std::string a = argv[i];
        if (a == "--kills")
            kills = std::stoi(argv[i + 1]);
        else if (a == "--workdir")
            workdir = argv[i + 1];
        else {
            std::cerr << "usage: hcp_upload_kill_loop [--kills N] [--workdir DIR]\n";
            return 2;
        }
    }
    std::filesystem::remove_all(workdir);
    std::filesystem::create_directories(workdir);
    auto db = std::filesystem::absolute(workdir / "hub.db");
    auto key_file = std::filesystem::absolute(workdir / "store.key");
    hcp::SecretKey::create_file(key_file);

    hcp::sim::SimOptions so;
    so.database = workdir / "platform.db";
    so.secret = hall_secret();
    hcp::sim::PlatformSim platform(so);
    platform.start();
    {
        hcp::sim::Faults f;
        f.latency_ms = 5;  // widen the window between "stored at the platform" and "acked at the hub"
        platform.set_faults(f);
    }
    const std::string url = platform.base_url();
    std::mt19937 rng(42);
    std::uniform_int_distribution<int> delay(30, 400);
    auto spawn = [&](bool write) {
        pid_t pid = ::fork();
        if (pid == 0) {
            ::execl("/proc/self/exe", argv[0], "--hub", db.c_str(), key_file.c_str(), url.c_str(),
                    write ? "write" : "drain", static_cast<char*>(nullptr));
            ::_exit(127);
        }
        return pid;
    };
    for (int k = 0; k < kills; ++k) {
        pid_t pid = spawn(true);
        std::this_thread::sleep_for(std::chrono::milliseconds{delay(rng)});
        ::kill(pid, SIGKILL);
        int status = 0;
        ::waitpid(pid, &status, 0);
    }
    platform.set_faults({});
    pid_t last = spawn(false);
    int status = 0;
    ::waitpid(last, &status, 0);
    bool drained = WIFEXITED(status) && WEXITSTATUS(status) == 0;

    auto store = hcp::Store::open_read_only(db, hcp::SecretKey::load_file(key_file));
    const long long ratings = store.rating_count();
    auto stats = platform.stats();
    long long missing = 0, stored_twice = 0, resent = 0;
    for (const auto& e : store.outbox()) {
        long long n = platform.arrivals_of(e.rating_id);
        if (n == 0) ++missing;
        if (n > 1) resent += n - 1;
    }
    stored_twice = stats.stored - (ratings - missing);  // ids are unique at the platform by construction
    auto report = hcp::verify_store(db, hcp::SecretKey::load_file(key_file));
    auto sync = hcp::OutboxQueue::open(db).sync_state();
    auto events = platform.chain_events();
    platform.stop();
    bool ok = drained && missing == 0 && stored_twice == 0 && stats.accepted == ratings && report.ok() &&
              sync.not_uploaded == 0 && events.empty() && ratings > 0;
    std::cout << "FIG upload_kill_loop kills=" << kills << " ratings=" << ratings << " lost=" << missing
              << " duplicates_at_receiver=" << stored_twice << " accepted=" << stats.accepted << " resent=" << resent
              << " chain_events=" << events.size() << " verify=" << (report.ok() ? "ok" : "FAILED")
              << " integrity=" << (report.ok() ? "ok" : "see verify") << " not_uploaded=" << sync.not_uploaded << '\n';
    return ok ? 0 : 1;
}
