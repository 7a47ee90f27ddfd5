#pragma once
// Internal: who may hold the hall API's event streams (GET /api/v1/events). Each stream holds a
// server thread for as long as it is open, so the server has max_sse_clients of them; without
// budgets one token could hold them all and the rating terminals would never see their
// rating_requested.
//
// Contracts (thread-safe):
// - a token (device, system or staff session) holds at most `per_token` streams at once;
// - rating terminals (devices with the rater or selfservice role) have `rater_reserve` slots
//   nobody else may take; every other caller shares the rest;
// - admit() either counts the stream in (release() with the same key and kind counts it out)
//   or says which budget is full.
#include <map>
#include <mutex>
#include <optional>
#include <string>

namespace hcp::api {

class StreamBudget {
public:
    enum class Refusal { total, others, per_token };
    // `total` slots in all, `rater_reserve` of them kept for rating terminals.
    StreamBudget(int total, int rater_reserve, int per_token);

    std::optional<Refusal> admit(const std::string& key, bool rater);
    void release(const std::string& key, bool rater);
    int open() const;

private:
    mutable std::mutex m_mutex;
    int m_total;
    int m_reserve;
    int m_per_token;
    int m_open = 0;
    int m_others = 0;  // streams of callers that are not rating terminals
    std::map<std::string, int> m_by_token;
};

}  // namespace hcp::api
