#include "hcp/hub/local_hub_link.hpp"

namespace hcp {

std::optional<TerminalEvent> to_terminal_event(const HubEvent& e) {
    TerminalEvent t;
    switch (e.type) {
        case HubEventType::rating_requested:
            if (!e.request) return std::nullopt;
            t.kind = TerminalEvent::Kind::rating_requested;
            t.request = e.request;
            t.request->opened_event_id = std::to_string(e.id);
            return t;
        case HubEventType::rating_cancelled:
            t.kind = TerminalEvent::Kind::rating_cancelled;
            t.case_no = e.case_nos.empty() ? std::string() : e.case_nos.front();
            return t;
        case HubEventType::rating_stored:
        case HubEventType::not_rated:
        case HubEventType::case_updated:
        case HubEventType::queue_called:  // displays, not rating terminals
        case HubEventType::queue_changed:
        case HubEventType::receipt_printed:  // the staff console's
            return std::nullopt;
    }
    return std::nullopt;
}

SubmitFailure to_submit_failure(const HubFailure& f) {
    SubmitFailure s;
    s.violation = f.violation;
    s.message_zh = f.message_zh;
    s.detail = std::string(to_string(f.cause)) + ": " + f.message;
    switch (f.cause) {
        case HubErrc::disk_nearly_full: s.cause = SubmitFailureCause::disk_nearly_full; break;
        case HubErrc::storage_error: s.cause = SubmitFailureCause::storage_error; break;
        default: s.cause = SubmitFailureCause::rule_violation; break;
    }
    if (s.cause == SubmitFailureCause::rule_violation && !s.violation) {
        // wrong window / invalid input: the screen still gets a rule-style refusal.
        s.violation = f.cause == HubErrc::unknown_case ? RuleViolation::unknown_case : RuleViolation::stage_not_open;
    }
    return s;
}

LocalHubLink::LocalHubLink(Hub& hub) : m_hub(hub) {}

LocalHubLink::~LocalHubLink() {
    unsubscribe();
}

void LocalHubLink::subscribe(int window, std::function<void(const TerminalEvent&)> on_event) {
    unsubscribe();
    std::lock_guard lock(m_mutex);
    m_window = window;
    // Take the position first, then the open requests: a request opened in between arrives
    // twice rather than never (terminals replace the screen on a repeated request).
    const long long from = m_hub.events().last_id();
    auto open = m_hub.open_requests(window);
    auto cb = std::make_shared<std::function<void(const TerminalEvent&)>>(std::move(on_event));
    m_subscription = m_hub.events().subscribe(
        EventFilter{window},
        [cb](const HubEvent& e) {
            if (auto t = to_terminal_event(e)) (*cb)(*t);
        },
        from);
    // Requests already open (a terminal restarted mid-case) are delivered here, on the caller's
    // thread, before subscribe() returns; everything later comes on the subscription thread.
    if (!open.empty()) {
        for (auto& r : open) {
            TerminalEvent t;
            t.kind = TerminalEvent::Kind::rating_requested;
            t.request = r;
            (*cb)(t);
        }
    }
}

void LocalHubLink::unsubscribe() {
    EventBus::Subscription old;
    {
        std::lock_guard lock(m_mutex);
        old = std::move(m_subscription);
        m_window.reset();
    }
    old.reset();
}

Result<SubmitResult, SubmitFailure> LocalHubLink::submit(const RatingDraft& draft) {
    Submitter who;
    {
        std::lock_guard lock(m_mutex);
        who.window = m_window;
    }
    if (!who.window && !draft.case_nos.empty()) {
        if (auto c = m_hub.find_case(draft.case_nos.front())) who.window = c->window;
    }
    auto r = m_hub.submit_rating(draft, who);
    if (!r) return to_submit_failure(r.error());
    SubmitResult ok;
    ok.outcome = SubmitOutcome::stored;
    ok.rating_id = r.value().id;
    ok.seq = r.value().seq;
    return ok;
}

void LocalHubLink::record_not_rated(const std::string& case_no, int window) {
    m_hub.record_not_rated(case_no, window);
}

HubStatus LocalHubLink::status() const {
    HubStatus s;
    s.online = true;
    return s;
}

const OptionCatalog& LocalHubLink::catalog() const {
    return m_hub.catalog();
}

}  // namespace hcp
