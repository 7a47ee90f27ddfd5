#pragma once
// A hub for tests: the demo hall with windows 1-3, the shipped catalog, a fresh store in a temp
// folder, and helpers to report cases and build drafts.
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>

#include "fixtures.hpp"
#include "hcp/hub/hub.hpp"
#include "test_support.hpp"

namespace hcp::test {

inline HubSetup hub_setup(const std::filesystem::path& db, const std::string& device = "hub-01") {
    HallFixture hall(assets_dir());
    HubSetup s;
    s.hall = hall.hall;
    s.catalog = hall.catalog;
    s.windows = {Window{1, "综合窗口1", {}}, Window{2, "综合窗口2", {}}, Window{3, "综合窗口3", {}}};
    s.store.path = db;
    s.store.device_id = device;
    s.store.min_free_bytes = 1024 * 1024;
    s.store.outbox_target = "platform";
    return s;
}

struct HubFixture {
    TempDir dir;
    SecretKey key = SecretKey::random();
    std::unique_ptr<Hub> hub = std::make_unique<Hub>(hub_setup(dir / "hub.db"), key);
};

inline CaseReport completed_report(const std::string& case_no, int window = 2) {
    CaseReport r;
    r.case_no = case_no;
    r.item_code = "11370921MB1873562E4000153001000";
    r.item_name = "基本医疗保险参保信息变更登记";
    r.department = "县医疗保障局";
    r.kind = CaseKind::immediate;
    r.stage = Stage::completed;
    r.window = window;
    r.staff_no = window == 0 ? "" : "1002";
    r.staff_name = window == 0 ? "" : "李娜";
    r.applicant.name = PersonalField(PersonalKind::name, "张三丰");
    r.applicant.phone = PersonalField(PersonalKind::phone, "13812341234");
    return r;
}

inline RatingDraft good_draft(const std::string& case_no, RatingTarget target = RatingTarget::both) {
    RatingDraft d;
    d.case_nos = {case_no};
    d.stage = Stage::completed;
    d.target = target;
    d.level = Level::very_satisfied;
    d.channel = Channel::window_rater;
    d.tapped_at = now();
    return d;
}

// Collects values pushed from another thread; wait_for() blocks with a deadline.
template <class T>
class Inbox {
public:
    void push(T v) {
        {
            std::lock_guard lock(m_mutex);
            m_items.push_back(std::move(v));
        }
        m_cv.notify_all();
    }
    // Waits until at least n items arrived (or 5 s passed); returns a copy.
    std::deque<T> wait_for(size_t n, std::chrono::milliseconds limit = std::chrono::seconds(5)) {
        std::unique_lock lock(m_mutex);
        m_cv.wait_for(lock, limit, [&] { return m_items.size() >= n; });
        return m_items;
    }
    size_t size() {
        std::lock_guard lock(m_mutex);
        return m_items.size();
    }

private:
    std::mutex m_mutex;
    std::condition_variable m_cv;
    std::deque<T> m_items;
};

}  // namespace hcp::test
