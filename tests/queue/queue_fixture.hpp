#pragma once
// A small hall for queue tests: three categories, three windows, a store file in a temp
// folder and a clock the test moves by hand.
//
//   SBYB 社保医保  prefix A  windows 1, 3  ratio 3:1  max wait 60  no cap   08:30–17:00
//   BDC  不动产登记 prefix B  window 2     ratio 2:1  max wait 90  cap 5    08:30–16:30
//   HJ   户籍      prefix C  window 3     ratio 3:1  max wait 60  no cap   08:30–17:00
#include <memory>
#include <optional>
#include <string>

#include "hcp/queue/queue.hpp"
#include "hcp/store/store.hpp"
#include "test_support.hpp"

namespace hcp::test {

inline TimePoint at(const char* iso) {
    auto t = parse_iso8601(iso);
    if (!t) throw std::runtime_error(std::string("bad time in test: ") + iso);
    return *t;
}

inline ServiceCategory category(std::string code, std::string name, char prefix, std::vector<int> windows, int ratio,
                                int max_wait, int cap, std::string opens, std::string closes) {
    ServiceCategory c;
    c.code = std::move(code);
    c.name = std::move(name);
    c.prefix = prefix;
    c.windows = std::move(windows);
    c.priority_ratio = ratio;
    c.max_wait_minutes = max_wait;
    c.daily_cap = cap;
    c.opens = std::move(opens);
    c.closes = std::move(closes);
    c.items = {"ITEM-" + c.code};
    return c;
}

inline QueueSetup small_hall_setup() {
    QueueSetup s;
    s.categories = {
        category("SBYB", "社保医保", 'A', {1, 3}, 3, 60, 0, "08:30", "17:00"),
        category("BDC", "不动产登记", 'B', {2}, 2, 90, 5, "08:30", "16:30"),
        category("HJ", "户籍", 'C', {3}, 3, 60, 0, "08:30", "17:00"),
    };
    s.windows = {Window{1, "1号窗口 社保医保", {"SBYB"}}, Window{2, "2号窗口 不动产登记", {"BDC"}},
                 Window{3, "3号窗口 户籍·社保综合", {"SBYB", "HJ"}}};
    return s;
}

inline Staff staff_for(int window) {
    return Staff{"100" + std::to_string(window), window == 1 ? "王丽" : window == 2 ? "张建国" : "李晓燕"};
}

// Creates the store (schema at the current version) and opens the engine on it.
class QueueHall {
public:
    explicit QueueHall(QueueSetup s = small_hall_setup(), const char* start = "2026-10-08T09:00:00+08:00")
        : m_now(std::make_shared<TimePoint>(at(start))), m_setup(std::move(s)) {
        m_db = m_dir / "hub.db";
        restart_store();
        reopen();
    }

    // Opens (creating or migrating) the store on the file, as the hub does at start.
    void restart_store() {
        StoreOptions o;
        o.path = m_db;
        o.device_id = "hub-01";
        o.min_free_bytes = 0;
        auto store = Store::open(o, m_key);
    }

    QueueEngine& q() { return *m_engine; }
    const std::filesystem::path& db() const { return m_db; }
    const std::filesystem::path& dir() const { return m_dir.path(); }
    TimePoint now() const { return *m_now; }
    void set(TimePoint t) { *m_now = t; }
    void set(const char* iso) { *m_now = at(iso); }
    void advance(std::chrono::milliseconds d) { *m_now += d; }
    QueueSetup& setup() { return m_setup; }

    // Closes the engine and opens a fresh one on the same file: what a restart does.
    void reopen() {
        m_engine.reset();
        QueueSetup s = m_setup;
        auto clock = m_now;
        s.clock = [clock] { return *clock; };
        m_engine.emplace(QueueEngine::open(m_db, std::move(s)));
    }
    void close() { m_engine.reset(); }

    // Helpers that fail the test with the Chinese message when the engine refuses.
    std::string take(const std::string& category, bool priority = false) {
        auto r = m_engine->take_ticket(category, priority);
        if (!r) throw std::runtime_error("take_ticket refused: " + r.error().message);
        return r.value().ticket.number;
    }
    void sign_in(int window) {
        auto r = m_engine->open_window(window, staff_for(window));
        if (!r) throw std::runtime_error("open_window refused: " + r.error().message);
    }
    std::string call(int window) {
        auto r = m_engine->call_next(window);
        if (!r) throw std::runtime_error("call_next refused: " + r.error().message);
        return r.value().ticket.number;
    }
    void finish(int window) {
        auto r = m_engine->complete(window);
        if (!r) throw std::runtime_error("complete refused: " + r.error().message);
    }
    std::vector<std::string> order(const std::string& category) {
        auto r = m_engine->waiting_order(category);
        if (!r) throw std::runtime_error("waiting_order refused: " + r.error().message);
        std::vector<std::string> out;
        for (const auto& p : r.value()) out.push_back(p.entry.number);
        return out;
    }

private:
    TempDir m_dir;
    SecretKey m_key = SecretKey::random();
    std::filesystem::path m_db;
    std::shared_ptr<TimePoint> m_now;
    QueueSetup m_setup;
    std::optional<QueueEngine> m_engine;
};

}  // namespace hcp::test
