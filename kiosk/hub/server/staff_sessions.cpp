// The staff console's PINs, wrong-PIN locks and session tokens (staff_sessions.hpp).
#include "staff_sessions.hpp"

#include <sodium.h>

#include <algorithm>
#include <array>

#include "hcp/base/crypto.hpp"

namespace hcp::api {

namespace {
// Counters kept at most (an address or 工号 idle longer than the lock is forgotten first), so
// wrong PINs from ever new addresses cannot grow the hub's memory without bound.
constexpr size_t kMaxStrikeEntries = 4096;
}  // namespace

StaffSessions::StaffSessions(const HallApiConfig& cfg, QueueEngine* queue)
    : m_queue(queue),
      m_max_staff(std::max(1, cfg.staff_max_wrong_pins)),
      m_max_address(std::max(1, cfg.address_max_wrong_pins)),
      m_lock(cfg.staff_lock),
      m_ttl(cfg.staff_session_ttl) {
    for (const auto& p : cfg.staff_pins) m_pins[p.staff_no] = p.pin_hash;
}

std::string StaffSessions::key_of(std::string_view token) {
    return sha256_hex(token);
}

std::optional<std::chrono::seconds> StaffSessions::remaining(const Strikes* s, Clock::time_point now) const {
    if (s == nullptr || s->locked_until <= now) return std::nullopt;
    return std::chrono::ceil<std::chrono::seconds>(s->locked_until - now);
}

std::optional<std::chrono::seconds> StaffSessions::locked(const std::string& staff_no, const std::string& address,
                                                          Clock::time_point now) {
    std::lock_guard lock(m_mutex);
    auto s = m_staff_strikes.find(staff_no);
    auto a = m_address_strikes.find(address);
    auto rs = remaining(s == m_staff_strikes.end() ? nullptr : &s->second, now);
    auto ra = remaining(a == m_address_strikes.end() ? nullptr : &a->second, now);
    if (rs && ra) return std::max(*rs, *ra);
    return rs ? rs : ra;
}

bool StaffSessions::check_pin(const std::string& staff_no, const std::string& pin) {
    std::lock_guard lock(m_verify);
    auto it = m_pins.find(staff_no);
    if (it == m_pins.end()) {
        if (m_dummy_hash.empty()) m_dummy_hash = hash_staff_pin("00000000");
        (void)verify_staff_pin(m_dummy_hash, pin);
        return false;
    }
    return verify_staff_pin(it->second, pin);
}

void StaffSessions::prune(std::map<std::string, Strikes>& m, Clock::time_point now) {
    if (m.size() < kMaxStrikeEntries) return;
    for (auto it = m.begin(); it != m.end();)
        it = (it->second.locked_until <= now && now - it->second.last > m_lock) ? m.erase(it) : std::next(it);
    while (m.size() >= kMaxStrikeEntries) m.erase(m.begin());  // all locked: forget some
}

int StaffSessions::record_wrong(const std::string& staff_no, const std::string& address, Clock::time_point now) {
    std::lock_guard lock(m_mutex);
    auto strike = [&](std::map<std::string, Strikes>& m, const std::string& key, int max) {
        prune(m, now);
        Strikes& s = m[key];
        if (now - s.last > m_lock) s.wrong = 0;  // an old mistake is forgiven
        s.last = now;
        if (++s.wrong >= max) {
            s.wrong = 0;
            s.locked_until = now + m_lock;
            return 0;
        }
        return max - s.wrong;
    };
    // Only configured 工号 get a counter of their own (random numbers would only fill memory);
    // the address counts every wrong try.
    int left = strike(m_address_strikes, address, m_max_address);
    if (m_pins.count(staff_no) != 0) left = std::min(left, strike(m_staff_strikes, staff_no, m_max_staff));
    return left;
}

void StaffSessions::record_right(const std::string& staff_no) {
    std::lock_guard lock(m_mutex);
    m_staff_strikes.erase(staff_no);
}

std::string StaffSessions::open(int window, const Staff& staff, TimePoint window_opened_at, Clock::time_point now) {
    std::array<std::uint8_t, 32> raw{};
    crypto_init();
    randombytes_buf(raw.data(), raw.size());
    std::string token = to_hex(raw.data(), raw.size());
    std::lock_guard lock(m_mutex);
    for (auto it = m_sessions.begin(); it != m_sessions.end();)
        it = (it->second.window == window || it->second.expires <= now) ? m_sessions.erase(it) : std::next(it);
    m_sessions[key_of(token)] = Session{window, staff, now + m_ttl, window_opened_at};
    return token;
}

std::optional<StaffSessions::Session> StaffSessions::find(std::string_view token, Clock::time_point now) {
    if (token.size() != 64) return std::nullopt;
    const std::string key = key_of(token);
    Session s;
    {
        std::lock_guard lock(m_mutex);
        auto it = m_sessions.find(key);
        if (it == m_sessions.end()) return std::nullopt;
        if (it->second.expires <= now) {
            m_sessions.erase(it);
            return std::nullopt;
        }
        s = it->second;
    }
    // The window must still be open with this staff member (not signed out, not taken over).
    if (m_queue != nullptr) {
        auto open = m_queue->session(s.window);
        if (!open || open->staff.number != s.staff.number || open->opened_at != s.window_opened_at) {
            revoke(token);
            return std::nullopt;
        }
    }
    return s;
}

void StaffSessions::revoke(std::string_view token) {
    std::lock_guard lock(m_mutex);
    m_sessions.erase(key_of(token));
}

void StaffSessions::revoke_window(int window) {
    std::lock_guard lock(m_mutex);
    for (auto it = m_sessions.begin(); it != m_sessions.end();)
        it = it->second.window == window ? m_sessions.erase(it) : std::next(it);
}

}  // namespace hcp::api
