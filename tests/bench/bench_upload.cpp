// Upload bench: drain a backlog of ratings to the reference platform on loopback.
// Prints one line per figure, "name value unit"; never asserts on time.
//
// The platform runs in this process; the drain runs in a child process (this binary with
// --drain) so that its peak memory (ru_maxrss from wait4) is the uploader's alone.
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <iostream>
#include <thread>

#include "fixtures.hpp"
#include "hcp/store/outbox.hpp"
#include "hcp/upload/upload.hpp"
#include "platform_sim.hpp"

namespace {

hcp::SecretKey hall_secret() {
    std::array<std::uint8_t, hcp::SecretKey::kSize> b{};
    b.fill(0x5a);
    return hcp::SecretKey::from_bytes(b);
}

int drain(const std::filesystem::path& db, const std::string& url, int batch) {
    hcp::UploadConfig c;
    c.base_url = url;
    c.batch_size = batch;
    hcp::Uploader up(c, hcp::generic_profile(), hall_secret(), db, "DEMO-0001");
    for (int i = 0; i < 100000; ++i) {
        auto r = up.drain_once();
        if (!r.stopped_on_error && r.requests == 0) break;
        if (r.stopped_on_error) std::this_thread::sleep_for(std::chrono::milliseconds{20});
    }
    return hcp::OutboxQueue::open(db).sync_state().not_uploaded == 0 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc == 5 && std::strcmp(argv[1], "--drain") == 0) return drain(argv[2], argv[3], std::stoi(argv[4]));
    int n = 100000, batch = 500;
    std::filesystem::path workdir = "var/bench-upload";
    for (int i = 1; i + 1 < argc; i += 2) {
        std::string a = argv[i];
        if (a == "--ratings")
            n = std::stoi(argv[i + 1]);
        else if (a == "--batch")
            batch = std::stoi(argv[i + 1]);
        else if (a == "--workdir")
            workdir = argv[i + 1];
    }
    std::filesystem::remove_all(workdir);
    std::filesystem::create_directories(workdir);
    auto db = std::filesystem::absolute(workdir / "hub.db");
    {
        hcp::test::HallFixture hall(HCP_TEST_ASSETS_DIR);
        hcp::StoreOptions o;
        o.path = db;
        o.device_id = "hub-bench";
        o.durability = hcp::Durability::off_for_fixtures;
        o.min_free_bytes = 0;
        auto store = hcp::Store::open(o, hcp::SecretKey::random());
        auto t0 = hcp::now() - std::chrono::hours{24 * 30};
        for (int i = 1; i <= n; ++i) hcp::test::add_rated_case(store, hall, i, t0 + std::chrono::seconds{i});
    }
    hcp::sim::SimOptions so;
    so.database = workdir / "platform.db";
    so.secret = hall_secret();
    hcp::sim::PlatformSim platform(so);
    platform.start();
    const std::string url = platform.base_url();
    auto start = std::chrono::steady_clock::now();
    pid_t pid = ::fork();
    if (pid == 0) {
        ::execl("/proc/self/exe", argv[0], "--drain", db.c_str(), url.c_str(), std::to_string(batch).c_str(),
                static_cast<char*>(nullptr));
        ::_exit(127);
    }
    int status = 0;
    struct rusage ru {};
    ::wait4(pid, &status, 0, &ru);
    double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    auto stats = platform.stats();
    platform.stop();
    bool ok = WIFEXITED(status) && WEXITSTATUS(status) == 0 && stats.accepted == n;
    std::cout << "upload_drain_ratings " << n << " ratings\n"
              << "upload_drain_batch " << batch << " ratings\n"
              << "upload_drain_time " << seconds << " s\n"
              << "upload_drain_rate " << static_cast<double>(n) / seconds << " ratings/s\n"
              << "upload_requests " << stats.requests << " requests\n"
              << "upload_peak_rss " << static_cast<double>(ru.ru_maxrss) / 1024.0 << " MiB\n"
              << "upload_accepted_at_platform " << stats.accepted << " ratings\n";
    if (!ok) std::cerr << "bench_upload: the drain did not complete\n";
    return ok ? 0 : 1;
}
