#include "rating/link_worker.hpp"

#include <iostream>
#include <memory>

#include "shell/main_queue.hpp"

namespace hcp::ui {

SubmitOutcomeResult submit_guarded(hcp::HubLink& link, const hcp::RatingDraft& draft) {
    try {
        return link.submit(draft);
    } catch (const std::exception& e) {
        hcp::SubmitFailure f;
        f.cause = hcp::SubmitFailureCause::storage_error;
        f.message_zh = "评价未能保存，请稍后重试或扫描办件回执上的二维码评价。";
        f.detail = std::string("link threw: ") + e.what();
        return f;
    }
}

void InlineLinkWorker::submit(hcp::RatingDraft draft, std::function<void(SubmitOutcomeResult)> done) {
    done(submit_guarded(m_link, draft));
}

void InlineLinkWorker::record_not_rated(std::string case_no, int window) {
    m_link.record_not_rated(case_no, window);
}

ThreadLinkWorker::ThreadLinkWorker(hcp::HubLink& link, MainQueue& queue)
    : m_link(link), m_queue(queue), m_thread([this] { run(); }) {}

ThreadLinkWorker::~ThreadLinkWorker() {
    {
        std::lock_guard lock(m_mutex);
        m_stop = true;
        m_jobs.clear();
    }
    m_cv.notify_all();
    m_thread.join();
}

void ThreadLinkWorker::run() {
    std::unique_lock lock(m_mutex);
    for (;;) {
        m_cv.wait(lock, [this] { return m_stop || !m_jobs.empty(); });
        if (m_stop) return;
        auto job = std::move(m_jobs.front());
        m_jobs.pop_front();
        lock.unlock();
        job();
        lock.lock();
    }
}

void ThreadLinkWorker::submit(hcp::RatingDraft draft, std::function<void(SubmitOutcomeResult)> done) {
    {
        std::lock_guard lock(m_mutex);
        m_jobs.push_back([this, draft = std::move(draft), done = std::move(done)]() mutable {
            auto result = std::make_shared<SubmitOutcomeResult>(submit_guarded(m_link, draft));
            // The result goes to the main thread; only there may the journey and ImGui change.
            m_queue.post([done = std::move(done), result] { done(std::move(*result)); });
        });
    }
    m_cv.notify_all();
}

void ThreadLinkWorker::record_not_rated(std::string case_no, int window) {
    {
        std::lock_guard lock(m_mutex);
        m_jobs.push_back([this, case_no = std::move(case_no), window] {
            try {
                m_link.record_not_rated(case_no, window);
            } catch (const std::exception& e) {
                std::cerr << "hcp-kiosk: recording not rated failed: " << e.what() << '\n';
            }
        });
    }
    m_cv.notify_all();
}

}  // namespace hcp::ui
