#pragma once
// Runs the HubLink's blocking calls off the main thread. RemoteHubLink::submit() can take
// seconds (an HTTP round trip, or a request timeout before the local outbox takes over); the
// screen must keep drawing ("正在提交…") meanwhile, so the journey hands the call to a worker
// and gets the result back on the main thread.
//
// Contracts:
// - submit(): `done` runs exactly once, on the main thread, with the link's result; the link
//   call itself never runs on the main thread (ThreadLinkWorker). An exception thrown by the
//   link becomes a storage_error failure: the citizen is told nothing was stored.
// - record_not_rated(): fire and forget, in order with submits.
// - Destroying a ThreadLinkWorker waits for the call in progress (a rating being stored is
//   finished, never abandoned half-way) and drops the rest of the queue.
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include "hcp/hub/hub_link.hpp"

namespace hcp::ui {

class MainQueue;

using SubmitOutcomeResult = hcp::Result<hcp::SubmitResult, hcp::SubmitFailure>;

class LinkWorker {
public:
    virtual ~LinkWorker() = default;
    virtual void submit(hcp::RatingDraft draft, std::function<void(SubmitOutcomeResult)> done) = 0;
    virtual void record_not_rated(std::string case_no, int window) = 0;
};

// Calls the link and `done` at once on the calling thread: for tests without a window.
class InlineLinkWorker final : public LinkWorker {
public:
    explicit InlineLinkWorker(hcp::HubLink& link) : m_link(link) {}
    void submit(hcp::RatingDraft draft, std::function<void(SubmitOutcomeResult)> done) override;
    void record_not_rated(std::string case_no, int window) override;

private:
    hcp::HubLink& m_link;
};

// One background thread; results come back through the main-thread queue (SDL_PushEvent wakes
// the loop).
class ThreadLinkWorker final : public LinkWorker {
public:
    ThreadLinkWorker(hcp::HubLink& link, MainQueue& queue);
    ~ThreadLinkWorker() override;
    ThreadLinkWorker(const ThreadLinkWorker&) = delete;
    ThreadLinkWorker& operator=(const ThreadLinkWorker&) = delete;

    void submit(hcp::RatingDraft draft, std::function<void(SubmitOutcomeResult)> done) override;
    void record_not_rated(std::string case_no, int window) override;

private:
    void run();

    hcp::HubLink& m_link;
    MainQueue& m_queue;
    std::mutex m_mutex;
    std::condition_variable m_cv;
    std::deque<std::function<void()>> m_jobs;
    bool m_stop = false;
    std::thread m_thread;  // last: starts after everything above exists
};

// The link call with exceptions turned into a storage_error failure (shared by both workers).
SubmitOutcomeResult submit_guarded(hcp::HubLink& link, const hcp::RatingDraft& draft);

}  // namespace hcp::ui
