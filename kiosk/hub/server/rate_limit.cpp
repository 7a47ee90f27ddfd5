// Token buckets per client. Buckets are refilled lazily on access (no timer thread): the
// tokens a key has now are its stored tokens plus the time since its last update times the rate.
#include "hcp/hub_server/rate_limit.hpp"

#include <algorithm>
#include <cmath>

namespace hcp {

RateLimiter::RateLimiter(double per_second, double burst, size_t max_keys)
    : m_rate(per_second), m_burst(std::max(1.0, burst)), m_max_keys(std::max<size_t>(1, max_keys)) {}

void RateLimiter::refill(Bucket& b, Clock::time_point now) const {
    if (now <= b.updated) return;  // steady time never goes back; equal: nothing to add
    const double seconds = std::chrono::duration<double>(now - b.updated).count();
    b.tokens = std::min(m_burst, b.tokens + seconds * m_rate);
    b.updated = now;
}

void RateLimiter::make_room(Clock::time_point now) {
    // Full buckets carry no information: forgetting them changes nothing for their clients.
    for (auto it = m_buckets.begin(); it != m_buckets.end();) {
        refill(it->second, now);
        if (it->second.tokens >= m_burst)
            it = m_buckets.erase(it);
        else
            ++it;
    }
    if (m_buckets.size() < m_max_keys) return;
    auto oldest = std::min_element(m_buckets.begin(), m_buckets.end(),
                                   [](const auto& a, const auto& b) { return a.second.updated < b.second.updated; });
    m_buckets.erase(oldest);
}

std::optional<std::chrono::milliseconds> RateLimiter::acquire(const std::string& key, Clock::time_point now) {
    if (m_rate <= 0) return std::nullopt;
    std::lock_guard lock(m_mutex);
    auto it = m_buckets.find(key);
    if (it == m_buckets.end()) {
        if (m_buckets.size() >= m_max_keys) make_room(now);
        it = m_buckets.emplace(key, Bucket{m_burst, now}).first;
    } else {
        refill(it->second, now);
    }
    Bucket& b = it->second;
    if (b.tokens >= 1.0) {
        b.tokens -= 1.0;
        return std::nullopt;
    }
    const double wait_s = (1.0 - b.tokens) / m_rate;
    const auto wait = static_cast<long long>(std::ceil(wait_s * 1000.0));
    return std::chrono::milliseconds{std::max(1LL, wait)};
}

size_t RateLimiter::keys() const {
    std::lock_guard lock(m_mutex);
    return m_buckets.size();
}

}  // namespace hcp
