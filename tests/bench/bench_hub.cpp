// Hub benchmarks, one line per figure: "name value unit". Run by `./dev bench`.
//
//   POST /api/v1/cases → the rating_requested event at an SSE subscriber on loopback:
//     from the POST reply (the business system's view) and from sending the POST
//   tap → committed rating (submit() returning): LocalHubLink (township) and RemoteHubLink
//     over loopback HTTP (terminal on another host)
//
// The work directory must be on the product's disk (fsync on tmpfs costs nothing).
#include <httplib.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "fixtures.hpp"
#include "hcp/hub/hub.hpp"
#include "hcp/hub/local_hub_link.hpp"
#include "hcp/hub_client/remote_hub_link.hpp"
#include "hcp/hub_server/hall_api.hpp"

namespace {

using Clock = std::chrono::steady_clock;
using json = nlohmann::json;

constexpr const char* kSystem = "bench-system-token-0123456789";
constexpr const char* kDevice = "bench-device-token-0123456789";

double pct(std::vector<double> v, double p) {
    if (v.empty()) return 0;
    std::sort(v.begin(), v.end());
    auto i = static_cast<size_t>(p * static_cast<double>(v.size() - 1) + 0.5);
    return v[std::min(i, v.size() - 1)];
}

double ms(Clock::duration d) {
    return std::chrono::duration<double, std::milli>(d).count();
}

hcp::HubSetup setup(const std::filesystem::path& db, const hcp::test::HallFixture& hall) {
    hcp::HubSetup s;
    s.hall = hall.hall;
    s.catalog = hall.catalog;
    for (int w = 1; w <= 3; ++w) s.windows.push_back(hcp::Window{w, "窗口" + std::to_string(w), {}});
    s.store.path = db;
    s.store.device_id = "hub-bench";
    return s;
}

json case_body(const std::string& no) {
    return {{"case_no", no},
            {"item_code", "11370921MB1873562E4000153001000"},
            {"item_name", "基本医疗保险参保信息变更登记"},
            {"kind", "immediate"},
            {"stage", "completed"},
            {"window", 2},
            {"staff_no", "1002"},
            {"staff_name", "李娜"}};
}

hcp::RatingDraft draft(const std::string& no) {
    hcp::RatingDraft d;
    d.case_nos = {no};
    d.level = hcp::Level::very_satisfied;
    d.tapped_at = hcp::now();
    return d;
}

}  // namespace

int main(int argc, char** argv) {
    std::filesystem::path workdir = "var/bench-hub";
    int n = 300;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (std::strcmp(argv[i], "--workdir") == 0) workdir = argv[i + 1];
        if (std::strcmp(argv[i], "--n") == 0) n = std::max(10, std::atoi(argv[i + 1]));
    }
    std::filesystem::remove_all(workdir);
    std::filesystem::create_directories(workdir);
    hcp::test::HallFixture hall(HCP_TEST_ASSETS_DIR);
    auto key = hcp::SecretKey::random();
    hcp::Hub hub(setup(workdir / "hub.db", hall), key);
    hcp::HallApiConfig api;
    api.listen_port = 0;
    api.devices = {{"rater-02", kDevice, 2}};
    api.systems = {{"bench", kSystem}};
    api.rate_per_second = 0;  // measures latency back to back; the flood guard (429) is not under test
    hcp::HallApiServer server(hub, api);
    auto started = server.start();
    if (!started) {
        std::fprintf(stderr, "bench_hub: %s\n", started.error().detail.c_str());
        return 1;
    }
    const int port = started.value();

    // --- POST /cases → event at an SSE subscriber ---
    std::mutex mu;
    std::condition_variable cv;
    std::map<std::string, Clock::time_point> arrived;
    std::atomic<bool> stop{false};
    httplib::Client sse("127.0.0.1", port);
    sse.set_bearer_token_auth(kDevice);
    sse.set_read_timeout(30, 0);
    std::thread reader([&] {
        std::string buf;
        sse.Get("/api/v1/events?window=2", [&](const char* d, size_t len) {
            auto t = Clock::now();
            buf.append(d, len);
            size_t sep;
            while ((sep = buf.find("\n\n")) != std::string::npos) {
                std::string block = buf.substr(0, sep);
                buf.erase(0, sep + 2);
                auto p = block.find("data: ");
                if (block.find("event: rating_requested") == std::string::npos || p == std::string::npos) continue;
                auto j = json::parse(block.substr(p + 6), nullptr, false);
                if (j.is_discarded()) continue;
                std::lock_guard lock(mu);
                arrived[j["case_nos"][0].get<std::string>()] = t;
                cv.notify_all();
            }
            return !stop.load();
        });
    });
    // Wait (bounded) for the stream to be attached.
    for (int i = 0; i < 200 && server.sse_clients() == 0; ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(5));

    httplib::Client biz("127.0.0.1", port);
    biz.set_bearer_token_auth(kSystem);
    std::vector<double> from_reply, from_send;
    for (int i = 0; i < n; ++i) {
        const std::string no = "BENCH-" + std::to_string(i);
        auto t0 = Clock::now();
        auto res = biz.Post("/api/v1/cases", case_body(no).dump(), "application/json");
        auto t_reply = Clock::now();
        if (!res || res->status != 201) {
            std::fprintf(stderr, "bench_hub: POST failed\n");
            return 1;
        }
        std::unique_lock lock(mu);
        if (!cv.wait_for(lock, std::chrono::seconds(5), [&] { return arrived.count(no) > 0; })) {
            std::fprintf(stderr, "bench_hub: event for %s never arrived\n", no.c_str());
            return 1;
        }
        auto t_event = arrived[no];
        // The event can beat the reply to the client; then the screen was first: 0 ms.
        from_reply.push_back(std::max(0.0, ms(t_event - t_reply)));
        from_send.push_back(ms(t_event - t0));
    }
    stop = true;
    hub.events().publish(hcp::HubEvent{});  // let the reader see the stop flag
    sse.stop();
    reader.join();

    // --- tap → committed, LocalHubLink ---
    std::vector<double> local;
    {
        hcp::LocalHubLink link(hub);
        link.subscribe(2, [](const hcp::TerminalEvent&) {});
        for (int i = 0; i < n; ++i) {
            const std::string no = "LOCAL-" + std::to_string(i);
            hcp::CaseReport r;
            r.case_no = no;
            r.item_code = "ITEM";
            r.item_name = "事项";
            r.window = 2;
            r.staff_no = "1002";
            r.staff_name = "李娜";
            if (!hub.report_case(r)) return 1;
            auto t0 = Clock::now();
            auto s = link.submit(draft(no));
            local.push_back(ms(Clock::now() - t0));
            if (!s) return 1;
        }
    }

    // --- tap → committed, RemoteHubLink over loopback ---
    std::vector<double> remote;
    {
        hcp::RemoteHubLinkOptions o;
        o.hub_url = "http://127.0.0.1:" + std::to_string(port);
        o.token = kDevice;
        o.store.path = workdir / "terminal.db";
        o.store.device_id = "rater-02";
        o.hall = hall.hall;
        o.catalog = hall.catalog;
        hcp::RemoteHubLink link(o, key);
        for (int i = 0; i < n; ++i) {
            const std::string no = "REMOTE-" + std::to_string(i);
            auto res = biz.Post("/api/v1/cases", case_body(no).dump(), "application/json");
            if (!res || res->status != 201) return 1;
            auto t0 = Clock::now();
            auto s = link.submit(draft(no));
            remote.push_back(ms(Clock::now() - t0));
            if (!s || s.value().outcome != hcp::SubmitOutcome::stored) return 1;
        }
    }
    server.stop();

    std::printf("hub.case_reply_to_event_p50 %.2f ms\n", pct(from_reply, 0.50));
    std::printf("hub.case_reply_to_event_p99 %.2f ms\n", pct(from_reply, 0.99));
    std::printf("hub.case_post_to_event_p50 %.2f ms\n", pct(from_send, 0.50));
    std::printf("hub.case_post_to_event_p99 %.2f ms\n", pct(from_send, 0.99));
    std::printf("hub.tap_to_committed_local_p50 %.2f ms\n", pct(local, 0.50));
    std::printf("hub.tap_to_committed_local_p99 %.2f ms\n", pct(local, 0.99));
    std::printf("hub.tap_to_committed_remote_p50 %.2f ms\n", pct(remote, 0.50));
    std::printf("hub.tap_to_committed_remote_p99 %.2f ms\n", pct(remote, 0.99));
    std::printf("hub.samples %d per figure\n", n);
    std::filesystem::remove_all(workdir);
    return 0;
}
