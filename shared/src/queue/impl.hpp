#pragma once
// Internal: the queue engine's state, shared by queue.cpp (operations) and queue_stats.cpp
// (ETA, snapshot, statistics).
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "hcp/queue/queue.hpp"
#include "hcp/sql/sqlite.hpp"
#include "queue/persistence.hpp"

namespace hcp {

struct QueueEngine::Impl {
    QueueSetup setup;
    sql::Db db;
    mutable std::mutex mutex;
    std::map<std::string, size_t, std::less<>> category_at;  // code → index in setup.categories
    std::map<int, std::vector<size_t>> window_categories;    // window → categories it serves
    std::map<int, std::string> window_names;
    std::map<std::string, ServiceTimeAverage, std::less<>> averages;  // category → service time
    TimePoint last_at{};    // latest instant recorded: time never goes back behind it
    std::string swept_day;  // business day whose expire sweep has committed

    Impl(const std::filesystem::path& path, QueueSetup s);

    const ServiceCategory* category(std::string_view code) const;
    bool known_window(int window) const { return window_categories.count(window) != 0; }
    bool serves(int window, std::string_view category) const;
    std::string window_name(int window) const;
    // The effective instant for a write: the clock held at last_at when it went back;
    // nullopt when the clock is absurd.
    std::optional<TimePoint> write_now() const;
    // For reads: the same, or last_at when the clock is absurd (reads never fail on time).
    TimePoint read_now() const;

    // Refusal when `c` does not take tickets at `now` (hours, calendar, cap); nullopt = open.
    std::optional<QueueFailure> ticket_refusal(const ServiceCategory& c, TimePoint now) const;
    // People ahead of ticket `id` among `entries` (which contain it) and the wait estimate.
    WaitEstimate estimate_in(const ServiceCategory& c, const std::vector<QueueEntry>& entries, std::int64_t id,
                             TimePoint now) const;
    void seed_averages();
    // 取号 inside mutate(): category check, hours and cap, number, row, event, estimate.
    QueueResult<IssuedTicket> issue(std::string_view category, bool priority, TimePoint now, const std::string& day);
    // Runs `body(now, day)` in one transaction after the day sweep; commits only when it
    // returns ok, then runs `after_commit`. SQLite failures become storage_error.
    template <class T, class Body>
    QueueResult<T> mutate(Body&& body);
    std::vector<std::function<void()>> after_commit;
    std::chrono::seconds average_of(std::string_view category, bool* cold) const;
};

QueueFailure queue_failure(QueueErrc cause, std::string message, std::string message_zh);

}  // namespace hcp
