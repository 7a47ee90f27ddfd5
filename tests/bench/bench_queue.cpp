// Queue engine benchmarks, one line per figure: "name value unit". Run by `./dev bench`.
//
//   take-ticket latency p50/p99 with synchronous=FULL (number, ticket, log row, ETA)
//   call-next latency p50/p99 with synchronous=FULL, 2 windows, mixed priority tickets
//   snapshot time p50/p99 with 2 000 waiting tickets (counts, windows, last calls, ETA per category)
//
// The work directory must be on the disk the product uses: fsync on tmpfs costs nothing.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "hcp/queue/queue.hpp"
#include "hcp/store/store.hpp"

namespace {

using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point t) {
    return std::chrono::duration<double, std::milli>(Clock::now() - t).count();
}

double percentile(std::vector<double> v, double p) {
    if (v.empty()) return 0;
    std::sort(v.begin(), v.end());
    auto idx = static_cast<size_t>(p * static_cast<double>(v.size() - 1));
    return v[idx];
}

hcp::ServiceCategory category(const char* code, const char* name, char prefix, std::vector<int> windows) {
    hcp::ServiceCategory c;
    c.code = code;
    c.name = name;
    c.prefix = prefix;
    c.windows = std::move(windows);
    c.opens = "00:00";
    c.closes = "23:59";
    return c;
}

struct Bench {
    std::filesystem::path db;
    std::shared_ptr<hcp::TimePoint> now;
    std::unique_ptr<hcp::QueueEngine> q;

    Bench(const std::filesystem::path& dir, const std::string& name) : now(std::make_shared<hcp::TimePoint>()) {
        db = dir / (name + ".db");
        hcp::StoreOptions o;
        o.path = db;
        o.device_id = "bench-01";
        o.min_free_bytes = 0;
        { auto store = hcp::Store::open(o, hcp::SecretKey::random()); }
        *now = *hcp::parse_iso8601("2026-10-08T08:00:00+08:00");
        hcp::QueueSetup s;
        s.categories = {category("SBYB", "社保医保", 'A', {1, 3}), category("BDC", "不动产登记", 'B', {2}),
                        category("HJ", "户籍", 'C', {3})};
        s.windows = {hcp::Window{1, "1号窗口", {"SBYB"}}, hcp::Window{2, "2号窗口", {"BDC"}},
                     hcp::Window{3, "3号窗口", {"SBYB", "HJ"}}};
        s.policy.number_digits = 4;
        auto clock = now;
        s.clock = [clock] { return *clock; };
        s.durability = hcp::Durability::full;
        q = std::make_unique<hcp::QueueEngine>(hcp::QueueEngine::open(db, std::move(s)));
    }
    void tick() { *now += std::chrono::milliseconds{700}; }
};

struct Options {
    std::filesystem::path workdir = "var/bench-queue";
    int take_n = 1000;
    int call_n = 500;
    int waiting_n = 2000;
    int snapshot_n = 200;
};

}  // namespace

int main(int argc, char** argv) {
    Options opt;
    for (int i = 1; i + 1 < argc; i += 2) {
        std::string a = argv[i];
        if (a == "--workdir")
            opt.workdir = argv[i + 1];
        else if (a == "--take-n")
            opt.take_n = std::stoi(argv[i + 1]);
        else if (a == "--call-n")
            opt.call_n = std::stoi(argv[i + 1]);
        else if (a == "--waiting-n")
            opt.waiting_n = std::stoi(argv[i + 1]);
        else {
            std::fprintf(stderr, "usage: hcp_bench_queue [--workdir DIR] [--take-n N] [--call-n N] [--waiting-n N]\n");
            return 2;
        }
    }
    std::filesystem::remove_all(opt.workdir);
    std::filesystem::create_directories(opt.workdir);
    const char* cats[] = {"SBYB", "BDC", "HJ"};

    {  // take-ticket
        Bench b(opt.workdir, "take");
        std::vector<double> lat;
        for (int i = 0; i < opt.take_n; ++i) {
            b.tick();
            auto t = Clock::now();
            auto r = b.q->take_ticket(cats[i % 3], i % 5 == 0);
            lat.push_back(ms_since(t));
            if (!r) {
                std::fprintf(stderr, "take refused: %s\n", r.error().message.c_str());
                return 1;
            }
        }
        std::printf("queue.take_ticket_full_p50 %.3f ms\n", percentile(lat, 0.50));
        std::printf("queue.take_ticket_full_p99 %.3f ms\n", percentile(lat, 0.99));
    }
    {  // call-next (and complete, not timed) on two windows
        Bench b(opt.workdir, "call");
        b.q->open_window(1, hcp::Staff{"1001", "王丽"});
        b.q->open_window(3, hcp::Staff{"1003", "李晓燕"});
        for (int i = 0; i < opt.call_n; ++i) {
            b.tick();
            b.q->take_ticket(i % 2 == 0 ? "SBYB" : "HJ", i % 4 == 0);
        }
        std::vector<double> lat;
        for (int i = 0; i < opt.call_n; ++i) {
            int w = i % 2 == 0 ? 1 : 3;
            b.tick();
            auto t = Clock::now();
            auto r = b.q->call_next(w);
            lat.push_back(ms_since(t));
            if (!r) {
                if (r.error().cause == hcp::QueueErrc::queue_empty) continue;
                std::fprintf(stderr, "call refused: %s\n", r.error().message.c_str());
                return 1;
            }
            b.q->complete(w);
        }
        std::printf("queue.call_next_full_p50 %.3f ms\n", percentile(lat, 0.50));
        std::printf("queue.call_next_full_p99 %.3f ms\n", percentile(lat, 0.99));
    }
    {  // snapshot with many waiting tickets
        Bench b(opt.workdir, "snapshot");
        b.q->open_window(1, hcp::Staff{"1001", "王丽"});
        b.q->open_window(3, hcp::Staff{"1003", "李晓燕"});
        for (int i = 0; i < opt.waiting_n + 20; ++i) {
            *b.now += std::chrono::milliseconds{5};
            b.q->take_ticket(cats[i % 3], i % 7 == 0);
        }
        for (int i = 0; i < 10; ++i) {  // some calls so last_calls and now-serving are filled
            b.q->call_next(1);
            b.q->complete(1);
            b.q->call_next(3);
            b.q->complete(3);
        }
        auto snap = b.q->snapshot();
        long waiting = 0;
        for (const auto& c : snap.categories) waiting += c.waiting;
        std::vector<double> lat;
        for (int i = 0; i < opt.snapshot_n; ++i) {
            auto t = Clock::now();
            auto s = b.q->snapshot();
            lat.push_back(ms_since(t));
            if (s.categories.size() != 3) return 1;
        }
        std::printf("queue.snapshot_waiting %ld tickets\n", waiting);
        std::printf("queue.snapshot_p50 %.3f ms\n", percentile(lat, 0.50));
        std::printf("queue.snapshot_p99 %.3f ms\n", percentile(lat, 0.99));
        lat.clear();
        for (int i = 0; i < opt.snapshot_n; ++i) {
            auto t = Clock::now();
            auto e = b.q->estimate_new("SBYB");
            lat.push_back(ms_since(t));
            if (!e) return 1;
        }
        std::printf("queue.estimate_new_p50 %.3f ms\n", percentile(lat, 0.50));
    }
    return 0;
}
