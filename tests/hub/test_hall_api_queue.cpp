// The queue over the hall API: tickets, the queue snapshot, every window
// action, tokens, hostile input, two windows calling at once, 办结 opening the rating on the
// window's terminal, the events the screens read, and a hub without a queue.
//
// The hub runs as HubService from the demo hall's configuration (SBYB on windows 1 and 3,
// BDC on window 2 with a cap of 150, HJ on window 3, QYKB on window 4), with its clock set to
// 10:00 China time today so ticket hours (08:30–17:00) do not depend on when the test runs.
#include <catch2/catch.hpp>

#include <set>
#include <thread>

#include "../printer/printer_helpers.hpp"
#include "hcp/hub_client/remote_hub_link.hpp"
#include "hcp/hub_client/remote_queue.hpp"
#include "hcp/printer/profile.hpp"
#include "raw_http.hpp"
#include "service_fixture.hpp"

using namespace hcp;
using namespace hcp::test;
using namespace std::chrono_literals;

namespace {

constexpr const char* kWindow1Token = "rater-01-token-0123456789";
constexpr const char* kStationToken = "ticket-01-token-0123456789";

// Milliseconds from now to hh:mm China time today.
long long offset_to_china(int hour, int minute) {
    const TimePoint n = hcp::now();
    const TimePoint target = china_midnight(china_date(n)) + std::chrono::hours(hour) + std::chrono::minutes(minute);
    return (target - n).count();
}

struct QueueWorld : ServiceWorld {
    explicit QueueWorld(int hour = 10, int minute = 0, bool with_queue = true,
                        const std::function<void(Config&)>& tweak = {})
        : ServiceWorld(ServiceSettings{false, true, true, "generic", 30, ""}) {
        clock_offset_ms = offset_to_china(hour, minute);
        write_private(dir / "api-tokens.toml",
                      std::string("[[system]]\nid = \"bizsys\"\ntoken = \"") + kSystemToken + "\"\n\n" +
                          "[[device]]\nid = \"rater-01\"\ntoken = \"" + kWindow1Token + "\"\nwindow = 1\n\n" +
                          "[[device]]\nid = \"rater-02\"\ntoken = \"" + kWindow2Token + "\"\nwindow = 2\n\n" +
                          "[[device]]\nid = \"ticket-01\"\ntoken = \"" + kStationToken + "\"\nwindow = 0\n");
        if (!with_queue) {
            config.categories.clear();
            for (auto& w : config.windows) w.categories.clear();
        }
        if (tweak) tweak(config);
        start();
    }

    httplib::Result post(const std::string& path, const json& body, const std::string& token = kSystemToken) {
        return client(token).Post(path, body.dump(), "application/json");
    }
    httplib::Result post_raw(const std::string& path, const std::string& body, const std::string& token,
                             const std::string& type = "application/json") {
        return client(token).Post(path, body, type);
    }
    httplib::Result act(int window, const std::string& action, const json& body = json::object(),
                        const std::string& token = kSystemToken) {
        return post("/api/v1/windows/" + std::to_string(window) + "/" + action, body, token);
    }
    json ok(const httplib::Result& r, int status = 200) {
        REQUIRE(r);
        INFO(r->body);
        REQUIRE(r->status == status);
        return json::parse(r->body);
    }
    json take(const std::string& category, bool priority = false) {
        return ok(post("/api/v1/tickets", {{"category", category}, {"priority", priority}}, kStationToken), 201);
    }
    void sign_in(int window, const std::string& staff_no = "1001") {
        ok(act(window, "sign-in", {{"staff_no", staff_no}}));
    }
    json queue() { return ok(client(kSystemToken).Get("/api/v1/queue")); }
    json category_line(const std::string& code) {
        const json q = queue();
        for (const auto& c : q["categories"])
            if (c["code"] == code) return c;
        FAIL("no category " << code);
        return {};
    }
    Hub& hub() { return service->hub(); }
};

int status(const httplib::Result& r) {
    return r ? r->status : -1;
}

std::string error_code_of(const std::string& body) {
    const json j = json::parse(body, nullptr, false);
    return j.is_object() && j.contains("error") ? j["error"].value("code", "") : "not an error: " + body;
}

// The events on the hub's bus after `after`, waiting (bounded) until `n` arrived.
std::vector<HubEvent> bus_events(Hub& hub, long long after, size_t n) {
    std::vector<HubEvent> out;
    const auto deadline = std::chrono::steady_clock::now() + 5s;
    long long last = after;
    while (out.size() < n && std::chrono::steady_clock::now() < deadline) {
        auto b = hub.events().wait(last, EventFilter{}, 200ms);
        for (auto& e : b.events) out.push_back(std::move(e));
        last = b.last_id;
    }
    return out;
}

// SSE events (type, data) from the hub's stream, replayed from `last_id`, until `n` arrived.
std::vector<std::pair<std::string, json>> sse_events(QueueWorld& w, const std::string& path, long long last_id,
                                                     size_t n) {
    auto c = w.client(kSystemToken);
    c.set_read_timeout(3, 0);
    httplib::Headers h{{"Last-Event-ID", std::to_string(last_id)}};
    std::vector<std::pair<std::string, json>> out;
    std::string buf;
    c.Get(path, h, [&](const char* d, size_t len) {
        buf.append(d, len);
        size_t sep;
        while ((sep = buf.find("\n\n")) != std::string::npos) {
            std::string block = buf.substr(0, sep);
            buf.erase(0, sep + 2);
            std::string type;
            json data;
            size_t pos = 0;
            while (pos < block.size()) {
                size_t end = block.find('\n', pos);
                if (end == std::string::npos) end = block.size();
                std::string line = block.substr(pos, end - pos);
                pos = end + 1;
                if (line.rfind("event: ", 0) == 0) type = line.substr(7);
                if (line.rfind("data: ", 0) == 0) data = json::parse(line.substr(6), nullptr, false);
            }
            if (!type.empty()) out.emplace_back(type, data);
        }
        return out.size() < n;
    });
    return out;
}

}  // namespace

TEST_CASE("Queue API: a ticket is taken with its number, people ahead and wait, and the queue shows it",
          "[hall_api_queue]") {
    QueueWorld w;
    REQUIRE(w.service->queue() != nullptr);
    const long long before = w.hub().events().last_id();

    auto a1 = w.take("SBYB");
    CHECK(a1["number"] == "A001");
    CHECK(a1["category"] == "SBYB");
    CHECK(a1["category_name"] == "社保医保");
    CHECK(a1["people_ahead"] == 0);
    CHECK(a1["eta_seconds"] == 0);
    CHECK(a1["ticket"]["state"] == "waiting");
    CHECK(a1["text_zh"].get<std::string>().find("A001") != std::string::npos);

    auto a2 = w.take("SBYB");
    CHECK(a2["number"] == "A002");
    CHECK(a2["people_ahead"] == 1);
    CHECK(a2["eta_seconds"].get<long long>() > 0);
    CHECK(a2["eta_zh"].get<std::string>().find("分钟") != std::string::npos);
    CHECK(a2["text_zh"].get<std::string>().find("前面还有 1 人") != std::string::npos);

    auto p = w.take("SBYB", true);
    CHECK(p["number"] == "A003");
    CHECK(p["priority"] == true);
    CHECK(w.take("BDC")["number"] == "B001");

    auto q = w.queue();
    CHECK(q["business_day"] == format_date(china_date(w.clock())));
    REQUIRE(q["categories"].size() == 4);
    auto sbyb = q["categories"][0];
    CHECK(sbyb["code"] == "SBYB");
    CHECK(sbyb["prefix"] == "A");
    CHECK(sbyb["waiting"] == 3);
    CHECK(sbyb["waiting_priority"] == 1);
    CHECK(sbyb["issued_today"] == 3);
    CHECK(sbyb["taking_tickets"] == true);
    CHECK(sbyb["new_ticket"]["people_ahead"] == 3);
    CHECK(sbyb["policy_zh"].get<std::string>().find("3") != std::string::npos);
    REQUIRE(q["windows"].size() == 4);
    CHECK(q["windows"][0]["window"] == 1);
    CHECK(q["windows"][0]["name"] == "1号窗口 社保医保");
    CHECK(q["windows"][0]["open"] == false);
    CHECK(q["windows"][0]["current"].is_null());
    CHECK(q["last_calls"].empty());

    // Every ticket taken told the screens that the counts changed.
    auto events = bus_events(w.hub(), before, 4);
    REQUIRE(events.size() == 4);
    for (const auto& e : events) {
        CHECK(e.type == HubEventType::queue_changed);
        CHECK(e.window == HubEvent::kAllWindows);
    }
}

TEST_CASE("Queue API: staff sign in, call, recall, skip, hold, resume, transfer and sign out at a window",
          "[hall_api_queue]") {
    QueueWorld w;
    for (int i = 0; i < 5; ++i) w.take("SBYB");

    // Signing in with the 工号 only takes the configured name.
    auto in = w.ok(w.act(1, "sign-in", {{"staff_no", "1001"}}, kSystemToken));
    CHECK(in["window"] == 1);
    CHECK(in["window_name"] == "1号窗口 社保医保");
    CHECK(in["staff"]["name"] == "王丽");
    CHECK(w.queue()["windows"][0]["open"] == true);

    auto c1 = w.ok(w.act(1, "call-next", json::object(), kSystemToken));
    CHECK(c1["call"]["number"] == "A001");
    CHECK(c1["call"]["action"] == "call");
    CHECK(c1["call"]["window_name"] == "1号窗口 社保医保");
    CHECK(c1["call"]["explanation_zh"] == "按取号顺序");
    CHECK(c1["ticket"]["state"] == "called");
    CHECK(c1["staff"]["number"] == "1001");

    auto again = w.act(1, "call-next");  // a double click: A001 is still open
    CHECK(status(again) == 409);
    CHECK(error_code(again) == "window_busy");

    auto rc = w.ok(w.act(1, "recall", {{"expect", "A001"}}));
    CHECK(rc["call"]["action"] == "recall");
    CHECK(rc["ticket"]["recalls"] == 1);
    auto stale = w.act(1, "recall", {{"expect", "A002"}});  // still waiting: a stale page
    CHECK(status(stale) == 409);
    CHECK(error_code(stale) == "illegal_transition");
    CHECK(json::parse(stale->body)["error"]["state"] == "waiting");

    // Skip: A001 goes back behind three waiting tickets.
    auto sk = w.ok(w.act(1, "skip", {{"expect", "a1"}}));
    CHECK(sk["requeued"] == true);
    CHECK(sk["people_ahead"] == 3);
    CHECK(sk["ticket"]["state"] == "waiting");
    CHECK(sk["text_zh"].get<std::string>().find("重新排队") != std::string::npos);

    CHECK(w.ok(w.act(1, "call-next"))["call"]["number"] == "A002");
    auto hd = w.ok(w.act(1, "hold", {{"expect", "A002"}}));
    CHECK(hd["ticket"]["state"] == "held");
    CHECK(w.queue()["windows"][0]["held"] == 1);

    CHECK(w.ok(w.act(1, "call-next"))["call"]["number"] == "A003");
    auto busy = w.act(1, "resume", {{"number", "A002"}});
    CHECK(status(busy) == 409);
    CHECK(error_code(busy) == "window_busy");

    // Transfer A003 to 户籍 (window 3): it waits there with its number.
    auto tr = w.ok(w.act(1, "transfer", {{"to_category", "HJ"}, {"expect", "A003"}}));
    CHECK(tr["ticket"]["number"] == "A003");
    CHECK(tr["ticket"]["category"] == "HJ");
    CHECK(tr["ticket"]["state"] == "waiting");
    CHECK(tr["to_category_name"] == "户籍");
    CHECK(tr["estimate"]["people_ahead"] == 0);
    CHECK(w.category_line("HJ")["waiting"] == 1);
    auto same = w.act(1, "transfer", {{"to_category", "SBYB"}, {"number", "A002"}});
    CHECK(status(same) == 409);
    CHECK(error_code(same) == "same_category");

    auto rs = w.ok(w.act(1, "resume", {{"number", "A002"}}));
    CHECK(rs["call"]["action"] == "resume");
    CHECK(rs["ticket"]["state"] == "called");

    auto out_busy = w.act(1, "sign-out");
    CHECK(status(out_busy) == 409);
    CHECK(error_code(out_busy) == "window_busy");
    w.ok(w.act(1, "hold"));
    auto out = w.ok(w.act(1, "sign-out"));
    CHECK(out["closed_at"].is_string());
    auto closed = w.act(1, "call-next");
    CHECK(status(closed) == 409);
    CHECK(error_code(closed) == "window_closed");
    auto j = json::parse(closed->body);
    CHECK(j["error"]["message"] == "1 号窗口尚未登录，请先用工号登录。");

    auto q = w.queue();
    REQUIRE_FALSE(q["last_calls"].empty());
    CHECK(q["last_calls"][0]["number"] == "A002");
    CHECK(q["last_calls"][0]["action"] == "resume");
    CHECK(q["last_calls"][0]["window_name"] == "1号窗口 社保医保");
}

TEST_CASE("Queue API: 特呼 calls a given number and needs a reason, and an empty queue says so", "[hall_api_queue]") {
    QueueWorld w;
    w.sign_in(3, "1003");
    auto empty = w.act(3, "call-next");
    CHECK(status(empty) == 409);
    CHECK(error_code(empty) == "queue_empty");

    w.take("SBYB");
    w.take("SBYB");
    w.take("BDC");
    auto no_reason = w.act(3, "call", {{"number", "A002"}});
    CHECK(status(no_reason) == 422);
    CHECK(error_code(no_reason) == "invalid_field");
    CHECK(json::parse(no_reason->body)["error"]["message"].get<std::string>().find("特呼需要填写原因") !=
          std::string::npos);

    auto other = w.act(3, "call", {{"number", "B001"}, {"reason", "预约到场"}});
    CHECK(status(other) == 409);
    CHECK(error_code(other) == "window_not_serving");

    auto given = w.ok(w.act(3, "call", {{"number", "a2"}, {"reason", "预约到场"}}));
    CHECK(given["call"]["number"] == "A002");
    CHECK(given["call"]["action"] == "call_given");
    CHECK(given["call"]["explanation_zh"].get<std::string>().find("预约到场") != std::string::npos);
    auto history = w.service->queue()->history("A002");
    REQUIRE_FALSE(history.empty());
    CHECK(history.back().reason == "预约到场");
    CHECK(history.back().staff_number == "1003");
}

TEST_CASE("Queue API: 办结 stores the case and opens the rating on that window's terminal", "[hall_api_queue]") {
    QueueWorld w;
    w.take("SBYB");
    w.sign_in(1);
    w.ok(w.act(1, "call-next"));
    const long long before = w.hub().events().last_id();

    auto done = w.ok(w.act(
        1, "complete",
        {{"case_no", "370921-20261008-0001"}, {"item_code", "11370921MB1873562E4000153001000"}, {"expect", "A001"}},
        kSystemToken));
    CHECK(done["ticket"]["number"] == "A001");
    CHECK(done["ticket"]["state"] == "done");
    CHECK(done["window"] == 1);
    CHECK(done["service_seconds"].get<long long>() >= 0);
    // The reply of POST /cases: the case, the rating opened on window 1, the receipt QR.
    CHECK(done["case"]["case_no"] == "370921-20261008-0001");
    CHECK(done["case"]["stage"] == "completed");
    CHECK(done["case"]["kind"] == "immediate");
    CHECK(done["case"]["window"] == 1);
    CHECK(done["case"]["item"]["name"] == "基本医疗保险参保信息变更登记");
    CHECK(done["case"]["staff"]["number"] == "1001");
    CHECK(done["case"]["staff"]["name"] == "王丽");
    CHECK(done["rating"]["opened"] == true);
    CHECK(done["rating"]["window"] == 1);
    CHECK(done["case_nos"] == json::array({"370921-20261008-0001"}));
    CHECK(done["rating_url"].is_string());

    auto events = bus_events(w.hub(), before, 2);
    bool requested = false, changed = false;
    for (const auto& e : events) {
        if (e.type == HubEventType::rating_requested) {
            requested = true;
            CHECK(e.window == 1);
            REQUIRE(e.request);
            CHECK(e.request->cases.front().case_no == "370921-20261008-0001");
        }
        changed = changed || e.type == HubEventType::queue_changed;
    }
    CHECK(requested);
    CHECK(changed);
    CHECK(w.hub().open_requests(1).size() == 1);
    CHECK(w.hub().find_case("370921-20261008-0001"));

    // The terminal of window 1 rates it as usual.
    auto rated = w.post("/api/v1/ratings", rating_body("370921-20261008-0001"), kWindow1Token);
    CHECK(status(rated) == 201);

    // Nothing is current any more: a second 办结 is refused and reports nothing.
    auto twice = w.act(1, "complete", {{"case_no", "X-2"}, {"item_code", "11370921MB1873562E4000153001000"}});
    CHECK(status(twice) == 409);
    CHECK(error_code(twice) == "no_current_ticket");
    CHECK_FALSE(w.hub().find_case("X-2"));
}

TEST_CASE("Queue API: a 办结 whose case the hub refuses leaves the ticket at the window", "[hall_api_queue]") {
    QueueWorld w;
    w.take("SBYB");
    w.take("SBYB");
    w.sign_in(1);
    w.ok(w.act(1, "call-next"));
    w.sign_in(3, "1003");
    CHECK(w.ok(w.act(3, "call-next"))["call"]["number"] == "A002");

    auto bad_case = w.act(1, "complete", {{"case_no", "bad case/1"}, {"item_code", "11370921MB1873562E4000153001000"}});
    CHECK(status(bad_case) == 400);
    CHECK(error_code(bad_case) == "invalid_field");
    auto unknown_item = w.act(1, "complete", {{"case_no", "C-1"}, {"item_code", "NOT-AN-ITEM"}});
    CHECK(status(unknown_item) == 400);
    CHECK(json::parse(unknown_item->body)["error"]["field"] == "item_name");
    auto bad_kind = w.act(1, "complete", {{"case_no", "C-1"}, {"item_code", "NOT-AN-ITEM"}, {"kind", "later"}});
    CHECK(status(bad_kind) == 400);
    auto mismatch = w.act(1, "complete",
                          {{"case_no", "C-1"}, {"item_code", "11370921MB1873562E4000153001000"}, {"expect", "A002"}});
    CHECK(status(mismatch) == 409);
    CHECK(error_code(mismatch) == "ticket_mismatch");
    CHECK_FALSE(w.hub().find_case("C-1"));
    REQUIRE(w.service->queue()->current(1));
    CHECK(w.service->queue()->current(1)->number == "A001");

    // An item outside the configuration comes with its name; a 承诺件 too.
    auto ok = w.ok(
        w.act(1, "complete",
              {{"case_no", "C-1"}, {"item_code", "LOCAL-ITEM-7"}, {"item_name", "临时事项"}, {"kind", "promised"}}));
    CHECK(ok["case"]["item"]["name"] == "临时事项");
    CHECK(ok["case"]["kind"] == "promised");
    CHECK_FALSE(w.service->queue()->current(1));
}

TEST_CASE("Queue API: tokens decide who may act on which window", "[hall_api_queue]") {
    QueueWorld w;
    auto c = w.client();
    for (const auto& path : {"/api/v1/tickets", "/api/v1/windows/1/call-next", "/api/v1/windows/1/sign-in"}) {
        auto r = c.Post(path, "{}", "application/json");
        CHECK(status(r) == 401);
        CHECK(error_code(r) == "unauthorized");
    }
    CHECK(status(c.Get("/api/v1/queue")) == 401);

    // A device token (a citizen-facing terminal) acts on no window, not even its own: with it
    // one could invent a case through 办结 and rate it.
    auto other = w.act(1, "sign-in", {{"staff_no", "1001"}}, kWindow2Token);
    CHECK(status(other) == 403);
    CHECK(error_code(other) == "forbidden");
    CHECK(w.queue()["windows"][0]["open"] == false);
    auto own = w.act(2, "sign-in", {{"staff_no", "1002"}}, kWindow2Token);
    CHECK(status(own) == 403);
    auto own_complete = w.act(2, "complete", {{"case_no", "FAKE-1"}, {"item_code", "x"}}, kWindow2Token);
    CHECK(status(own_complete) == 403);
    CHECK_FALSE(w.hub().find_case("FAKE-1"));
    auto station = w.act(1, "call-next", json::object(), kStationToken);
    CHECK(status(station) == 403);
    w.ok(w.act(2, "sign-in", {{"staff_no", "1002"}}, kSystemToken));
    // The business system may act on any window; any token may read the queue; tickets come
    // from ticket stations and the business system only.
    w.ok(w.act(4, "sign-in", {{"staff_no", "1004"}}, kSystemToken));
    CHECK(status(w.post("/api/v1/tickets", {{"category", "BDC"}}, kWindow2Token)) == 403);
    CHECK(w.ok(w.post("/api/v1/tickets", {{"category", "BDC"}}, kStationToken), 201)["number"] == "B001");
    CHECK(w.ok(w.client(kWindow2Token).Get("/api/v1/queue"))["windows"][1]["open"] == true);
}

TEST_CASE("Queue API: hostile paths and bodies get clear JSON errors and change nothing", "[hall_api_queue]") {
    QueueWorld w;
    for (const std::string bad : {"abc", "0", "99999", "01", "-1", "1a", "1.5"}) {
        INFO(bad);
        auto r = w.post("/api/v1/windows/" + bad + "/call-next", json::object());
        CHECK(status(r) == 400);
        CHECK(error_code(r) == "invalid_field");
    }
    auto unknown_window = w.act(99, "sign-in", {{"staff_no", "1001"}});
    CHECK(status(unknown_window) == 404);
    CHECK(error_code(unknown_window) == "unknown_window");
    CHECK(status(w.post("/api/v1/windows/1/dance", json::object())) == 404);

    auto tickets = [&](const std::string& body, const std::string& type = "application/json") {
        return w.post_raw("/api/v1/tickets", body, kStationToken, type);
    };
    auto missing = tickets("{}");
    CHECK(status(missing) == 400);
    CHECK(json::parse(missing->body)["error"]["field"] == "category");
    CHECK(status(tickets(R"({"category": 7})")) == 400);
    CHECK(status(tickets(json{{"category", std::string(100, 'S')}}.dump())) == 400);
    CHECK(status(tickets(R"({"category": "SBYB", "priority": "yes"})")) == 400);
    CHECK(status(tickets(R"({"category": "SB\u0001YB"})")) == 400);
    auto non_utf8 = tickets("{\"category\": \"\xff\xfe\"}");
    CHECK(status(non_utf8) == 400);
    CHECK(error_code(non_utf8) == "invalid_json");
    CHECK(status(tickets(R"(["SBYB"])")) == 400);
    CHECK(status(tickets(R"({"category": "SBYB"})", "text/plain")) == 415);
    auto unknown = tickets(R"({"category": "NOPE"})");
    CHECK(status(unknown) == 404);
    CHECK(error_code(unknown) == "unknown_category");
    CHECK(json::parse(unknown->body)["error"]["message"] == "没有这个业务类别，请返回重新选择。");

    w.sign_in(1);
    CHECK(status(w.act(1, "sign-in", {{"staff_no", "9999"}})) == 422);  // not configured, no name
    CHECK(status(w.act(1, "sign-in", {{"staff_no", std::string(65, '1')}})) == 400);
    CHECK(status(w.act(1, "sign-in", {{"staff_no", "1001"}, {"staff_name", "王\n丽"}})) == 400);
    CHECK(status(w.act(1, "sign-in", {{"staff_no", 1001}})) == 400);
    auto unknown_ticket = w.act(1, "call", {{"number", "A999"}, {"reason", "群众返回"}});
    CHECK(status(unknown_ticket) == 404);
    CHECK(error_code(unknown_ticket) == "unknown_ticket");
    auto malformed = w.act(1, "call", {{"number", "12"}, {"reason", "群众返回"}});
    CHECK(status(malformed) == 422);
    CHECK(json::parse(malformed->body)["error"]["field"] == "number");
    CHECK(status(w.act(1, "call", {{"reason", "群众返回"}})) == 400);
    CHECK(status(w.act(1, "call", {{"number", "A001"}, {"reason", std::string(1001, 'x')}})) == 400);
    auto long_reason = w.act(1, "call", {{"number", "A001"}, {"reason", std::string(300, 'x')}});
    CHECK(status(long_reason) == 422);  // the engine's limit (200 bytes), said in Chinese
    CHECK(status(w.act(1, "transfer", {{"to_category", "NOPE"}})) == 404);
    CHECK(status(w.act(1, "transfer", json::object())) == 400);
    CHECK(status(w.post_raw("/api/v1/windows/1/call-next", "not json", kSystemToken, "text/plain")) == 415);

    auto q = w.queue();
    for (const auto& c : q["categories"]) CHECK(c["issued_today"] == 0);
    CHECK(q["last_calls"].empty());
}

TEST_CASE("Queue API: ticket hours and the daily cap are refused in plain Chinese", "[hall_api_queue]") {
    SECTION("before the ticket hours") {
        QueueWorld w(7, 0);
        auto r = w.post("/api/v1/tickets", {{"category", "SBYB"}}, kStationToken);
        CHECK(status(r) == 409);
        CHECK(error_code(r) == "category_closed");
        CHECK(json::parse(r->body)["error"]["message"] == "社保医保尚未开始取号，取号时间为 08:30–17:00。请稍后再来。");
        CHECK(w.category_line("SBYB")["taking_tickets"] == false);
    }
    SECTION("a full day") {
        QueueWorld w;
        for (int i = 0; i < 150; ++i) REQUIRE(w.service->queue()->take_ticket("BDC").ok());
        auto r = w.post("/api/v1/tickets", {{"category", "BDC"}}, kStationToken);
        CHECK(status(r) == 409);
        CHECK(error_code(r) == "daily_cap_reached");
        CHECK(json::parse(r->body)["error"]["message"].get<std::string>().find("每日限 150 个") != std::string::npos);
        CHECK(w.category_line("BDC")["issued_today"] == 150);
    }
}

TEST_CASE("Queue API: two windows calling at once never call one ticket twice", "[hall_api_queue]") {
    QueueWorld w;
    constexpr int kTickets = 24;
    for (int i = 0; i < kTickets; ++i) REQUIRE(w.service->queue()->take_ticket("SBYB").ok());
    w.sign_in(1, "1001");
    w.sign_in(3, "1003");

    // Windows 1 and 3 both serve 社保医保: each calls and puts the ticket on hold until none waits.
    auto run = [&](int window, std::vector<std::string>& called, std::vector<std::string>& errors) {
        auto c = w.client(kSystemToken);
        const std::string base = "/api/v1/windows/" + std::to_string(window) + "/";
        for (int i = 0; i < 2 * kTickets; ++i) {
            auto r = c.Post(base + "call-next", "{}", "application/json");
            if (!r) {
                errors.push_back("no response");
                return;
            }
            if (r->status == 409 && error_code(r) == "queue_empty") return;
            if (r->status != 200) {
                errors.push_back(r->body);
                return;
            }
            const std::string number = json::parse(r->body)["call"]["number"];
            called.push_back(number);
            auto h = c.Post(base + "hold", json{{"expect", number}}.dump(), "application/json");
            if (!h || h->status != 200) errors.push_back(h ? h->body : "no response");
        }
    };
    std::vector<std::string> one, three, errors_one, errors_three;
    std::thread t1([&] { run(1, one, errors_one); });
    std::thread t3([&] { run(3, three, errors_three); });
    t1.join();
    t3.join();
    CHECK(errors_one.empty());
    CHECK(errors_three.empty());
    std::multiset<std::string> all(one.begin(), one.end());
    all.insert(three.begin(), three.end());
    CHECK(all.size() == static_cast<size_t>(kTickets));
    std::set<std::string> distinct(all.begin(), all.end());
    CHECK(distinct.size() == all.size());
    CHECK_FALSE(one.empty());
    CHECK_FALSE(three.empty());
    CHECK(w.category_line("SBYB")["waiting"] == 0);
    CHECK(w.category_line("SBYB")["held"] == kTickets);
}

TEST_CASE("Queue API: a call reaches the event stream as queue_called with its window, then queue_changed",
          "[hall_api_queue]") {
    QueueWorld w;
    w.take("SBYB");
    w.sign_in(1);
    const long long before = w.hub().events().last_id();
    w.ok(w.act(1, "call-next", json::object(), kSystemToken));

    auto events = sse_events(w, "/api/v1/events?window=1", before, 2);
    REQUIRE(events.size() == 2);
    CHECK(events[0].first == "queue_called");
    const json& d = events[0].second;
    CHECK(d["type"] == "queue_called");
    CHECK(d["window"] == 1);
    CHECK(d["call"]["number"] == "A001");
    CHECK(d["call"]["category"] == "SBYB");
    CHECK(d["call"]["window"] == 1);
    CHECK(d["call"]["window_name"] == "1号窗口 社保医保");
    CHECK(d["call"]["action"] == "call");
    CHECK(events[1].first == "queue_changed");
    CHECK(events[1].second["window"] == -1);
    CHECK_FALSE(events[1].second.contains("call"));

    // A recall is announced again; a reader of another window sees only the broadcast.
    const long long mid = w.hub().events().last_id();
    w.ok(w.act(1, "recall"));
    auto window2 = sse_events(w, "/api/v1/events?window=2", mid, 1);
    REQUIRE(window2.size() == 1);
    CHECK(window2[0].first == "queue_changed");
    auto all = bus_events(w.hub(), mid, 2);
    REQUIRE(all.size() == 2);
    REQUIRE(all[0].call);
    CHECK(all[0].call->action == "recall");
}

TEST_CASE("Queue API: a hub without categories answers queue_not_configured", "[hall_api_queue]") {
    QueueWorld w(10, 0, false);
    CHECK(w.service->queue() == nullptr);
    auto t = w.post("/api/v1/tickets", {{"category", "SBYB"}}, kStationToken);
    CHECK(status(t) == 404);
    CHECK(error_code(t) == "queue_not_configured");
    CHECK(json::parse(t->body)["error"]["message"].get<std::string>().find("未启用排队叫号") != std::string::npos);
    CHECK(error_code(w.client(kSystemToken).Get("/api/v1/queue")) == "queue_not_configured");
    CHECK(error_code(w.act(1, "call-next")) == "queue_not_configured");
    CHECK(status(w.act(1, "sign-in", {{"staff_no", "1001"}})) == 404);
    // Cases keep working without a queue.
    CHECK(w.post_case(case_body("NQ-1", 2))["rating"]["opened"] == true);
}

TEST_CASE("Remote hub link: queue events on the stream are skipped and ratings still open", "[hall_api_queue]") {
    ApiFixture f;
    TempDir tdir;
    HallFixture hall(assets_dir());
    RemoteHubLinkOptions o;
    o.hub_url = "http://127.0.0.1:" + std::to_string(f.port);
    o.token = kWindow2Token;
    o.store.path = tdir / "terminal.db";
    o.store.device_id = "rater-02";
    o.store.min_free_bytes = 1024 * 1024;
    o.hall = hall.hall;
    o.catalog = hall.catalog;
    o.request_timeout = 1000ms;
    o.sse_read_timeout = 3000ms;
    o.reconnect_delay = 100ms;
    o.forward_interval = 200ms;
    RemoteHubLink link(o, f.key);
    Inbox<TerminalEvent> inbox;
    std::atomic<int> offline{0};
    link.subscribe(2, [&](const TerminalEvent& e) {
        if (e.kind == TerminalEvent::Kind::hub_offline) ++offline;
        if (e.kind == TerminalEvent::Kind::rating_requested || e.kind == TerminalEvent::Kind::rating_cancelled)
            inbox.push(e);
    });
    REQUIRE(ServiceWorld::eventually([&] { return f.server->sse_clients() == 1; }, 5s));

    CallOutcome call;
    call.ticket.number = "B001";
    call.ticket.category = "BDC";
    call.window = 2;
    call.window_name = "2号窗口";
    call.action = QueueAction::call;
    publish_queue_call(f.hub->events(), call);
    publish_queue_changed(f.hub->events());
    REQUIRE(f.post("/api/v1/cases", case_body("RQ-1").dump(), kSystemToken)->status == 201);

    auto got = inbox.wait_for(1);
    REQUIRE(got.size() == 1);
    CHECK(got.front().kind == TerminalEvent::Kind::rating_requested);
    CHECK(got.front().request->cases.front().case_no == "RQ-1");
    std::this_thread::sleep_for(200ms);
    CHECK(inbox.size() == 1);
    CHECK(offline == 0);
    CHECK(link.submit(good_draft("RQ-1")).ok());
}

// ---- 办件回执 on the window printer ----

namespace {

// Window 1 prints on a file "printer" (generic-80), window 2 on one that cannot be opened.
void with_receipt_printers(Config& c, const std::filesystem::path& dir) {
    auto add = [&](int window, const std::string& transport) {
        WindowPrinter wp;
        wp.window = window;
        wp.printer.profile = "generic-80";
        wp.printer.transport = parse_transport(transport);
        wp.printer.transport_text = transport;
        wp.printer.jobs_dir = dir / ("jobs-" + std::to_string(window));
        c.receipt_printers.push_back(wp);
    };
    add(1, "file:" + (dir / "receipts-1.bin").string());
    add(2, "file:" + (dir / "no-such-folder" / "receipts-2.bin").string());
}

// The receipt_printed event of `job_id` on the hub's bus (waits up to 10 s).
std::optional<HubEvent> receipt_event(Hub& hub, long long after, const std::string& job_id) {
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    long long last = after;
    while (std::chrono::steady_clock::now() < deadline) {
        auto b = hub.events().wait(last, EventFilter{}, 200ms);
        for (auto& e : b.events)
            if (e.type == HubEventType::receipt_printed && e.receipt && e.receipt->job_id == job_id) return e;
        last = b.last_id;
    }
    return std::nullopt;
}

json complete_at(QueueWorld& w, int window, const std::string& category, const std::string& case_no,
                 const json& extra = json::object()) {
    w.take(category);
    w.sign_in(window);
    w.ok(w.act(window, "call-next"));
    json body = {{"case_no", case_no}, {"item_code", "11370921MB1873562E4000153001000"}};
    for (auto it = extra.begin(); it != extra.end(); ++it) body[it.key()] = it.value();
    return w.ok(w.act(window, "complete", body));
}

}  // namespace

TEST_CASE("Queue API: 办结 prints the 办件回执 with the case's QR on the window's printer", "[hall_api_queue]") {
    TempDir printers;
    QueueWorld w(10, 0, true, [&](Config& c) { with_receipt_printers(c, printers.path()); });
    const long long before = w.hub().events().last_id();
    const json done = complete_at(w, 1, "SBYB", "370921-20261008-0007");
    REQUIRE(done["receipt_print"]["status"] == "queued");
    CHECK(done["receipt_print"]["printer"].get<std::string>().find("generic-80") != std::string::npos);
    const std::string job = done["receipt_print"]["job_id"];

    auto ev = receipt_event(w.hub(), before, job);
    REQUIRE(ev);
    CHECK(ev->window == 1);
    CHECK(ev->case_nos == std::vector<std::string>{"370921-20261008-0007"});
    CHECK(ev->receipt->printed);
    CHECK(ev->receipt->reason_zh.empty());

    // What reached the printer is a receipt whose QR is the reply's rating_url.
    const auto bytes = read_file(printers.path() / "receipts-1.bin");
    REQUIRE(bytes.size() > 1000);
    const auto profile = printer::load_profile(assets_dir() / "printers", "generic-80");
    auto page = printer::render(printer::Bytes(bytes.begin(), bytes.end()), profile);
    REQUIRE(page);
    CHECK(page.value().cuts == 1);
    printer::write_png(page.value(), printer::test::preview_dir() / "hub-receipt-window-1.png");  // to look at
    const auto codes = printer::test::decode_qr(page.value());
    REQUIRE(codes.size() == 1);
    REQUIRE(done["rating_url"].is_string());
    CHECK(codes.front() == done["rating_url"].get<std::string>());

    // The staff console's stream carries it too, with its outcome.
    auto sse = sse_events(w, "/api/v1/events", before, 50);
    bool seen = false;
    for (const auto& [type, data] : sse)
        if (type == "receipt_printed" && data["receipt"]["job_id"] == job) {
            seen = true;
            CHECK(data["window"] == 1);
            CHECK(data["receipt"]["printed"] == true);
            CHECK(data["receipt"]["reason_zh"].is_null());
        }
    CHECK(seen);

    // 重打回执: a second copy of the same case.
    const long long before_reprint = w.hub().events().last_id();
    auto again = w.ok(w.act(1, "print-receipt", {{"case_no", "370921-20261008-0007"}}), 202);
    REQUIRE(again["receipt_print"]["status"] == "queued");
    CHECK(again["receipt_print"]["job_id"] != job);
    auto ev2 = receipt_event(w.hub(), before_reprint, again["receipt_print"]["job_id"]);
    REQUIRE(ev2);
    CHECK(ev2->receipt->printed);
    CHECK(read_file(printers.path() / "receipts-1.bin").size() > bytes.size());
}

TEST_CASE("Queue API: a receipt printer that fails, a window without one, and 办结 without printing",
          "[hall_api_queue]") {
    TempDir printers;
    QueueWorld w(10, 0, true, [&](Config& c) { with_receipt_printers(c, printers.path()); });

    SECTION("the failure reaches the console as an event with a reason to act on; the case is stored") {
        const long long before = w.hub().events().last_id();
        const json done = complete_at(w, 2, "BDC", "BDC-2026-0001");
        REQUIRE(done["receipt_print"]["status"] == "queued");
        CHECK(done["rating"]["opened"] == true);
        auto ev = receipt_event(w.hub(), before, done["receipt_print"]["job_id"]);
        REQUIRE(ev);
        CHECK_FALSE(ev->receipt->printed);
        CHECK_FALSE(ev->receipt->reason_zh.empty());
        CHECK(w.hub().find_case("BDC-2026-0001"));
    }
    SECTION("a window without a printer says so, and reprint there is refused with 409") {
        const json done = complete_at(w, 4, "QYKB", "QY-2026-0001");
        CHECK(done["receipt_print"]["status"] == "no_printer");
        CHECK(done["receipt_print"]["message_zh"].get<std::string>().find("receipt_printer") != std::string::npos);
        auto again = w.act(4, "print-receipt", {{"case_no", "QY-2026-0001"}});
        CHECK(status(again) == 409);
        CHECK(error_code(again) == "no_receipt_printer");
    }
    SECTION("print_receipt false prints nothing") {
        const json done = complete_at(w, 1, "SBYB", "SB-2026-0002", {{"print_receipt", false}});
        CHECK(done["receipt_print"]["status"] == "not_requested");
        CHECK_FALSE(std::filesystem::exists(printers.path() / "receipts-1.bin"));
    }
    SECTION("hostile reprints: unknown case, another window's case, a bad body, a bad flag") {
        complete_at(w, 1, "SBYB", "SB-2026-0003");
        auto unknown = w.act(1, "print-receipt", {{"case_no", "NO-SUCH-CASE"}});
        CHECK(status(unknown) == 404);
        CHECK(error_code(unknown) == "unknown_case");
        auto other = w.act(2, "print-receipt", {{"case_no", "SB-2026-0003"}});
        CHECK(status(other) == 409);
        CHECK(error_code(other) == "wrong_window");
        CHECK(status(w.act(1, "print-receipt", json::object())) == 400);
        CHECK(status(w.act(1, "print-receipt", {{"case_no", 12}})) == 400);
        w.take("SBYB");
        w.ok(w.act(1, "call-next"));
        auto flag = w.act(
            1, "complete",
            {{"case_no", "SB-2026-0004"}, {"item_code", "11370921MB1873562E4000153001000"}, {"print_receipt", "yes"}});
        CHECK(status(flag) == 400);
        CHECK_FALSE(w.hub().find_case("SB-2026-0004"));
        // A device token (the rating tablet) may not print receipts either.
        CHECK(status(w.act(1, "print-receipt", {{"case_no", "SB-2026-0003"}}, kWindow1Token)) == 403);
    }
}

// ---- RemoteQueue: the display and the ticket station on another host ----

namespace {

RemoteQueueOptions remote_options(int port, const std::string& token = kStationToken) {
    RemoteQueueOptions o;
    o.hub_url = "http://127.0.0.1:" + std::to_string(port);
    o.token = token;
    o.request_timeout = 2s;
    o.reconnect_delay = 100ms;
    return o;
}

// Collects what a subscription delivers.
struct Received {
    std::mutex m;
    std::condition_variable cv;
    std::vector<HubEvent> events;
    void add(const HubEvent& e) {
        std::lock_guard l(m);
        events.push_back(e);
        cv.notify_all();
    }
    // Waits (≤ 5 s) for an event matching `pred`.
    std::optional<HubEvent> wait_for(const std::function<bool(const HubEvent&)>& pred, size_t from = 0) {
        std::unique_lock l(m);
        std::optional<HubEvent> found;
        cv.wait_for(l, 5s, [&] {
            for (size_t i = from; i < events.size(); ++i)
                if (pred(events[i])) {
                    found = events[i];
                    return true;
                }
            return false;
        });
        return found;
    }
    size_t size() {
        std::lock_guard l(m);
        return events.size();
    }
};

}  // namespace

TEST_CASE("RemoteQueue reads the hub's queue, takes tickets and follows calls over the event stream",
          "[hall_api_queue]") {
    QueueWorld w;
    RemoteQueue rq(remote_options(*w.service->api_port()));

    auto empty = rq.snapshot();
    REQUIRE(empty);
    CHECK(empty.value().categories.size() == 4);
    CHECK(empty.value().categories.front().code == "SBYB");
    CHECK(empty.value().categories.front().prefix == 'A');
    CHECK(empty.value().windows.size() == 4);

    auto t = rq.take("SBYB", false);
    REQUIRE(t);
    CHECK(t.value().ticket.number == "A001");
    CHECK(t.value().ticket.category == "SBYB");
    CHECK(t.value().ticket.business_day == format_date(china_date(w.clock())));
    CHECK(t.value().category_name == "社保医保");
    CHECK(t.value().estimate.people_ahead == 0);
    CHECK(t.value().ticket.issued_at.time_since_epoch().count() > 0);

    // The hub's own refusal, with its cause and Chinese message.
    auto unknown = rq.take("NOPE", false);
    REQUIRE_FALSE(unknown);
    CHECK(unknown.error().cause == QueueErrc::unknown_category);
    CHECK_FALSE(unknown.error().message_zh.empty());

    Received got;
    rq.subscribe([&](const HubEvent& e) { got.add(e); });
    // On connecting: a queue_changed, so the screen reads what it may have missed.
    REQUIRE(got.wait_for([](const HubEvent& e) { return e.type == HubEventType::queue_changed; }));
    CHECK(rq.online());
    const size_t before = got.size();
    w.sign_in(1);
    w.ok(w.act(1, "call-next"));
    auto call = got.wait_for([](const HubEvent& e) { return e.type == HubEventType::queue_called; }, before);
    REQUIRE(call);
    REQUIRE(call->call);
    CHECK(call->call->number == "A001");
    CHECK(call->call->window == 1);
    CHECK(call->call->action == "call");
    auto snap = rq.snapshot();
    REQUIRE(snap);
    REQUIRE_FALSE(snap.value().last_calls.empty());
    CHECK(snap.value().last_calls.front().number == "A001");
    CHECK(snap.value().windows.front().current);
    CHECK(snap.value().windows.front().current->number == "A001");

    // The hub goes away: the stream says so (online false, with a queue_changed), a ticket
    // cannot be taken and the station gets a plain message, nothing throws.
    const size_t at_stop = got.size();
    w.service->stop();
    REQUIRE(got.wait_for([](const HubEvent& e) { return e.type == HubEventType::queue_changed; }, at_stop));
    for (int i = 0; i < 50 && rq.online(); ++i) std::this_thread::sleep_for(100ms);
    CHECK_FALSE(rq.online());
    auto down = rq.take("SBYB", false);
    REQUIRE_FALSE(down);
    CHECK(down.error().cause == QueueErrc::storage_error);
    CHECK(down.error().message_zh.find("连不上排队服务") != std::string::npos);
    CHECK_FALSE(rq.snapshot());
    rq.unsubscribe();
}

TEST_CASE("RemoteQueue: a wrong token and a server that is not the hub get plain failures, never a crash",
          "[hall_api_queue]") {
    SECTION("a wrong token names the token file") {
        QueueWorld w;
        RemoteQueue rq(remote_options(*w.service->api_port(), "not-a-token-0123456789"));
        auto r = rq.take("SBYB", false);
        REQUIRE_FALSE(r);
        CHECK(r.error().cause == QueueErrc::storage_error);
        CHECK(r.error().message_zh.find("hub_token_file") != std::string::npos);
        CHECK_FALSE(rq.snapshot());
    }
    SECTION("hostile replies: not JSON, wrong shapes, wrong types, garbage events") {
        httplib::Server fake;
        std::atomic<int> variant{0};
        fake.Get("/api/v1/queue", [&](const httplib::Request&, httplib::Response& res) {
            static const char* bodies[] = {
                "not json", R"({"at": 5})",
                R"({"at":"2026-03-04T10:00:00+08:00","categories":[{"code":"A","prefix":"AB","waiting":1}],"windows":[],"last_calls":[]})",
                R"({"at":"2026-03-04T10:00:00+08:00","categories":[],"windows":[{"window":"x"}],"last_calls":[]})"};
            res.set_content(bodies[variant.load() % 4], "application/json");
        });
        fake.Post("/api/v1/tickets", [&](const httplib::Request&, httplib::Response& res) {
            static const char* bodies[] = {"not json", R"({"ticket": 1})", R"({"error":{"code":42,"message":7}})",
                                           R"({"error":{"code":"daily_cap_reached"}})"};
            const int v = variant.load() % 4;
            res.status = v >= 2 ? 409 : 201;
            res.set_content(bodies[v], "application/json");
        });
        fake.Get("/api/v1/events", [&](const httplib::Request&, httplib::Response& res) {
            res.set_content(
                "id: x\nevent: queue_called\ndata: {\"window\":\"x\",\"call\":{\"number\":5}}\n\n"
                "event: queue_called\ndata: not json\n\n"
                "id: 3\nevent: queue_called\ndata: {\"window\":2,\"call\":{\"number\":\"A009\",\"window\":2}}\n\n",
                "text/event-stream");
        });
        const int port = fake.bind_to_any_port("127.0.0.1");
        std::thread serve([&] { fake.listen_after_bind(); });
        RemoteQueue rq(remote_options(port));
        for (int v = 0; v < 4; ++v) {
            variant = v;
            INFO("variant " << v);
            auto s = rq.snapshot();
            CHECK_FALSE(s);
            if (!s) CHECK(s.error().cause == QueueErrc::storage_error);
            auto t = rq.take("SBYB", false);
            REQUIRE_FALSE(t);
            CHECK(t.error().cause == QueueErrc::storage_error);  // a cause without its message is not the hub's
            CHECK_FALSE(t.error().message_zh.empty());
        }
        Received got;
        rq.subscribe([&](const HubEvent& e) { got.add(e); });
        auto call = got.wait_for([](const HubEvent& e) { return e.type == HubEventType::queue_called; });
        REQUIRE(call);  // only the well-formed one came through
        CHECK(call->call->number == "A009");
        CHECK(call->id == 3);
        rq.unsubscribe();
        fake.stop();
        serve.join();
    }
    SECTION("a reply larger than any real one is cut off, not buffered") {
        httplib::Server fake;
        // A valid snapshot padded past the client's cap: only its size is wrong.
        const std::string huge =
            R"({"at":"2026-03-04T10:00:00+08:00","categories":[],"windows":[],"last_calls":[],"pad":")" +
            std::string(6 * 1024 * 1024, 'x') + "\"}";
        fake.Get("/api/v1/queue",
                 [&](const httplib::Request&, httplib::Response& res) { res.set_content(huge, "application/json"); });
        const int port = fake.bind_to_any_port("127.0.0.1");
        std::thread serve([&] { fake.listen_after_bind(); });
        RemoteQueue rq(remote_options(port));
        auto s = rq.snapshot();
        CHECK_FALSE(s);
        fake.stop();
        serve.join();
    }
}

TEST_CASE("Queue API: the business system books appointments and the ticket station checks them in",
          "[hall_api_queue]") {
    QueueWorld w;
    const std::string today = format_date(china_date(w.clock()));
    auto booked =
        w.ok(w.post("/api/v1/appointments", {{"code", "a20260304"}, {"category", "BDC"}, {"day", today}}), 201);
    CHECK(booked["code"] == "A20260304");
    CHECK(booked["state"] == "booked");
    CHECK(booked["ticket_number"].is_null());
    // Only the business system books: a terminal's token may not.
    CHECK(status(w.post("/api/v1/appointments", {{"code", "X1234567"}, {"category", "BDC"}, {"day", today}},
                        kStationToken)) == 403);

    auto t = w.ok(w.post("/api/v1/tickets", {{"appointment_code", "A20260304"}}, kStationToken), 201);
    CHECK(t["number"] == "B001");
    CHECK(t["category"] == "BDC");
    CHECK(t["appointment_code"] == "A20260304");
    auto read = w.ok(w.client(kSystemToken).Get("/api/v1/appointments/A20260304"));
    CHECK(read["state"] == "checked_in");
    CHECK(read["ticket_number"] == "B001");

    // The same code at once (a retry after a lost reply): the same ticket; later: refused.
    auto retry = w.ok(w.post("/api/v1/tickets", {{"appointment_code", "A20260304"}}, kStationToken), 201);
    CHECK(retry["number"] == "B001");
    w.advance(std::chrono::minutes(3));
    auto again = w.post("/api/v1/tickets", {{"appointment_code", "A20260304"}}, kStationToken);
    CHECK(status(again) == 409);
    CHECK(error_code(again) == "appointment_used");
    auto unknown = w.post("/api/v1/tickets", {{"appointment_code", "NOSUCH01"}}, kStationToken);
    CHECK(status(unknown) == 404);
    CHECK(error_code(unknown) == "unknown_appointment");

    // Cancel, then the code is unknown; a checked-in one cannot be cancelled.
    w.ok(w.post("/api/v1/appointments", {{"code", "C0000001"}, {"category", "HJ"}, {"day", today}}), 201);
    auto del = w.client(kSystemToken).Delete("/api/v1/appointments/C0000001");
    REQUIRE(del);
    CHECK(del->status == 200);
    CHECK(status(w.post("/api/v1/tickets", {{"appointment_code", "C0000001"}}, kStationToken)) == 404);
    auto del_used = w.client(kSystemToken).Delete("/api/v1/appointments/A20260304");
    REQUIRE(del_used);
    CHECK(del_used->status == 409);

    // Hostile bodies: wrong types, missing fields, bad days, bad codes; nothing stored.
    CHECK(status(w.post("/api/v1/appointments", {{"code", 12}, {"category", "BDC"}, {"day", today}})) == 400);
    CHECK(status(w.post("/api/v1/appointments", {{"code", "D0000001"}, {"day", today}})) == 400);
    auto bad_day = w.post("/api/v1/appointments", {{"code", "D0000001"}, {"category", "BDC"}, {"day", "2020-01-01"}});
    CHECK(status(bad_day) == 422);
    CHECK(error_code(bad_day) == "invalid_field");
    CHECK(status(w.post("/api/v1/appointments", {{"code", "D-1"}, {"category", "BDC"}, {"day", today}})) == 422);
    CHECK(status(w.client(kSystemToken).Get("/api/v1/appointments/D0000001")) == 404);
    CHECK(status(w.post("/api/v1/tickets", {{"appointment_code", 5}}, kStationToken)) == 400);
    CHECK(status(w.post("/api/v1/tickets", json::object(), kStationToken)) == 400);  // neither field

    // The ticket station on another host checks in through RemoteQueue.
    w.ok(w.post("/api/v1/appointments",
                {{"code", "E0000001"}, {"category", "SBYB"}, {"day", today}, {"priority", true}}),
         201);
    RemoteQueue rq(remote_options(*w.service->api_port()));
    auto remote = rq.check_in("e0000001");
    REQUIRE(remote);
    CHECK(remote.value().ticket.number == "A001");
    CHECK(remote.value().ticket.priority);
    w.advance(std::chrono::minutes(3));
    auto remote_again = rq.check_in("E0000001");
    REQUIRE_FALSE(remote_again);
    CHECK(remote_again.error().cause == QueueErrc::appointment_used);
    CHECK(remote_again.error().message_zh.find("A001") != std::string::npos);
}

TEST_CASE("Queue API: an action without fields is taken without a body and with an empty JSON body",
          "[hall_api_queue]") {
    QueueWorld w;
    w.take("SBYB");
    w.take("SBYB");
    w.sign_in(1);
    const int port = w.service->api_port().value_or(0);
    const std::string auth = std::string("Authorization: Bearer ") + kSystemToken + "\r\n";
    // curl -X POST $B/windows/1/call-next -H "$W1": no body, no Content-Length, no Content-Type.
    auto bare = raw_exchange(port, "POST /api/v1/windows/1/call-next HTTP/1.1\r\nHost: hub\r\n" + auth + "\r\n");
    INFO(bare.head << "\n" << bare.body);
    CHECK(bare.status == 200);
    CHECK(json::parse(bare.body, nullptr, false).value("call", json::object()).value("number", "") == "A001");
    // Content-Type: application/json and an empty body.
    auto empty = raw_exchange(port, "POST /api/v1/windows/1/call-next HTTP/1.1\r\nHost: hub\r\n" + auth +
                                        "Content-Type: application/json\r\nContent-Length: 0\r\n\r\n");
    CHECK(empty.status == 409);  // A001 is still open at the window: the action ran, and said so
    CHECK(error_code_of(empty.body) == "window_busy");
    w.sign_in(3);  // window 3 serves SBYB too
    auto empty_no_length = raw_exchange(port, "POST /api/v1/windows/3/call-next HTTP/1.1\r\nHost: hub\r\n" + auth +
                                                  "Content-Type: application/json\r\n\r\n");
    CHECK(empty_no_length.status == 200);
    CHECK(json::parse(empty_no_length.body, nullptr, false).value("call", json::object()).value("number", "") ==
          "A002");
}

TEST_CASE("Queue API: a chunked body is refused before it is read", "[hall_api_queue]") {
    QueueWorld w;
    const int port = w.service->api_port().value_or(0);
    auto r = raw_exchange(port, std::string("POST /api/v1/tickets HTTP/1.1\r\nHost: hub\r\nAuthorization: Bearer ") +
                                    kStationToken +
                                    "\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
                                    "13\r\n{\"category\":\"SBYB\"}\r\n0\r\n\r\n");
    CHECK(r.status == 411);
    CHECK(json::parse(r.body, nullptr, false)["error"]["code"] == "length_required");
    for (const auto& c : w.queue()["categories"]) CHECK(c["issued_today"] == 0);
}

TEST_CASE("Queue API: only ticket stations and the business system take tickets, and never a day's cap at once",
          "[hall_api_queue]") {
    QueueWorld w;
    auto rater = w.post("/api/v1/tickets", {{"category", "BDC"}}, kWindow1Token);
    CHECK(status(rater) == 403);
    CHECK(error_code(rater) == "forbidden");
    CHECK(w.category_line("BDC")["issued_today"] == 0);

    int taken = 0, limited = 0;
    for (int i = 0; i < 60; ++i) {
        auto r = w.post("/api/v1/tickets", {{"category", "BDC"}}, kStationToken);
        REQUIRE(r);
        if (r->status == 201) ++taken;
        if (r->status == 429) {
            ++limited;
            CHECK(r->has_header("Retry-After"));
        }
    }
    CHECK(limited > 0);
    CHECK(taken < 60);
    CHECK(w.category_line("BDC")["issued_today"] == taken);
    // The business system has its own bucket.
    CHECK(status(w.post("/api/v1/tickets", {{"category", "BDC"}}, kSystemToken)) == 201);
}
