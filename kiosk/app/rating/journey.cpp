#include "rating/journey.hpp"

#include <ostream>

#include "hcp/domain/rules.hpp"
#include "shell/fonts.hpp"

namespace hcp::ui {

Journey::Journey(LinkWorker* worker, Fonts& fonts, JourneyTimes times, std::ostream& log)
    : m_worker(worker), m_fonts(fonts), m_times(times), m_log(log) {}

void Journey::go(ScreenId s) {
    m_screen = s;
    m_entered = Clock::now();
    m_last_touch = m_entered;
    m_seconds_left = timeout_seconds();
    ++m_version;
}

std::string Journey::case_list() const {
    std::string out;
    if (!m_request) return out;
    for (const auto& c : m_request->cases) out += (out.empty() ? "" : ",") + c.case_no;
    return out;
}

void Journey::reset_choices() {
    m_level.reset();
    m_options.clear();
    m_text.clear();
}

bool Journey::is_theme() const {
    return m_request && m_request->theme && m_request->cases.size() > 1;
}

size_t Journey::item_total() const {
    return m_request ? m_request->cases.size() : 0;
}

std::vector<const hcp::Case*> Journey::scope() const {
    std::vector<const hcp::Case*> out;
    if (!m_request) return out;
    if (is_theme() && m_theme_mode == ThemeMode::per_item) {
        if (m_item < m_request->cases.size()) out.push_back(&m_request->cases[m_item]);
        return out;
    }
    for (const auto& c : m_request->cases) out.push_back(&c);
    return out;
}

void Journey::open(const hcp::RatingRequest& request) {
    // A new case replaces an unfinished one: the earlier case was not rated here.
    if (m_request &&
        (m_screen == ScreenId::rating || m_screen == ScreenId::bad_options || m_screen == ScreenId::theme_choice)) {
        time_out();
    }
    m_request = request;
    for (const auto& c : m_request->cases) {
        // Bake the names before the first frame shows them.
        m_fonts.want(c.item.name);
        m_fonts.want(c.staff.name);
        m_fonts.want(c.staff.number);
    }
    reset_choices();
    m_theme_mode.reset();
    m_item = 0;
    m_items_rated = 0;
    m_stored_locally = false;
    m_log << "journey: opened cases=" << case_list() << " event=" << request.opened_event_id
          << (is_theme() ? " theme" : "") << '\n';
    go(is_theme() ? ScreenId::theme_choice : ScreenId::rating);
}

void Journey::on_event(const hcp::TerminalEvent& ev) {
    using K = hcp::TerminalEvent::Kind;
    if (m_submitting && (ev.kind == K::rating_requested || ev.kind == K::rating_cancelled)) {
        // The rating on its way decides what comes next; the event is applied after it.
        m_deferred.push_back(ev);
        return;
    }
    switch (ev.kind) {
        case K::rating_requested:
            if (!ev.request || ev.request->cases.empty()) return;
            open(*ev.request);
            break;
        case K::rating_cancelled:
            if (m_request && (m_screen == ScreenId::rating || m_screen == ScreenId::bad_options ||
                              m_screen == ScreenId::theme_choice)) {
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
            m_log << "journey: hub online\n";  // links report changes only
            m_online = true;
            ++m_version;
            break;
        case K::hub_offline:
            m_log << "journey: hub offline\n";
            m_online = false;
            ++m_version;
            break;
    }
}

void Journey::touched(Clock::time_point now) {
    m_last_touch = now;
    if (m_seconds_left != timeout_seconds()) {
        m_seconds_left = timeout_seconds();
        ++m_version;
    }
}

std::optional<Clock::time_point> Journey::timeout_at() const {
    if (m_submitting) return std::nullopt;
    switch (m_screen) {
        case ScreenId::theme_choice:
        case ScreenId::rating:
        case ScreenId::bad_options: return m_last_touch + m_times.rating_timeout;
        default: return std::nullopt;
    }
}

std::optional<Clock::time_point> Journey::next_deadline() const {
    // A counting rating screen also wakes when its shown number of seconds next changes.
    if (const auto at = timeout_at(); at && m_seconds_left > 1) return *at - std::chrono::seconds{m_seconds_left - 1};
    if (m_submitting) return std::nullopt;  // the result decides; nothing times out meanwhile
    switch (m_screen) {
        case ScreenId::theme_choice:
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
    if (const auto at = timeout_at(); at && now < *at) {
        const auto left = std::chrono::ceil<std::chrono::seconds>(*at - now);
        if (static_cast<int>(left.count()) != m_seconds_left) {
            m_seconds_left = static_cast<int>(left.count());
            ++m_version;
        }
        return;
    }
    const auto deadline = next_deadline();
    if (!deadline || now < *deadline) return;
    if (m_screen == ScreenId::rating || m_screen == ScreenId::bad_options || m_screen == ScreenId::theme_choice) {
        time_out();
        go(ScreenId::idle);
    } else {
        finish();
    }
}

void Journey::time_out() {
    if (!m_request || m_worker == nullptr) return;
    // Per item: the items rated already keep their ratings; the rest are not rated here.
    const size_t from = (is_theme() && m_theme_mode == ThemeMode::per_item) ? m_item : 0;
    for (size_t i = from; i < m_request->cases.size(); ++i) {
        const auto& c = m_request->cases[i];
        m_worker->record_not_rated(c.case_no, m_request->window);
        m_log << "journey: not rated case=" << c.case_no << '\n';
    }
    m_request.reset();
}

bool Journey::shows_staff() const {
    return m_request && hcp::covers_staff(m_request->target) && m_request->channel != hcp::Channel::self_service;
}

void Journey::choose_theme_mode(ThemeMode mode) {
    if (m_submitting || !is_theme() || m_screen != ScreenId::theme_choice) return;
    m_theme_mode = mode;
    m_item = 0;
    m_log << "journey: theme rated " << (mode == ThemeMode::whole ? "as a whole" : "item by item") << '\n';
    go(ScreenId::rating);
}

void Journey::choose_level(hcp::Level level) {
    if (!m_request || m_submitting || m_screen != ScreenId::rating) return;
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
    if (m_submitting) return;
    if (on)
        m_options.insert(code);
    else
        m_options.erase(code);
    ++m_version;
}

bool Journey::can_submit_bad() const {
    if (m_submitting) return false;
    if (!m_options.empty()) return true;
    return m_text.find_first_not_of(" \t\r\n") != std::string::npos;
}

void Journey::submit_bad() {
    if (m_level && can_submit_bad()) submit(*m_level);
}

void Journey::back_to_levels() {
    if (m_submitting) return;
    m_level.reset();
    go(ScreenId::rating);
}

void Journey::finish() {
    if (m_submitting) return;
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
    if (!m_request || m_worker == nullptr || m_submitting) return;
    hcp::RatingDraft draft;
    for (const auto* c : scope()) draft.case_nos.push_back(c->case_no);
    if (draft.case_nos.empty()) return;
    draft.stage = m_request->stage;
    draft.target = m_request->target;
    draft.level = level;
    draft.option_codes.assign(m_options.begin(), m_options.end());
    draft.text = m_text.find_first_not_of(" \t\r\n") == std::string::npos ? std::string() : m_text;
    draft.channel = m_request->channel;
    draft.tapped_at = hcp::now();
    m_tapped = Clock::now();
    m_submitting = true;
    const std::uint64_t serial = ++m_serial;
    ++m_version;
    // The worker returns once the rating is durable (hub store or local outbox); only then is
    // "thank you" shown. The level is never logged on the terminal.
    m_worker->submit(std::move(draft),
                     [this, serial](const SubmitOutcomeResult& result) { submitted(serial, result); });
}

void Journey::submitted(std::uint64_t serial, const SubmitOutcomeResult& result) {
    if (!m_submitting || serial != m_serial) return;
    m_submitting = false;
    // The terminal keeps no level, reason or text past the submit: the hub (or the outbox) has
    // them now, and no screen after this one shows them.
    reset_choices();
    m_commit_ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - m_tapped).count());
    if (result.ok()) {
        const bool local = result.value().outcome == hcp::SubmitOutcome::stored_locally;
        m_stored_locally = m_stored_locally || local;
        std::string covered;
        for (const auto* c : scope()) covered += (covered.empty() ? "" : ",") + c->case_no;
        m_log << "journey: rated cases=" << covered << " outcome=" << (local ? "stored_locally" : "stored") << '\n';
        ++m_items_rated;
        if (is_theme() && m_theme_mode == ThemeMode::per_item && m_item + 1 < m_request->cases.size()) {
            // The next item of the theme, from a clean slate.
            ++m_item;
            go(ScreenId::rating);
        } else {
            go(ScreenId::thanks);
        }
    } else {
        const auto& f = result.error();
        m_detail = f.message_zh;
        switch (f.cause) {
            case hcp::SubmitFailureCause::rule_violation:
                m_message = f.violation == hcp::RuleViolation::already_rated ? MessageKind::already_rated
                                                                             : MessageKind::refused;
                break;
            case hcp::SubmitFailureCause::disk_nearly_full: m_message = MessageKind::disk_nearly_full; break;
            case hcp::SubmitFailureCause::storage_error: m_message = MessageKind::storage_error; break;
        }
        m_fonts.want(m_detail);
        m_log << "journey: refused cases=" << case_list() << " detail=" << f.detail << '\n';
        go(ScreenId::message);
    }
    // Events that arrived meanwhile, in order (a new case replaces this journey's end screen).
    while (!m_deferred.empty() && !m_submitting) {
        auto ev = std::move(m_deferred.front());
        m_deferred.pop_front();
        on_event(ev);
    }
}

}  // namespace hcp::ui
