#include "rating/demo_hub_link.hpp"

#include <algorithm>

#include "hcp/domain/rules.hpp"

namespace hcp::ui {

DemoHubLink::DemoHubLink(hcp::OptionCatalog catalog) : m_catalog(std::move(catalog)), m_thread([this] { run(); }) {}

DemoHubLink::~DemoHubLink() {
    {
        std::lock_guard lock(m_mutex);
        m_stop = true;
    }
    m_cv.notify_all();
    m_thread.join();
}

void DemoHubLink::run() {
    std::unique_lock lock(m_mutex);
    for (;;) {
        m_cv.wait(lock, [this] { return m_stop || (!m_pending.empty() && m_on_event); });
        if (m_stop) return;
        auto ev = std::move(m_pending.front());
        m_pending.pop_front();
        auto callback = m_on_event;
        lock.unlock();
        callback(ev);
        lock.lock();
    }
}

void DemoHubLink::deliver(hcp::TerminalEvent ev) {
    {
        std::lock_guard lock(m_mutex);
        m_pending.push_back(std::move(ev));
    }
    m_cv.notify_all();
}

void DemoHubLink::subscribe(int /*window*/, std::function<void(const hcp::TerminalEvent&)> on_event) {
    {
        std::lock_guard lock(m_mutex);
        m_on_event = std::move(on_event);
    }
    m_cv.notify_all();
}

void DemoHubLink::unsubscribe() {
    // The delivery thread copies the callback under the lock; clearing it here stops new
    // deliveries. (A demo link: a callback already running finishes on its own.)
    std::lock_guard lock(m_mutex);
    m_on_event = nullptr;
}

void DemoHubLink::open_case(const hcp::Case& c, bool self_service) {
    hcp::RatingRequest req;
    req.cases.push_back(c);
    req.stage = c.stage;
    req.channel = self_service ? hcp::Channel::self_service : hcp::Channel::window_rater;
    req.target = hcp::allowed_target(c, c.stage, req.channel).value_or(hcp::RatingTarget::item);
    req.window = c.window;
    {
        std::lock_guard lock(m_mutex);
        req.opened_event_id = "demo-" + std::to_string(m_cases.size() + 1);
        m_cases.erase(
            std::remove_if(m_cases.begin(), m_cases.end(), [&](const hcp::Case& k) { return k.case_no == c.case_no; }),
            m_cases.end());
        m_cases.push_back(c);
    }
    hcp::TerminalEvent ev;
    ev.kind = hcp::TerminalEvent::Kind::rating_requested;
    ev.request = std::move(req);
    deliver(std::move(ev));
}

void DemoHubLink::set_online(bool online) {
    {
        std::lock_guard lock(m_mutex);
        m_online = online;
    }
    hcp::TerminalEvent ev;
    ev.kind = online ? hcp::TerminalEvent::Kind::hub_online : hcp::TerminalEvent::Kind::hub_offline;
    deliver(std::move(ev));
}

void DemoHubLink::set_disk_full(bool full) {
    std::lock_guard lock(m_mutex);
    m_disk_full = full;
}

void DemoHubLink::set_submit_delay(std::chrono::milliseconds delay) {
    m_delay_ms = delay.count();
}

hcp::Result<hcp::SubmitResult, hcp::SubmitFailure> DemoHubLink::submit(const hcp::RatingDraft& draft) {
    if (const long long ms = m_delay_ms.load(); ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(ms));
    std::lock_guard lock(m_mutex);
    if (m_disk_full) {
        hcp::SubmitFailure f;
        f.cause = hcp::SubmitFailureCause::disk_nearly_full;
        f.message_zh = "存储空间不足，本次评价未能保存。请联系大厅工作人员，或扫描回执二维码评价。";
        f.detail = "demo: disk full";
        return f;
    }
    hcp::RuleContext ctx{
        m_catalog,
        [this](const std::string& no) -> std::optional<hcp::Case> {
            for (const auto& c : m_cases)
                if (c.case_no == no) return c;
            return std::nullopt;
        },
        [this](const std::string& batch) {
            std::vector<hcp::Case> out;
            for (const auto& c : m_cases)
                if (c.batch_id == batch) out.push_back(c);
            return out;
        },
        [this](const hcp::RatingSlot& s) { return std::find(m_taken.begin(), m_taken.end(), s) != m_taken.end(); },
    };
    auto check = hcp::check_rating(draft, ctx);
    if (!check) {
        hcp::SubmitFailure f;
        f.cause = hcp::SubmitFailureCause::rule_violation;
        f.violation = check.violation;
        f.message_zh = std::string(hcp::message_zh(*check.violation));
        f.detail = std::string(hcp::to_string(*check.violation)) + " " + check.detail;
        return f;
    }
    m_taken.insert(m_taken.end(), check.slots.begin(), check.slots.end());
    hcp::SubmitResult r;
    r.seq = ++m_seq;
    r.rating_id = "demo-rating-" + std::to_string(r.seq);
    r.outcome = m_online ? hcp::SubmitOutcome::stored : hcp::SubmitOutcome::stored_locally;
    if (!m_online) ++m_local;
    return r;
}

void DemoHubLink::record_not_rated(const std::string& /*case_no*/, int /*window*/) {
    // Nothing to keep: the demo link stores nothing durable.
}

hcp::HubStatus DemoHubLink::status() const {
    std::lock_guard lock(m_mutex);
    hcp::HubStatus s;
    s.online = m_online;
    s.pending_forward = m_local;
    return s;
}

}  // namespace hcp::ui
