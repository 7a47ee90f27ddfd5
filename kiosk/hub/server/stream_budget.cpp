// Stream budgets of the hall API's event stream (see stream_budget.hpp).
#include "stream_budget.hpp"

#include <algorithm>

namespace hcp::api {

StreamBudget::StreamBudget(int total, int rater_reserve, int per_token)
    : m_total(std::max(0, total)),
      m_reserve(std::clamp(rater_reserve, 0, std::max(0, total))),
      m_per_token(std::max(1, per_token)) {}

std::optional<StreamBudget::Refusal> StreamBudget::admit(const std::string& key, bool rater) {
    std::lock_guard lock(m_mutex);
    if (m_open >= m_total) return Refusal::total;
    if (!rater && m_others >= m_total - m_reserve) return Refusal::others;
    int& mine = m_by_token[key];
    if (mine >= m_per_token) return Refusal::per_token;
    ++mine;
    ++m_open;
    if (!rater) ++m_others;
    return std::nullopt;
}

void StreamBudget::release(const std::string& key, bool rater) {
    std::lock_guard lock(m_mutex);
    auto it = m_by_token.find(key);
    if (it == m_by_token.end()) return;
    if (--it->second <= 0) m_by_token.erase(it);
    --m_open;
    if (!rater) --m_others;
}

int StreamBudget::open() const {
    std::lock_guard lock(m_mutex);
    return m_open;
}

}  // namespace hcp::api
