// kill -9 crash loop (reference/anchors-reliability.md, test T1).
//
// A writer child records ratings as fast as it can and prints "ACK <id>" only after the store
// has committed each one. The parent kills it with SIGKILL at a random moment, then checks:
// every acknowledged rating is in the database, the database passes SQLite's integrity check,
// and every chain verifies (gapless sequence, hashes, MACs). Ratings committed but never
// acknowledged (killed between COMMIT and the print) are counted as indeterminate: allowed,
// the citizen simply did not see the thank-you. Prints one FIG line; exits 1 on any loss.
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "fixtures.hpp"
#include "hcp/store/store.hpp"
#include "hcp/store/verify.hpp"

namespace {

int run_writer(const std::filesystem::path& db, const std::filesystem::path& key_file) {
    hcp::test::HallFixture hall(HCP_TEST_ASSETS_DIR);
    auto key = hcp::SecretKey::load_file(key_file);
    hcp::StoreOptions o;
    o.path = db;
    o.device_id = "crash-writer";
    o.min_free_bytes = 0;
    auto store = hcp::Store::open(o, key);
    std::string prefix = "CASE-" + std::to_string(::getpid()) + "-";
    for (int n = 1;; ++n) {
        std::string case_no = prefix + std::to_string(n);
        auto now = hcp::now();
        hcp::test::save_completed_case(store, case_no, now);
        auto r = store.record_rating(hcp::test::draft_for(case_no, n, now), hall.context());
        if (!r) {
            std::fprintf(stderr, "writer: refused: %s\n", r.error().detail.c_str());
            return 1;
        }
        // write(2) straight to the pipe: nothing buffered in this process can be lost at kill.
        std::string line = "ACK " + r.value().id + "\n";
        if (::write(STDOUT_FILENO, line.data(), line.size()) < 0) return 1;
    }
}

struct Args {
    int kills = 12;
    std::filesystem::path workdir = "crash-loop";
    int min_ms = 20;
    int max_ms = 150;
};

}  // namespace

int main(int argc, char** argv) {
    if (argc == 4 && std::strcmp(argv[1], "--writer") == 0) return run_writer(argv[2], argv[3]);
    Args args;
    for (int i = 1; i + 1 < argc; i += 2) {
        std::string a = argv[i];
        if (a == "--kills")
            args.kills = std::stoi(argv[i + 1]);
        else if (a == "--workdir")
            args.workdir = argv[i + 1];
        else if (a == "--min-ms")
            args.min_ms = std::stoi(argv[i + 1]);
        else if (a == "--max-ms")
            args.max_ms = std::stoi(argv[i + 1]);
        else {
            std::cerr << "usage: hcp_crash_loop [--kills N] [--workdir DIR] [--min-ms A --max-ms B]\n";
            return 2;
        }
    }
    std::filesystem::remove_all(args.workdir);
    std::filesystem::create_directories(args.workdir);
    auto db = std::filesystem::absolute(args.workdir / "crash.db");
    auto key_file = std::filesystem::absolute(args.workdir / "store.key");
    auto key = hcp::SecretKey::create_file(key_file);

    std::mt19937 rng(12345);
    std::uniform_int_distribution<int> delay(args.min_ms, args.max_ms);
    std::set<std::string> acked;
    long long lost = 0, integrity_failures = 0, chain_failures = 0;
    auto started = std::chrono::steady_clock::now();

    for (int k = 0; k < args.kills; ++k) {
        int fds[2];
        if (::pipe(fds) != 0) return 3;
        pid_t pid = ::fork();
        if (pid < 0) return 3;
        if (pid == 0) {
            ::dup2(fds[1], STDOUT_FILENO);
            ::close(fds[0]);
            ::close(fds[1]);
            execl(argv[0], argv[0], "--writer", db.c_str(), key_file.c_str(), static_cast<char*>(nullptr));
            _exit(127);
        }
        ::close(fds[1]);
        ::usleep(static_cast<useconds_t>(delay(rng)) * 1000);
        ::kill(pid, SIGKILL);
        // Read every acknowledgement the writer managed to print before it died.
        std::string out;
        char buf[4096];
        ssize_t n = 0;
        while ((n = ::read(fds[0], buf, sizeof buf)) > 0) out.append(buf, static_cast<size_t>(n));
        ::close(fds[0]);
        int status = 0;
        ::waitpid(pid, &status, 0);
        size_t pos = 0;
        while ((pos = out.find("ACK ", pos)) != std::string::npos) {
            auto end = out.find('\n', pos);
            if (end == std::string::npos) break;  // a torn line was never fully acknowledged
            acked.insert(out.substr(pos + 4, end - pos - 4));
            pos = end + 1;
        }

        auto report = hcp::verify_store(db, key);
        for (const auto& f : report.findings) {
            if (f.kind == hcp::TamperKind::integrity)
                ++integrity_failures;
            else
                ++chain_failures;
            std::cerr << "after kill " << k + 1 << ": " << f.describe() << '\n';
        }
    }
    auto store = hcp::Store::open_read_only(db, key);
    for (const auto& id : acked)
        if (!store.find_rating(id)) ++lost;
    long long committed = store.rating_count();
    double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    long long indeterminate = committed - static_cast<long long>(acked.size()) + lost;
    std::printf(
        "FIG T1 kills=%d acked=%zu committed=%lld indeterminate=%lld lost=%lld integrity=%s chain=%s secs=%.1f\n",
        args.kills, acked.size(), committed, indeterminate, lost, integrity_failures == 0 ? "ok" : "FAILED",
        chain_failures == 0 ? "ok" : "FAILED", secs);
    bool pass = lost == 0 && integrity_failures == 0 && chain_failures == 0 && !acked.empty();
    if (acked.empty()) std::printf("no rating was acknowledged: the writer never got going (check stderr)\n");
    std::printf("%d passed, %d failed\n", pass ? 1 : 0, pass ? 0 : 1);
    return pass ? 0 : 1;
}
