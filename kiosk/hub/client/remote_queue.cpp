// RemoteQueue: the hall API's queue endpoints and event stream from another host.
#include "hcp/hub_client/remote_queue.hpp"

#include <httplib.h>

#include <mutex>

#include "hcp/hub_client/hub_json.hpp"
#include "hub_client.hpp"
#include "sse_client.hpp"

namespace hcp {

namespace {

using api::json;

constexpr const char* kUnreachableZh = "暂时连不上排队服务（中心），请稍后再试；如持续出现，请联系工作人员。";

QueueFailure unavailable(std::string why) {
    return QueueFailure{QueueErrc::storage_error, {}, std::nullopt, std::move(why), kUnreachableZh};
}

std::optional<QueueErrc> errc_named(std::string_view code) {
    for (int i = 0; i <= static_cast<int>(QueueErrc::storage_error); ++i) {
        const auto e = static_cast<QueueErrc>(i);
        if (to_string(e) == code) return e;
    }
    return std::nullopt;
}

// The hub's JSON error ({"error": {"code", "message", "detail", "field"}}) as the engine's failure.
QueueFailure refusal_of(const httplib::Result& res) {
    const json j = json::parse(res->body, nullptr, false);
    const json* err = j.is_object() && j.contains("error") && j["error"].is_object() ? &j["error"] : nullptr;
    const std::string code = err != nullptr ? err->value("code", std::string()) : std::string();
    const std::string message = err != nullptr ? err->value("message", std::string()) : std::string();
    const std::string detail = "hub answered " + std::to_string(res->status) + " " + code;
    auto cause = errc_named(code);
    if (!cause || message.empty()) {
        // Not the queue's refusal (a wrong token, no queue on the hub …): the installer's problem.
        QueueFailure f = unavailable(detail + (message.empty() ? "" : ": " + message));
        if (res->status == 401 || res->status == 403)
            f.message_zh = "本机没有访问排队服务的权限（令牌不对）。请联系管理员检查 device.hub_token_file。";
        else if (code == "queue_not_configured")
            f.message_zh = "中心未启用排队叫号。请联系管理员。";
        return f;
    }
    QueueFailure f{*cause, err->value("field", std::string()), std::nullopt, detail, message};
    if (auto s = parse_ticket_state(err->value("state", std::string()))) f.state = *s;
    return f;
}

QueueFailure refusal(const httplib::Result& res) {
    try {
        return refusal_of(res);
    } catch (const json::exception& e) {  // a field of the wrong type: not the hub's reply
        return unavailable("hub answered " + std::to_string(res->status) + " with an unreadable error: " + e.what());
    }
}

}  // namespace

struct RemoteQueue::Reader {
    std::unique_ptr<api::SseClient> sse;
};

RemoteQueue::RemoteQueue(RemoteQueueOptions options) : m_opt(std::move(options)) {}

RemoteQueue::~RemoteQueue() {
    unsubscribe();
}

namespace {

std::unique_ptr<httplib::Client> client_for(const RemoteQueueOptions& o) {
    return api::hub_client(o.hub_url, o.token, o.request_timeout, o.request_timeout);
}

}  // namespace

QueueResult<QueueSnapshot> RemoteQueue::snapshot() const {
    auto res = api::capped_request(*client_for(m_opt), "GET", "/api/v1/queue");
    if (!res) return unavailable("GET /api/v1/queue: " + httplib::to_string(res.error()));
    if (res->status != 200) return refusal(res);
    auto s = api::snapshot_from_json(json::parse(res->body, nullptr, false));
    if (!s) return unavailable("GET /api/v1/queue: the reply is not a queue snapshot");
    return *s;
}

QueueResult<IssuedTicket> RemoteQueue::take(std::string_view category, bool priority) const {
    return post_ticket({{"category", std::string(category)}, {"priority", priority}});
}

QueueResult<IssuedTicket> RemoteQueue::check_in(std::string_view appointment_code) const {
    return post_ticket({{"appointment_code", std::string(appointment_code)}});
}

QueueResult<IssuedTicket> RemoteQueue::post_ticket(const nlohmann::json& body) const {
    auto res = api::capped_request(*client_for(m_opt), "POST", "/api/v1/tickets", body.dump(), "application/json");
    // No answer: the ticket may or may not have been issued; the citizen tries again (a ticket
    // issued without its paper is a no-show later, never a number given twice).
    if (!res) return unavailable("POST /api/v1/tickets: " + httplib::to_string(res.error()));
    if (res->status != 201) return refusal(res);
    const json j = json::parse(res->body, nullptr, false);
    if (!j.is_object()) return unavailable("POST /api/v1/tickets: the reply is not JSON");
    IssuedTicket t;
    auto ticket = j.contains("ticket") ? api::ticket_from_json(j["ticket"]) : std::nullopt;
    auto estimate = j.contains("estimate") ? api::estimate_from_json(j["estimate"]) : std::nullopt;
    if (!ticket || !estimate) return unavailable("POST /api/v1/tickets: the reply is not a ticket");
    t.ticket = std::move(*ticket);
    t.estimate = *estimate;
    auto name = j.find("category_name");
    t.category_name = name != j.end() && name->is_string() ? name->get<std::string>() : t.ticket.category;
    return t;
}

void RemoteQueue::subscribe(std::function<void(const HubEvent&)> on_event) {
    unsubscribe();
    auto cb = std::make_shared<std::function<void(const HubEvent&)>>(std::move(on_event));
    auto changed = [cb] {
        HubEvent e;
        e.type = HubEventType::queue_changed;
        e.window = HubEvent::kAllWindows;
        e.at = hcp::now();
        (*cb)(e);
    };
    api::SseClientOptions o;
    o.hub_url = m_opt.hub_url;
    o.token = m_opt.token;
    o.path = "/api/v1/events";
    o.connect_timeout = m_opt.request_timeout;
    o.read_timeout = m_opt.sse_read_timeout;
    o.reconnect_delay = m_opt.reconnect_delay;
    // No replay: calls missed while away are old news (a display would speak them minutes late);
    // the snapshot read on connecting shows where the queue is now.
    o.resume = false;
    api::SseCallbacks c;
    c.on_open = [this, changed] {
        m_online = true;
        changed();  // what happened while away: the screen re-reads the snapshot
    };
    c.on_lost = [this, changed](const std::string&) {
        if (m_online.exchange(false)) changed();  // the screen says it is not current
    };
    c.on_event = [cb, changed](const api::SseEvent& ev) {
        if (ev.type == "gap") return changed();
        if (ev.type != "queue_called" && ev.type != "queue_changed") return;
        const json j = json::parse(ev.data, nullptr, false);
        if (!j.is_object()) return;
        HubEvent e;
        try {
            e.id = ev.id;
            e.type = ev.type == "queue_called" ? HubEventType::queue_called : HubEventType::queue_changed;
            e.window = j.value("window", HubEvent::kAllWindows);
            if (auto at = parse_iso8601(j.value("at", std::string())))
                e.at = *at;
            else
                e.at = hcp::now();
            if (e.type == HubEventType::queue_called) {
                auto call = j.find("call");
                if (call == j.end() || !call->is_object()) return;
                QueueCallNotice n;
                n.number = call->value("number", std::string());
                n.category = call->value("category", std::string());
                n.window = call->value("window", 0);
                n.window_name = call->value("window_name", std::string());
                n.action = call->value("action", std::string("call"));
                if (n.number.empty() || n.window <= 0) return;
                e.call = std::move(n);
            }
        } catch (const json::exception&) {
            return;  // a field of the wrong type: not an event of the hub's, skipped
        }
        (*cb)(e);
    };
    auto reader = std::make_unique<Reader>();
    reader->sse = std::make_unique<api::SseClient>(std::move(o), std::move(c));
    reader->sse->start();
    std::lock_guard lock(m_reader_mutex);
    m_reader = std::move(reader);
}

void RemoteQueue::unsubscribe() {
    std::unique_ptr<Reader> reader;
    {
        std::lock_guard lock(m_reader_mutex);
        reader = std::move(m_reader);
    }
    reader.reset();  // joins the reader outside the lock: no callback afterwards
}

}  // namespace hcp
