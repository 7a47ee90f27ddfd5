// Queue over the hall API on loopback ("Tests and figures"): throughput and latency of
// POST /api/v1/tickets and POST /api/v1/windows/{w}/call-next with 1, 4 and 8 clients. Run by
// `./dev bench`; one line per figure.
//
// Each measurement gets a fresh hub: HubService from the demo hall's configuration (paths moved
// into the work directory, [upload] removed, eight more 社保医保 windows 5–12 so that eight staff
// can call at once), its API on 127.0.0.1 on a free port, the store with synchronous=FULL, the
// flood guard off (it would hold one token to 50 requests/s) and the clock at 10:00 China time
// so ticket hours do not depend on when the bench runs. Every client is one thread with one
// httplib::Client with TCP_NODELAY (as browsers set it), measured twice: keep-alive, and a new
// connection per request (as RemoteHubLink connects). The server does not set TCP_NODELAY, so on
// a kept-alive connection its reply (headers, then body: two writes) waits for the client's
// delayed ACK, about 40 ms per request on Linux; a new connection starts in quick-ACK mode and
// does not wait. `--client-nodelay 0` shows the client's own Nagle stall on top (about 80 ms).
//
//   tickets:   the ticket station's device token; categories SBYB, HJ, QYKB in turn, every tenth
//              a priority ticket; the queue grows from empty while it is measured.
//   call-next: the business system's [[system]] token (device tokens are refused on window
//              actions); each client signs in its own window and repeats call-next (timed) and
//              办结 (complete with a case number and item: it stores the case and opens its
//              rating, as at a real window) on tickets issued beforehand in process.
//
// The work directory must be on the product's disk (fsync on tmpfs costs nothing).
#include <httplib.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <mutex>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "hcp/base/crypto.hpp"
#include "hcp/base/time.hpp"
#include "hcp/config/config.hpp"
#include "hcp/hub_server/hall_api.hpp"
#include "hcp/hub_server/hub_service.hpp"
#include "hcp/queue/queue.hpp"

namespace {

using Clock = std::chrono::steady_clock;
using json = nlohmann::json;
namespace fs = std::filesystem;

constexpr const char* kSystem = "bench-system-token-0123456789";
constexpr const char* kStation = "bench-station-token-0123456789";
constexpr const char* kItem = "12370921MB2854123A4000117051000";  // a configured SBYB item
constexpr int kFirstWindow = 5;                                   // windows 5–12 serve SBYB only
constexpr int kMaxClients = 8;
bool g_client_nodelay = true;

double ms(Clock::duration d) {
    return std::chrono::duration<double, std::milli>(d).count();
}

double pct(std::vector<double> v, double p) {
    if (v.empty()) return 0;
    std::sort(v.begin(), v.end());
    return v[std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size() - 1) + 0.5))];
}

std::string read_text(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    if (!in) throw std::runtime_error("cannot read " + p.string());
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

void write_text(const fs::path& p, const std::string& text, bool private_file = false) {
    std::ofstream(p, std::ios::binary) << text;
    if (private_file) fs::permissions(p, fs::perms::owner_read | fs::perms::owner_write);
}

void replace_once(std::string& text, const std::string& from, const std::string& to) {
    auto p = text.find(from);
    if (p == std::string::npos) throw std::runtime_error("demo-hall.toml has no " + from);
    text.replace(p, from.size(), to);
}

// The demo hall in `dir`, with the API on a free loopback port and windows 5–12 for SBYB.
hcp::Config hall_config(const fs::path& dir) {
    const fs::path assets = HCP_SOURCE_ASSETS_DIR;
    std::string text = read_text(assets / "config" / "demo-hall.toml");
    replace_once(text, "assets = \"..\"", "assets = \"" + assets.string() + "\"");
    replace_once(text, "data = \"../../var/demo\"", "data = \"" + dir.string() + "\"");
    {  // no provincial platform here: drop [upload] (header to the next table)
        auto p = text.find("\n[upload]\n");
        if (p != std::string::npos) text.erase(p, text.find("\n[", p + 2) - p);
    }
    text.insert(text.find("\n[["), "\n[api]\nlisten = \"127.0.0.1:0\"\ntokens_file = \"api-tokens.toml\"\n");
    std::string windows = "windows = [1, 3";
    for (int w = kFirstWindow; w < kFirstWindow + kMaxClients; ++w) {
        windows += ", " + std::to_string(w);
        text += "\n[[window]]\nnumber = " + std::to_string(w) + "\nname = \"" + std::to_string(w) +
                "号窗口 社保医保\"\ncategories = [\"SBYB\"]\n";
    }
    replace_once(text, "windows = [1, 3]", windows + "]");
    write_text(dir / "hall.toml", text);
    write_text(dir / "api-tokens.toml",
               std::string("[[system]]\nid = \"bench\"\ntoken = \"") + kSystem +
                   "\"\n\n[[device]]\nid = \"ticket-01\"\ntoken = \"" + kStation + "\"\nwindow = 0\n",
               true);
    hcp::SecretKey::create_file(dir / "qr-token.key");
    return hcp::load_config(dir / "hall.toml");
}

struct Hall {
    std::unique_ptr<hcp::HubService> service;
    int port = 0;
    std::shared_ptr<std::vector<std::string>> log = std::make_shared<std::vector<std::string>>();
    std::shared_ptr<std::mutex> log_mutex = std::make_shared<std::mutex>();

    explicit Hall(const fs::path& dir) {
        fs::create_directories(dir);
        hcp::Config config = hall_config(dir);
        hcp::HubServiceOptions o;
        o.api = hcp::hall_api_config(config);
        o.api->rate_per_second = 0;  // the flood guard is not under test
        o.api->listen_port = 0;
        // 10:00 China time today, moving with the real clock.
        const auto real = hcp::now();
        const auto offset = hcp::china_midnight(hcp::china_date(real)) + std::chrono::hours(10) - real;
        o.clock = [offset] { return hcp::now() + offset; };
        o.log = [l = log, m = log_mutex](const std::string& line) {
            std::lock_guard lock(*m);
            l->push_back(line);
        };
        auto r = hcp::HubService::start(config, hcp::SecretKey::random(), std::move(o));
        if (!r) throw std::runtime_error("hub did not start: " + r.error().detail);
        service = std::move(r.value());
        port = service->api_port().value_or(0);
        if (port == 0) throw std::runtime_error("hub serves no API");
    }
    ~Hall() {
        if (service) service->stop();
    }
    httplib::Client client(const char* token, bool keep_alive = true) const {
        httplib::Client c("127.0.0.1", port);
        c.set_keep_alive(keep_alive);
        c.set_tcp_nodelay(g_client_nodelay);
        c.set_connection_timeout(5, 0);
        c.set_read_timeout(30, 0);
        c.set_bearer_token_auth(token);
        return c;
    }
};

// What K client threads measured.
struct Run {
    std::vector<double> latency_ms;  // the timed request
    std::vector<double> other_ms;    // the untimed companion request (complete), for information
    double wall_s = 0;
    int failures = 0;
    std::string first_failure;
};

// Runs `body(thread index, run slot)` on `k` threads started together; wall time from the start
// signal to the last thread's end.
template <class Body>
Run on_threads(int k, Body body) {
    std::vector<Run> per(static_cast<size_t>(k));
    std::atomic<bool> go{false};
    std::vector<std::thread> threads;
    for (int i = 0; i < k; ++i)
        threads.emplace_back([&, i] {
            while (!go.load()) std::this_thread::yield();
            body(i, per[static_cast<size_t>(i)]);
        });
    auto t0 = Clock::now();
    go = true;
    for (auto& t : threads) t.join();
    Run all;
    all.wall_s = std::chrono::duration<double>(Clock::now() - t0).count();
    for (auto& r : per) {
        all.latency_ms.insert(all.latency_ms.end(), r.latency_ms.begin(), r.latency_ms.end());
        all.other_ms.insert(all.other_ms.end(), r.other_ms.begin(), r.other_ms.end());
        all.failures += r.failures;
        if (all.first_failure.empty()) all.first_failure = r.first_failure;
    }
    return all;
}

void fail_note(Run& r, const httplib::Result& res, const char* what) {
    ++r.failures;
    if (r.first_failure.empty())
        r.first_failure =
            std::string(what) + ": " + (res ? std::to_string(res->status) + " " + res->body : "no response");
}

struct Options {
    fs::path workdir = "var/bench-queue-api";
    int tickets = 1200;  // per measurement
    int cycles = 500;    // per measurement
    double seconds = 4;  // cap per measurement
    std::vector<int> clients = {1, 4, 8};
};

const char* mode_name(bool keep_alive) {
    return keep_alive ? "keep-alive" : "new connection per request";
}

bool bench_tickets(const Options& opt, int k, bool keep_alive) {
    Hall hall(opt.workdir / ("tickets-" + std::to_string(k) + (keep_alive ? "-ka" : "-nc")));
    const auto deadline =
        Clock::now() + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(opt.seconds));
    std::atomic<int> next{0};
    const char* cats[] = {"SBYB", "HJ", "QYKB"};
    Run r = on_threads(k, [&](int, Run& mine) {
        auto cli = hall.client(kStation, keep_alive);
        for (int i = next++; i < opt.tickets && Clock::now() < deadline; i = next++) {
            json body = {{"category", cats[i % 3]}, {"priority", i % 10 == 0}};
            auto t0 = Clock::now();
            auto res = cli.Post("/api/v1/tickets", body.dump(), "application/json");
            auto t = ms(Clock::now() - t0);
            if (!res || res->status != 201) {
                fail_note(mine, res, "POST /tickets");
                continue;
            }
            mine.latency_ms.push_back(t);
        }
    });
    const auto n = r.latency_ms.size();
    std::printf(
        "queue api: POST /tickets %d client%s, %s: %.0f req/s, p50 %.2f ms, p99 %.2f ms (%zu tickets in %.2f s, "
        "queue grew 0 → %zu per category, %d failed)\n",
        k, k == 1 ? "" : "s", mode_name(keep_alive), static_cast<double>(n) / r.wall_s, pct(r.latency_ms, 0.50),
        pct(r.latency_ms, 0.99), n, r.wall_s, (n + 2) / 3, r.failures);
    if (r.failures > 0) std::fprintf(stderr, "bench_queue_api: %s\n", r.first_failure.c_str());
    return r.failures == 0 && n > 0;
}

bool bench_call_next(const Options& opt, int k, bool keep_alive) {
    Hall hall(opt.workdir / ("call-" + std::to_string(k) + (keep_alive ? "-ka" : "-nc")));
    hcp::QueueEngine* q = hall.service->queue();
    if (q == nullptr) throw std::runtime_error("the hub has no queue");
    // Tickets to call, issued in process (not measured): one per cycle and some to spare.
    for (int i = 0; i < opt.cycles + k; ++i) {
        auto t = q->take_ticket("SBYB", i % 10 == 0);
        if (!t) throw std::runtime_error("take_ticket: " + t.error().message);
    }
    {
        auto cli = hall.client(kSystem);
        for (int w = kFirstWindow; w < kFirstWindow + k; ++w) {
            json body = {{"staff_no", std::to_string(2000 + w)},
                         {"staff_name", "窗口" + std::to_string(w) + "工作人员"}};
            auto res = cli.Post("/api/v1/windows/" + std::to_string(w) + "/sign-in", body.dump(), "application/json");
            if (!res || res->status != 200)
                throw std::runtime_error("sign-in: " +
                                         (res ? std::to_string(res->status) + " " + res->body : "no response"));
        }
    }
    const auto deadline =
        Clock::now() + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(opt.seconds));
    std::atomic<int> next{0};
    Run r = on_threads(k, [&](int i, Run& mine) {
        auto cli = hall.client(kSystem, keep_alive);
        const int w = kFirstWindow + i;
        const std::string base = "/api/v1/windows/" + std::to_string(w) + "/";
        for (int c = next++; c < opt.cycles && Clock::now() < deadline; c = next++) {
            auto t0 = Clock::now();
            auto called = cli.Post(base + "call-next", "{}", "application/json");
            auto t = ms(Clock::now() - t0);
            if (!called || called->status != 200) {
                fail_note(mine, called, "call-next");
                return;  // the window would stay busy: stop this client
            }
            mine.latency_ms.push_back(t);
            json body = {{"case_no", "QAPI-" + std::to_string(k) + "-" + std::to_string(c)}, {"item_code", kItem}};
            t0 = Clock::now();
            auto done = cli.Post(base + "complete", body.dump(), "application/json");
            mine.other_ms.push_back(ms(Clock::now() - t0));
            if (!done || done->status != 200) {
                fail_note(mine, done, "complete");
                return;
            }
        }
    });
    const auto n = r.latency_ms.size();
    const double rate = static_cast<double>(r.other_ms.size()) / r.wall_s;
    std::printf(
        "queue api: POST /windows/{w}/call-next %d client%s (one window each), %s: p50 %.2f ms, p99 %.2f ms; "
        "cycle call-next + complete %.0f/s (complete p50 %.2f ms, p99 %.2f ms; %zu calls in %.2f s, %d failed)\n",
        k, k == 1 ? "" : "s", mode_name(keep_alive), pct(r.latency_ms, 0.50), pct(r.latency_ms, 0.99), rate,
        pct(r.other_ms, 0.50), pct(r.other_ms, 0.99), n, r.wall_s, r.failures);
    if (r.failures > 0) std::fprintf(stderr, "bench_queue_api: %s\n", r.first_failure.c_str());
    return r.failures == 0 && n > 0;
}

}  // namespace

int main(int argc, char** argv) {
    Options opt;
    for (int i = 1; i + 1 < argc; i += 2) {
        std::string a = argv[i];
        if (a == "--workdir")
            opt.workdir = argv[i + 1];
        else if (a == "--tickets")
            opt.tickets = std::max(1, std::atoi(argv[i + 1]));
        else if (a == "--cycles")
            opt.cycles = std::max(1, std::atoi(argv[i + 1]));
        else if (a == "--client-nodelay")
            g_client_nodelay = std::atoi(argv[i + 1]) != 0;
        else if (a == "--seconds")
            opt.seconds = std::max(1.0, std::atof(argv[i + 1]));
        else {
            std::fprintf(stderr,
                         "usage: hcp_bench_queue_api [--workdir DIR] [--tickets N] [--cycles N] [--seconds S] "
                         "[--client-nodelay 0|1]\n");
            return 2;
        }
    }
    opt.workdir = fs::absolute(opt.workdir);
    fs::remove_all(opt.workdir);
    fs::create_directories(opt.workdir);
    bool ok = true;
    try {
        for (bool keep_alive : {true, false})
            for (int k : opt.clients) ok = bench_tickets(opt, k, keep_alive) && ok;
        for (bool keep_alive : {true, false})
            for (int k : opt.clients) ok = bench_call_next(opt, k, keep_alive) && ok;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "bench_queue_api: %s\n", e.what());
        return 1;
    }
    fs::remove_all(opt.workdir);
    return ok ? 0 : 1;
}
