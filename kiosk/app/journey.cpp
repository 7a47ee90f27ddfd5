#include "journey.hpp"

#include <ostream>

#include "fonts.hpp"
#include "hcp/rules.hpp"

namespace hcp::ui {

Journey::Journey(hcp::HubLink* link, Fonts& fonts, JourneyTimes times, std::ostream& log)
    : m_link(link), m_fonts(fonts), m_times(times), m_log(log) {}

void Journey::go(ScreenId s) {
    m_screen = s;
    m_entered = Clock::now();
    m_last_touch = m_entered;
    ++m_version;
}

std::string Journey::case_list() const {
    std::string out;
    if (!m_request) return out;
    for (const auto& c : m_request->cases) out += (out.empty() ? "" : ",") + c.case_no;
    return out;
}

void Journey::on_event(const hcp::TerminalEvent& ev) {
    using K = hcp::TerminalEvent::Kind;
    switch (ev.kind) {
    case K::rating_requested:
        if (!ev.request || ev.request->cases.empty()) return;
        // A new case replaces an unfinished one: the earlier case was not rated here.
        if (m_request && (m_screen == ScreenId::rating || m_screen == ScreenId::bad_options)) time_out();
        m_request = ev.request;
        for (const auto& c : m_request->cases) {
            // Bake the names before the first frame shows them.
            m_fonts.want(c.item.name);
            m_fonts.want(c.staff.name);
            m_fonts.want(c.staff.number);
        }
        m_level.reset();
        m_options.clear();
        m_text.clear();
        m_log << "journey: opened cases=" << case_list() << " event=" << ev.request->opened_event_id << '\n';
        go(ScreenId::rating);
        break;
    case K::rating_cancelled:
        if (m_request && (m_screen == ScreenId::rating || m_screen == ScreenId::bad_options)) {
            for (const auto& c : m_request->cases) {
                if (c.case_no == ev.case_no) {
                    m_log << "journey: cancelled case=" << ev.case_no << '\n';
                    m_request.reset();
                    go(ScreenId::idle);
                    break;
                }
            }
        }
        break;
    case K::hub_online:
        m_online = true;
        ++m_version;
        break;
    case K::hub_offline:
        m_online = false;
        ++m_version;
        break;
    }
}

void Journey::touched(Clock::time_point now) { m_last_touch = now; }

std::optional<Clock::time_point> Journey::next_deadline() const {
    switch (m_screen) {
    case ScreenId::rating:
    case ScreenId::bad_options: return m_last_touch + m_times.rating_timeout;
    case ScreenId::thanks: return m_entered + m_times.thanks;
    case ScreenId::message:
        if (m_message == MessageKind::config_error) return std::nullopt;
        return m_entered + m_times.message;
    case ScreenId::idle: return std::nullopt;
    }
    return std::nullopt;
}

void Journey::tick(Clock::time_point now) {
    const auto deadline = next_deadline();
    if (!deadline || now < *deadline) return;
    if (m_screen == ScreenId::rating || m_screen == ScreenId::bad_options) {
        time_out();
        go(ScreenId::idle);
    } else {
        finish();
    }
}

void Journey::time_out() {
    if (!m_request || m_link == nullptr) return;
    for (const auto& c : m_request->cases) {
        m_link->record_not_rated(c.case_no, m_request->window);
        m_log << "journey: not rated case=" << c.case_no << '\n';
    }
    m_request.reset();
}

bool Journey::shows_staff() const {
    return m_request && hcp::covers_staff(m_request->target) && m_request->channel != hcp::Channel::self_service;
}

void Journey::choose_level(hcp::Level level) {
    if (!m_request) return;
    m_level = level;
    if (hcp::is_bad(level)) {
        go(ScreenId::bad_options);
    } else {
        m_options.clear();
        m_text.clear();
        submit(level);
    }
}

void Journey::set_option(const std::string& code, bool on) {
    if (on) m_options.insert(code); else m_options.erase(code);
    ++m_version;
}

bool Journey::can_submit_bad() const {
    if (!m_options.empty()) return true;
    return m_text.find_first_not_of(" \t\r\n") != std::string::npos;
}

void Journey::submit_bad() {
    if (m_level && can_submit_bad()) submit(*m_level);
}

void Journey::back_to_levels() {
    m_level.reset();
    go(ScreenId::rating);
}

void Journey::finish() {
    if (m_screen == ScreenId::message && m_message == MessageKind::config_error) return;
    m_request.reset();
    go(ScreenId::idle);
}

void Journey::show_config_error(std::string detail) {
    m_message = MessageKind::config_error;
    m_detail = std::move(detail);
    go(ScreenId::message);
}

void Journey::submit(hcp::Level level) {
    if (!m_request || m_link == nullptr) return;
    hcp::RatingDraft draft;
    for (const auto& c : m_request->cases) draft.case_nos.push_back(c.case_no);
    draft.stage = m_request->stage;
    draft.target = m_request->target;
    draft.level = level;
    draft.option_codes.assign(m_options.begin(), m_options.end());
    draft.text = m_text.find_first_not_of(" \t\r\n") == std::string::npos ? std::string() : m_text;
    draft.channel = m_request->channel;
    draft.tapped_at = hcp::now();
    // submit() returns once the rating is durable (hub store or local outbox); only then is
    // "thank you" shown. The level is never logged on the terminal.
    auto result = m_link->submit(draft);
    if (result.ok()) {
        m_stored_locally = result.value().outcome == hcp::SubmitOutcome::stored_locally;
        m_log << "journey: rated cases=" << case_list()
              << " outcome=" << (m_stored_locally ? "stored_locally" : "stored") << '\n';
        go(ScreenId::thanks);
        return;
    }
    const auto& f = result.error();
    m_detail = f.message_zh;
    switch (f.cause) {
    case hcp::SubmitFailureCause::rule_violation:
        m_message = f.violation == hcp::RuleViolation::already_rated ? MessageKind::already_rated : MessageKind::refused;
        break;
    case hcp::SubmitFailureCause::disk_nearly_full: m_message = MessageKind::disk_nearly_full; break;
    case hcp::SubmitFailureCause::storage_error: m_message = MessageKind::storage_error; break;
    }
    m_fonts.want(m_detail);
    m_log << "journey: refused cases=" << case_list() << " detail=" << f.detail << '\n';
    go(ScreenId::message);
}

}  // namespace hcp::ui
