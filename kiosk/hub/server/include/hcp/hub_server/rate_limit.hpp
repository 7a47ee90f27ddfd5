#pragma once
// A token-bucket rate limit per client (the hall API's flood guard, docs/hall-api.md "Limits").
//
// Contracts:
// - Every key (a caller's token, or its IP address when it has none) has a bucket holding up to
//   `burst` requests, refilled at `per_second`. acquire() takes one request from the key's
//   bucket, or says how long until one is available (the Retry-After of the 429).
// - per_second <= 0 disables the limit: acquire() always allows.
// - Memory is bounded by `max_keys` buckets. When a new key arrives and the table is full,
//   buckets that have refilled completely (idle clients, nothing to remember) are dropped; if
//   none has, the least recently seen one is. A flood of ever new addresses therefore cannot
//   grow memory, and costs a forgotten client at most one fresh burst.
// - Thread-safe. Time is passed in (steady clock) so tests control it.
#include <chrono>
#include <cstddef>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

namespace hcp {

class RateLimiter {
public:
    using Clock = std::chrono::steady_clock;

    RateLimiter(double per_second, double burst, size_t max_keys = 4096);

    // nullopt: allowed (one request taken). Otherwise the wait until the next one, ≥ 1 ms.
    std::optional<std::chrono::milliseconds> acquire(const std::string& key, Clock::time_point now);
    size_t keys() const;
    bool enabled() const noexcept { return m_rate > 0; }

private:
    struct Bucket {
        double tokens = 0;
        Clock::time_point updated{};
    };
    void refill(Bucket& b, Clock::time_point now) const;
    void make_room(Clock::time_point now);

    const double m_rate;
    const double m_burst;
    const size_t m_max_keys;
    mutable std::mutex m_mutex;
    std::unordered_map<std::string, Bucket> m_buckets;
};

}  // namespace hcp
