#pragma once
// DemoHubLink: an in-memory stand-in for the hub, for the UI tests of screens the real links
// cannot be told to fake (offline, disk full). It is NOT durable (nothing is written to disk) and must never
// run in a hall. It applies the real rules (hcp::check_rating) so refusals carry the core's
// messages, delivers events on its own thread like a real link, and can be told to act offline
// or out of disk to show those screens.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "hcp/hub/hub_link.hpp"

namespace hcp::ui {

class DemoHubLink final : public hcp::HubLink {
public:
    explicit DemoHubLink(hcp::OptionCatalog catalog);
    ~DemoHubLink() override;
    DemoHubLink(const DemoHubLink&) = delete;
    DemoHubLink& operator=(const DemoHubLink&) = delete;

    void subscribe(int window, std::function<void(const hcp::TerminalEvent&)> on_event) override;
    void unsubscribe() override;
    hcp::Result<hcp::SubmitResult, hcp::SubmitFailure> submit(const hcp::RatingDraft& draft) override;
    void record_not_rated(const std::string& case_no, int window) override;
    hcp::HubStatus status() const override;
    const hcp::OptionCatalog& catalog() const override { return m_catalog; }

    // Injection for scripts and demos: the business system completed `c` (delivered on the
    // link's thread). Self-service requests rate the item only.
    void open_case(const hcp::Case& c, bool self_service);
    void set_online(bool online);
    void set_disk_full(bool full);
    // Every submit() waits this long before answering (a slow hub, as RemoteHubLink can be).
    void set_submit_delay(std::chrono::milliseconds delay);

private:
    void deliver(hcp::TerminalEvent ev);
    void run();

    hcp::OptionCatalog m_catalog;
    mutable std::mutex m_mutex;
    std::condition_variable m_cv;
    std::deque<hcp::TerminalEvent> m_pending;
    std::function<void(const hcp::TerminalEvent&)> m_on_event;
    std::vector<hcp::Case> m_cases;
    std::vector<hcp::RatingSlot> m_taken;
    bool m_online = true;
    bool m_disk_full = false;
    std::atomic<long long> m_delay_ms{0};
    long long m_seq = 0;
    long long m_local = 0;
    bool m_stop = false;
    std::thread m_thread;  // last: starts after everything above exists
};

}  // namespace hcp::ui
