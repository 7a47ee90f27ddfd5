#include "display/hall_board.hpp"

#include <algorithm>

namespace hcp::ui {

namespace {

// The window's configured name, or empty: the queue names an unnamed window "3号窗口" itself
// (for its Chinese consoles and the voice), which the display draws in its own language.
std::string configured_name(std::string name, int window) {
    if (name == std::to_string(window) + "号窗口") return {};
    return name;
}

}  // namespace

void HallBoard::add(BoardCall call) {
    // One line per window: its latest call.
    auto same =
        std::find_if(m_recent.begin(), m_recent.end(), [&](const BoardCall& c) { return c.window == call.window; });
    if (same != m_recent.end()) {
        if (same->at > call.at) return;  // older news (a snapshot taken before this call)
        if (same->at == call.at && same->number == call.number && same->action == call.action) return;
        m_recent.erase(same);
    }
    if (!m_current || m_current->at <= call.at) m_current = call;
    m_recent.push_back(std::move(call));
    std::stable_sort(m_recent.begin(), m_recent.end(),
                     [](const BoardCall& a, const BoardCall& b) { return a.at > b.at; });
    if (m_recent.size() > m_recent_lines) m_recent.resize(m_recent_lines);
    ++m_version;
}

void HallBoard::on_call(const hcp::QueueCallNotice& call, hcp::TimePoint at) {
    add(BoardCall{call.number, call.window, configured_name(call.window_name, call.window), call.action, at});
}

std::optional<BoardCall> HallBoard::current_today(hcp::TimePoint now) const {
    if (m_current && hcp::china_date(m_current->at) == hcp::china_date(now)) return m_current;
    return std::nullopt;
}

std::vector<BoardCall> HallBoard::recent_today(hcp::TimePoint now) const {
    std::vector<BoardCall> out;
    const auto today = hcp::china_date(now);
    for (const auto& c : m_recent)
        if (hcp::china_date(c.at) == today) out.push_back(c);
    return out;
}

void HallBoard::on_snapshot(const hcp::QueueSnapshot& snap) {
    if (snap.business_day != m_business_day) {
        if (!m_business_day.empty() && (m_current || !m_recent.empty())) {
            m_current.reset();
            m_recent.clear();
            ++m_version;
        }
        m_business_day = snap.business_day;
    }
    std::vector<BoardCategory> cats;
    for (const auto& c : snap.categories) cats.push_back({c.name, c.prefix, c.waiting, c.waiting_priority});
    const bool changed =
        cats.size() != m_categories.size() ||
        !std::equal(cats.begin(), cats.end(), m_categories.begin(), [](const auto& a, const auto& b) {
            return a.name == b.name && a.waiting == b.waiting && a.waiting_priority == b.waiting_priority;
        });
    if (changed) {
        m_categories = std::move(cats);
        ++m_version;
    }
    auto name_of = [&](int window) {
        for (const auto& w : snap.windows)
            if (w.window == window) return configured_name(w.name, window);
        return std::string();
    };
    // Oldest first so the newest ends up current.
    for (auto it = snap.last_calls.rbegin(); it != snap.last_calls.rend(); ++it) {
        add(BoardCall{it->number, it->window, name_of(it->window), std::string(hcp::to_string(it->action)), it->at});
    }
}

}  // namespace hcp::ui
