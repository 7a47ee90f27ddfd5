#pragma once
// Internal: the staff console's sign-in state in the hub's memory (docs/hall-api.md "Staff
// console"): the PIN hashes, wrong-PIN counters per 工号 and per address, and the session
// tokens handed out at sign-in. A session token stands for one staff member at one window; it
// is valid until it expires, until that window is signed out, or until someone else signs in
// there (the queue's open session of the window must still be this staff member's).
// Thread-safe. Everything is lost when the hub restarts: staff then sign in again.
#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "hcp/hub_server/hall_api.hpp"

namespace hcp::api {

class StaffSessions {
public:
    using Clock = std::chrono::steady_clock;

    struct Session {
        int window = 0;
        Staff staff;
        Clock::time_point expires{};
        TimePoint window_opened_at{};  // the queue's window session it belongs to
    };

    StaffSessions(const HallApiConfig& cfg, QueueEngine* queue);

    bool configured() const noexcept { return !m_pins.empty(); }
    std::chrono::seconds ttl() const noexcept { return m_ttl; }

    // How long the 工号 or the address is still locked after too many wrong PINs (nullopt: not).
    std::optional<std::chrono::seconds> locked(const std::string& staff_no, const std::string& address,
                                               Clock::time_point now);
    // Checks the PIN (one argon2id verification at a time, so a burst of sign-ins cannot take
    // the hub's memory). An unknown 工号 costs the same time as a wrong PIN and answers false.
    bool check_pin(const std::string& staff_no, const std::string& pin);
    // Counts a wrong PIN; returns how many tries are left before a lock (0: locked now).
    int record_wrong(const std::string& staff_no, const std::string& address, Clock::time_point now);
    void record_right(const std::string& staff_no);

    // A new session for `staff` at `window`, bound to the queue's window session opened at
    // `window_opened_at` (other sessions of that window end); its token. The session ends with
    // that window session: the same staff signed in there again later (after someone else, by
    // the business system) does not bring it back.
    std::string open(int window, const Staff& staff, TimePoint window_opened_at, Clock::time_point now);
    // The live session of a token (expired, revoked or superseded sessions are dropped).
    std::optional<Session> find(std::string_view token, Clock::time_point now);
    void revoke(std::string_view token);
    void revoke_window(int window);

private:
    struct Strikes {
        int wrong = 0;
        Clock::time_point last{};
        Clock::time_point locked_until{};
    };
    static std::string key_of(std::string_view token);
    void prune(std::map<std::string, Strikes>& m, Clock::time_point now);
    std::optional<std::chrono::seconds> remaining(const Strikes* s, Clock::time_point now) const;

    std::map<std::string, std::string> m_pins;  // 工号 → hash
    std::string m_dummy_hash;                   // verified for unknown 工号 (same cost)
    QueueEngine* m_queue = nullptr;
    int m_max_staff = 5;
    int m_max_address = 10;
    std::chrono::seconds m_lock{300};
    std::chrono::seconds m_ttl{43200};

    std::mutex m_verify;  // one argon2id verification at a time
    std::mutex m_mutex;   // everything below
    std::map<std::string, Strikes> m_staff_strikes;
    std::map<std::string, Strikes> m_address_strikes;
    std::map<std::string, Session> m_sessions;  // sha256(token) → session
};

}  // namespace hcp::api
