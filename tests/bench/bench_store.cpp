// Store benchmarks, one line per figure: "name value unit". Run by `./dev bench`.
//
//   insert latency p50/p99 with synchronous=FULL (record_rating only; the case is saved before)
//   the same with synchronous=OFF, and the FULL/OFF ratio (what durability costs)
//   sustained ratings/s with FULL, including saving the case (the hub's real flow)
//   verify time for 100k ratings, with and without the key (MAC check)
//   database size per rating
//
// The work directory must be on the disk the product uses: fsync on tmpfs costs nothing.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "fixtures.hpp"
#include "hcp/store/store.hpp"
#include "hcp/store/verify.hpp"

namespace {

using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point t) {
    return std::chrono::duration<double, std::milli>(Clock::now() - t).count();
}

struct Options {
    std::filesystem::path workdir = "var/bench";
    int latency_n = 1000;
    int sustained_n = 3000;
    int verify_n = 100000;
};

hcp::Store open_store(const std::filesystem::path& db, const hcp::SecretKey& key, hcp::Durability d) {
    hcp::StoreOptions o;
    o.path = db;
    o.device_id = "bench-01";
    o.durability = d;
    o.min_free_bytes = 0;
    return hcp::Store::open(o, key);
}

std::vector<double> insert_latencies(const Options& opt, const hcp::test::HallFixture& hall, hcp::Durability d,
                                     const std::string& name) {
    auto db = opt.workdir / (name + ".db");
    auto key = hcp::SecretKey::random();
    auto store = open_store(db, key, d);
    std::vector<double> out;
    out.reserve(static_cast<size_t>(opt.latency_n));
    auto t = hcp::now();
    for (int i = 1; i <= opt.latency_n; ++i) {
        std::string case_no = "LAT-" + std::to_string(i);
        hcp::test::save_completed_case(store, case_no, t);
        auto draft = hcp::test::draft_for(case_no, i, t);
        auto start = Clock::now();
        auto r = store.record_rating(draft, hall.context());
        out.push_back(ms_since(start));
        if (!r) throw std::runtime_error("refused: " + r.error().detail);
    }
    std::sort(out.begin(), out.end());
    return out;
}

double percentile(const std::vector<double>& sorted, double p) {
    auto idx = static_cast<size_t>(p * static_cast<double>(sorted.size() - 1));
    return sorted[idx];
}

}  // namespace

int main(int argc, char** argv) {
    Options opt;
    for (int i = 1; i + 1 < argc; i += 2) {
        std::string a = argv[i];
        if (a == "--workdir")
            opt.workdir = argv[i + 1];
        else if (a == "--latency-n")
            opt.latency_n = std::stoi(argv[i + 1]);
        else if (a == "--sustained-n")
            opt.sustained_n = std::stoi(argv[i + 1]);
        else if (a == "--verify-n")
            opt.verify_n = std::stoi(argv[i + 1]);
        else {
            std::fprintf(stderr,
                         "usage: hcp_bench_store [--workdir DIR] [--latency-n N] [--sustained-n N] [--verify-n N]\n");
            return 2;
        }
    }
    std::filesystem::remove_all(opt.workdir);
    std::filesystem::create_directories(opt.workdir);
    hcp::test::HallFixture hall(HCP_TEST_ASSETS_DIR);

    auto full = insert_latencies(opt, hall, hcp::Durability::full, "latency-full");
    auto off = insert_latencies(opt, hall, hcp::Durability::off_for_fixtures, "latency-off");
    std::printf("store.insert_latency_full_p50 %.3f ms\n", percentile(full, 0.50));
    std::printf("store.insert_latency_full_p99 %.3f ms\n", percentile(full, 0.99));
    std::printf("store.insert_latency_full_max %.3f ms\n", full.back());
    std::printf("store.insert_latency_off_p50 %.3f ms\n", percentile(off, 0.50));
    std::printf("store.insert_latency_off_p99 %.3f ms\n", percentile(off, 0.99));
    std::printf("store.insert_latency_full_over_off_p50 %.1f x\n", percentile(full, 0.50) / percentile(off, 0.50));

    {
        auto key = hcp::SecretKey::random();
        auto store = open_store(opt.workdir / "sustained.db", key, hcp::Durability::full);
        auto t = hcp::now();
        auto start = Clock::now();
        for (int i = 1; i <= opt.sustained_n; ++i) hcp::test::add_rated_case(store, hall, i, t);
        double secs = ms_since(start) / 1000.0;
        std::printf("store.sustained_ratings_per_s_full %.0f ratings/s (case save + rating, %d ratings)\n",
                    opt.sustained_n / secs, opt.sustained_n);
    }

    {
        auto db = opt.workdir / "verify.db";
        auto key = hcp::SecretKey::random();
        {
            auto store = open_store(db, key, hcp::Durability::off_for_fixtures);
            auto t = hcp::now();
            for (int i = 1; i <= opt.verify_n; ++i) hcp::test::add_rated_case(store, hall, i, t);
        }
        auto start = Clock::now();
        auto with_key = hcp::verify_store(db, key);
        double with_key_s = ms_since(start) / 1000.0;
        start = Clock::now();
        auto without = hcp::verify_store(db, std::nullopt);
        double without_s = ms_since(start) / 1000.0;
        if (!with_key.ok() || !without.ok() || with_key.ratings != opt.verify_n) {
            std::fprintf(stderr, "verify found problems in an untouched database\n");
            return 1;
        }
        std::printf("verify.ratings %d ratings\n", opt.verify_n);
        std::printf("verify.time_with_key %.2f s\n", with_key_s);
        std::printf("verify.time_without_key %.2f s\n", without_s);
        std::printf("verify.ratings_per_s_with_key %.0f ratings/s\n", opt.verify_n / with_key_s);
        auto bytes = std::filesystem::file_size(db);
        std::printf("store.bytes_per_rating %.0f bytes (rating + case + slots + outbox)\n",
                    static_cast<double>(bytes) / opt.verify_n);
    }
    return 0;
}
