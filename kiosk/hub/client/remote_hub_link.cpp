// RemoteHubLink: HTTP to the hub, its own store and outbox when the hub is away.
#include "hcp/hub_client/remote_hub_link.hpp"

#include <httplib.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "hcp/hub_client/hub_json.hpp"
#include "hcp/store/outbox.hpp"
#include "hub_client.hpp"
#include "sse_client.hpp"

namespace hcp {

namespace {

using api::json;

std::optional<RuleViolation> violation_named(std::string_view code) {
    for (int i = 0; i <= static_cast<int>(RuleViolation::no_staff_to_rate); ++i) {
        auto v = static_cast<RuleViolation>(i);
        if (to_string(v) == code) return v;
    }
    return std::nullopt;
}

// The `error.code` of a hall API error reply, empty when the body is not one.
std::string error_code(const std::string& body) {
    const json j = json::parse(body, nullptr, false);
    if (!j.is_object() || !j.contains("error") || !j["error"].is_object()) return {};
    const auto it = j["error"].find("code");
    return it != j["error"].end() && it->is_string() ? it->get<std::string>() : std::string();
}

}  // namespace

struct RemoteHubLink::Impl {
    RemoteHubLinkOptions opt;
    SecretKey key;
    mutable std::mutex store_mutex;
    Store store;

    // Link state. Unknown until the first answer or failure: the first one is always reported
    // (a terminal started while the hub is down shows the offline banner at once, not never).
    enum class LinkState { unknown, online, offline };
    std::atomic<LinkState> state{LinkState::unknown};
    std::atomic<long long> pending{0};
    mutable std::mutex state_mutex;
    std::string last_error;

    // Reader: the event stream of this terminal's window (sse_client.hpp).
    std::mutex reader_mutex;  // guards the fields below
    std::unique_ptr<api::SseClient> reader;
    std::shared_ptr<std::function<void(const TerminalEvent&)>> callback;
    long long last_event_id = -1;  // kept across subscriptions: a new one resumes from here

    // Forwarder.
    std::mutex fwd_mutex;
    std::condition_variable fwd_cv;
    bool fwd_stop = false;
    bool fwd_wake = false;
    std::thread forwarder;

    Impl(RemoteHubLinkOptions o, const SecretKey& k) : opt(std::move(o)), key(k), store(open_store(opt, k)) {}

    static Store open_store(RemoteHubLinkOptions& o, const SecretKey& k) {
        o.store.outbox_target = "hub";
        return Store::open(o.store, k);
    }

    std::unique_ptr<httplib::Client> client(std::chrono::milliseconds read_timeout) const {
        return api::hub_client(opt.hub_url, opt.token, opt.request_timeout, read_timeout);
    }

    void set_error(const std::string& e) {
        std::lock_guard lock(state_mutex);
        last_error = e;
    }

    void emit(const TerminalEvent& e) {
        std::shared_ptr<std::function<void(const TerminalEvent&)>> cb;
        {
            std::lock_guard lock(reader_mutex);
            cb = callback;
        }
        if (cb) (*cb)(e);
    }

    void went_online() {
        if (state.exchange(LinkState::online) != LinkState::online) {
            TerminalEvent e;
            e.kind = TerminalEvent::Kind::hub_online;
            emit(e);
            wake_forwarder();
        }
    }
    void went_offline(const std::string& why) {
        set_error(why);
        if (state.exchange(LinkState::offline) != LinkState::offline) {
            TerminalEvent e;
            e.kind = TerminalEvent::Kind::hub_offline;
            emit(e);
        }
    }

    void wake_forwarder() {
        {
            std::lock_guard lock(fwd_mutex);
            fwd_wake = true;
        }
        fwd_cv.notify_all();
    }

    // One event of the stream.
    void handle_event(const api::SseEvent& ev) {
        if (ev.id >= 0) {
            std::lock_guard lock(reader_mutex);
            last_event_id = ev.id;
        }
        const std::string id = ev.id >= 0 ? std::to_string(ev.id) : std::string();
        const std::string& type = ev.type;
        const std::string& data = ev.data;
        // A terminal uses two event types; the stream also carries others (rating_stored,
        // queue_called, queue_changed, types added later …): skipped unread, never an error.
        if (type != "rating_requested" && type != "rating_cancelled") return;
        if (data.empty()) return;
        json j = json::parse(data, nullptr, false);
        if (j.is_discarded() || !j.is_object()) return;
        if (type == "rating_requested") {
            auto it = j.find("request");
            if (it == j.end()) return;
            auto req = api::request_from_json(*it);
            if (!req) return;
            if (!id.empty()) req->opened_event_id = id;
            // The screen first: the case shows while its copy is written below (a synchronous
            // SQLite commit). The store lock is taken before the event goes out, so a submit
            // prompted by it (which needs the copy when the hub is away) waits for the copy.
            // (The kiosk only posts from the callback; a submit() inside it would wait forever.)
            std::unique_lock lock(store_mutex);
            TerminalEvent e;
            e.kind = TerminalEvent::Kind::rating_requested;
            e.request = req;
            emit(e);
            // Keep the cases so a rating can be checked and stored here if the hub goes away.
            for (const auto& c : req->cases) {
                try {
                    store.save_case(c);
                } catch (const Error& ex) {
                    set_error(std::string("saving case locally: ") + ex.what());
                }
            }
        } else if (type == "rating_cancelled") {
            TerminalEvent e;
            e.kind = TerminalEvent::Kind::rating_cancelled;
            if (auto it = j.find("case_nos");
                it != j.end() && it->is_array() && !it->empty() && it->front().is_string())
                e.case_no = it->front().get<std::string>();
            emit(e);
        }
    }

    void start_reader(int window) {
        api::SseClientOptions o;
        o.hub_url = opt.hub_url;
        o.token = opt.token;
        o.path = "/api/v1/events?window=" + std::to_string(window);
        o.connect_timeout = opt.request_timeout;
        o.read_timeout = opt.sse_read_timeout;
        o.reconnect_delay = opt.reconnect_delay;
        api::SseCallbacks cb;
        cb.on_open = [this] { went_online(); };
        cb.on_event = [this](const api::SseEvent& e) { handle_event(e); };
        cb.on_lost = [this](const std::string& why) { went_offline(why); };
        std::lock_guard lock(reader_mutex);
        o.last_id = last_event_id;
        reader = std::make_unique<api::SseClient>(std::move(o), std::move(cb));
        reader->start();
    }

    void stop_reader() {
        std::unique_ptr<api::SseClient> r;
        {
            std::lock_guard lock(reader_mutex);
            r = std::move(reader);
        }
        r.reset();  // joins the reader thread: no callback runs after this
        std::lock_guard lock(reader_mutex);
        callback.reset();
    }

    // Posts every pending local rating to the hub; returns true when nothing is left to do now.
    void forward_pass(OutboxQueue& queue) {
        for (int round = 0; round < 100; ++round) {
            const TimePoint t = now();
            auto batch = queue.claim(20, t, t + std::chrono::seconds(60));
            if (batch.ratings.empty()) break;
            auto cli = client(opt.request_timeout);
            std::vector<std::string> acked;
            bool unreachable = false;
            // The hub takes a device's ratings only as the next link of its chain: send in seq order.
            std::sort(batch.ratings.begin(), batch.ratings.end(),
                      [](const Rating& a, const Rating& b) { return a.seq < b.seq; });
            for (const auto& r : batch.ratings) {
                if (unreachable) {
                    queue.mark_retry({r.id}, last_error_copy(), t + opt.forward_interval);
                    continue;
                }
                json body = {{"forwarded", api::rating_json(r)}};
                auto res = api::capped_request(*cli, "POST", "/api/v1/ratings", body.dump(), "application/json");
                if (!res || (res->status >= 500 && res->status != 507)) {
                    unreachable = true;
                    std::string why = res ? "hub answered " + std::to_string(res->status)
                                          : "hub unreachable: " + httplib::to_string(res.error());
                    set_error(why);
                    queue.mark_retry({r.id}, why, t + opt.forward_interval);
                } else if (res->status == 200 || res->status == 201) {
                    acked.push_back(r.id);
                } else if (res->status == 507) {
                    // Later links would only be refused as out of order: wait together.
                    unreachable = true;
                    queue.mark_retry({r.id}, "hub disk nearly full", t + opt.forward_interval);
                } else if (res->status == 409 && error_code(res->body) == "out_of_order") {
                    // An earlier link has not reached the hub yet (it waits for a retry).
                    unreachable = true;
                    queue.mark_retry({r.id}, "waiting for an earlier rating to reach the hub",
                                     t + opt.forward_interval);
                } else {
                    // 409 (rated meanwhile on the hub: the hub keeps it as a superseded link of
                    // this device's chain), 400, 403, 404: the hub will never take it as a rating;
                    // kept here with the reason, never deleted.
                    queue.mark_rejected(r.id, "hub refused (" + std::to_string(res->status) + "): " + res->body, t);
                }
            }
            if (!acked.empty()) queue.mark_acked(acked, now());
            if (unreachable) break;
        }
        pending = queue.sync_state().not_uploaded;
    }

    std::string last_error_copy() const {
        std::lock_guard lock(state_mutex);
        return last_error;
    }

    void forwarder_loop() {
        std::optional<OutboxQueue> queue;
        try {
            queue.emplace(OutboxQueue::open(opt.store.path, "hub"));
            queue->requeue_in_flight(now());
        } catch (const Error& e) {
            set_error(std::string("outbox: ") + e.what());
            return;
        }
        for (;;) {
            try {
                forward_pass(*queue);
            } catch (const Error& e) {
                set_error(std::string("forwarding: ") + e.what());
            }
            std::unique_lock lock(fwd_mutex);
            // While ratings wait, retry every forward_interval; otherwise sleep until woken.
            auto wait = pending.load() > 0 ? opt.forward_interval : std::chrono::milliseconds(60000);
            fwd_cv.wait_for(lock, wait, [&] { return fwd_stop || fwd_wake; });
            if (fwd_stop) return;
            fwd_wake = false;
        }
    }
};

RemoteHubLink::RemoteHubLink(RemoteHubLinkOptions options, const SecretKey& key)
    : m_impl(std::make_unique<Impl>(std::move(options), key)) {
    m_impl->pending = static_cast<long long>(m_impl->store.outbox(OutboxState::pending).size());
    m_impl->forwarder = std::thread([im = m_impl.get()] { im->forwarder_loop(); });
}

RemoteHubLink::~RemoteHubLink() {
    unsubscribe();
    {
        std::lock_guard lock(m_impl->fwd_mutex);
        m_impl->fwd_stop = true;
    }
    m_impl->fwd_cv.notify_all();
    if (m_impl->forwarder.joinable()) m_impl->forwarder.join();
}

void RemoteHubLink::subscribe(int window, std::function<void(const TerminalEvent&)> on_event) {
    unsubscribe();
    auto& im = *m_impl;
    {
        std::lock_guard lock(im.reader_mutex);
        im.callback = std::make_shared<std::function<void(const TerminalEvent&)>>(std::move(on_event));
        im.state = Impl::LinkState::unknown;  // the new subscriber learns the state afresh
    }
    im.start_reader(window);
}

void RemoteHubLink::unsubscribe() {
    m_impl->stop_reader();
}

Result<SubmitResult, SubmitFailure> RemoteHubLink::submit(const RatingDraft& draft) {
    auto& im = *m_impl;
    auto cli = im.client(im.opt.request_timeout);
    auto res = api::capped_request(*cli, "POST", "/api/v1/ratings", api::draft_json(draft).dump(), "application/json");
    if (res && (res->status < 500 || res->status == 507)) {
        im.went_online();
        json j = json::parse(res->body, nullptr, false);
        if (res->status == 201 && j.is_object()) {
            SubmitResult ok;
            ok.outcome = SubmitOutcome::stored;
            ok.rating_id = j.value("rating_id", std::string());
            ok.seq = j.value("seq", 0LL);
            return ok;
        }
        SubmitFailure f;
        f.cause = res->status == 507 ? SubmitFailureCause::disk_nearly_full : SubmitFailureCause::rule_violation;
        std::string code;
        if (j.is_object() && j.contains("error") && j["error"].is_object()) {
            code = j["error"].value("code", std::string());
            f.message_zh = j["error"].value("message", std::string());
        }
        f.violation = violation_named(code);
        if (f.cause == SubmitFailureCause::rule_violation && !f.violation) {
            if (res->status == 409)
                f.violation = RuleViolation::already_rated;
            else if (res->status == 404)
                f.violation = RuleViolation::unknown_case;
            else
                f.violation = RuleViolation::stage_not_open;
        }
        if (f.message_zh.empty()) f.message_zh = "评价未能提交，请联系大厅工作人员。";
        f.detail = "hub answered " + std::to_string(res->status) + " " + code;
        return f;
    }
    // The hub is away: the rating is committed here and forwarded later.
    im.went_offline(res ? "hub answered " + std::to_string(res->status)
                        : "hub unreachable: " + httplib::to_string(res.error()));
    Result<Rating, RecordFailure> rec = [&] {
        std::lock_guard lock(im.store_mutex);
        return im.store.record_rating(draft, RatingContext{im.opt.hall, im.opt.catalog});
    }();
    if (!rec) {
        SubmitFailure f;
        const auto& e = rec.error();
        f.cause = e.cause == RecordFailureCause::rule_violation     ? SubmitFailureCause::rule_violation
                  : e.cause == RecordFailureCause::disk_nearly_full ? SubmitFailureCause::disk_nearly_full
                                                                    : SubmitFailureCause::storage_error;
        f.violation = e.violation;
        f.message_zh = e.message_zh();
        f.detail = "local store: " + e.detail;
        return f;
    }
    ++im.pending;
    im.wake_forwarder();
    SubmitResult ok;
    ok.outcome = SubmitOutcome::stored_locally;
    ok.rating_id = rec.value().id;
    ok.seq = rec.value().seq;
    return ok;
}

void RemoteHubLink::record_not_rated(const std::string& case_no, int window) {
    auto cli = m_impl->client(m_impl->opt.request_timeout);
    json body = {{"case_no", case_no}, {"window", window}};
    auto res = api::capped_request(*cli, "POST", "/api/v1/not-rated", body.dump(), "application/json");
    // Best effort: "not rated" is no rating; when the hub is away the citizen can still use the QR.
    if (!res) m_impl->went_offline("hub unreachable: " + httplib::to_string(res.error()));
}

HubStatus RemoteHubLink::status() const {
    HubStatus s;
    s.online = m_impl->state.load() == Impl::LinkState::online;
    s.pending_forward = m_impl->pending.load();
    s.last_error = m_impl->last_error_copy();
    return s;
}

const OptionCatalog& RemoteHubLink::catalog() const {
    return m_impl->opt.catalog;
}

void RemoteHubLink::forward_now() {
    m_impl->wake_forwarder();
}

}  // namespace hcp
