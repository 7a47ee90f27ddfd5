#pragma once
// What the hall display shows, kept on the main thread: the call now announced, the latest
// call of each window, the waiting counts per category. Window-free, so it is unit-tested.
//
// Contracts:
// - on_call() makes the call current at once (the next frame shows it); on_snapshot() refreshes
//   counts and the per-window list from the queue. A snapshot taken before a call was
//   delivered never hides that call (calls are ordered by their time).
// - version() changes whenever what is shown changes; the app draws a frame then.
// - Calls belong to a business day: a snapshot of a new day clears the calls of the old one,
//   and current_today()/recent_today() never return a call from another China date than `now`
//   (a display left on overnight does not greet the morning with yesterday's numbers).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "hcp/hub/event_bus.hpp"
#include "hcp/queue/queue.hpp"

namespace hcp::ui {

struct BoardCall {
    std::string number;  // "A012"
    int window = 0;
    std::string window_name;  // configured name, e.g. "3号窗口 户籍·社保综合"; empty: none
    std::string action;       // call | call_given | recall | resume
    hcp::TimePoint at{};
};

struct BoardCategory {
    std::string name;
    char prefix = 'A';
    int waiting = 0;
    int waiting_priority = 0;
};

class HallBoard {
public:
    explicit HallBoard(size_t recent_lines = 6) : m_recent_lines(recent_lines) {}

    void on_call(const hcp::QueueCallNotice& call, hcp::TimePoint at);
    void on_snapshot(const hcp::QueueSnapshot& snap);

    const std::optional<BoardCall>& current() const noexcept { return m_current; }
    // The latest call of each window, newest first, at most `recent_lines`.
    const std::vector<BoardCall>& recent() const noexcept { return m_recent; }
    const std::vector<BoardCategory>& categories() const noexcept { return m_categories; }
    std::uint64_t version() const noexcept { return m_version; }
    // Whether the queue data is current (a remote hub reachable); the display warns otherwise.
    void set_online(bool online) {
        if (online != m_online) ++m_version;
        m_online = online;
    }
    bool online() const noexcept { return m_online; }
    // What to draw at `now`: current() and recent() without calls of an earlier China date.
    std::optional<BoardCall> current_today(hcp::TimePoint now) const;
    std::vector<BoardCall> recent_today(hcp::TimePoint now) const;

private:
    void add(BoardCall call);

    size_t m_recent_lines;
    std::optional<BoardCall> m_current;
    std::vector<BoardCall> m_recent;
    std::vector<BoardCategory> m_categories;
    std::vector<std::pair<int, std::string>> m_window_names;
    std::string m_business_day;  // of the last snapshot
    std::uint64_t m_version = 0;
    bool m_online = true;
};

}  // namespace hcp::ui
