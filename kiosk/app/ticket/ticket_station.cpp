#include "ticket/ticket_station.hpp"

#include <algorithm>
#include <cctype>
#include <iostream>

#include "shell/main_queue.hpp"
#include "ticket/ticket_desk.hpp"
#include "ticket/ticket_printer.hpp"

namespace hcp::ui {

namespace {

// Idle time before a screen returns to start: long enough to read a ticket or photograph it.
constexpr std::chrono::seconds kIdleMenu{30};
constexpr std::chrono::seconds kIdleConfirm{25};
constexpr std::chrono::seconds kIdleConfirmNotPrinted{60};
constexpr std::chrono::seconds kIdleMaintenance{120};
constexpr size_t kMaxCode = 32;  // hcp::normalize_appointment_code's limit

}  // namespace

TicketStation::TicketStation(const hcp::Config& config, TicketDesk& desk, TicketPrinter& printer, MainQueue& queue)
    : m_config(config), m_desk(desk), m_printer(printer), m_queue(queue) {
    for (const auto& c : config.categories)
        if (!c.group.empty() && std::find(m_groups.begin(), m_groups.end(), c.group) == m_groups.end())
            m_groups.push_back(c.group);
    m_thread = std::thread([this] { run(); });
}

TicketStation::~TicketStation() {
    stop();
}

void TicketStation::stop() {
    {
        std::lock_guard lock(m_mutex);
        m_stop = true;
    }
    m_cv.notify_all();
    if (m_thread.joinable()) m_thread.join();
}

void TicketStation::typed(char c) {
    if (m_busy) return;
    switch (m_screen) {
        case TicketScreen::start: scan_char(c); break;
        case TicketScreen::code: code_key(c); break;
        case TicketScreen::pin: pin_key(c); break;
        default: break;
    }
}

void TicketStation::enter_key(Clock::time_point now) {
    if (m_busy) return;
    switch (m_screen) {
        case TicketScreen::start: scan_enter(); break;
        case TicketScreen::code: check_in(); break;
        case TicketScreen::pin: pin_enter(now); break;
        default: break;
    }
}

void TicketStation::run() {
    for (;;) {
        std::function<void()> job;
        {
            std::unique_lock lock(m_mutex);
            m_cv.wait(lock, [this] { return m_stop || !m_jobs.empty(); });
            if (m_jobs.empty()) return;  // stopping and nothing left
            job = std::move(m_jobs.front());
            m_jobs.pop_front();
        }
        job();
    }
}

std::vector<const hcp::ServiceCategory*> TicketStation::start_categories() const {
    std::vector<const hcp::ServiceCategory*> out;
    for (const auto& c : m_config.categories)
        if (!show_groups() || c.group.empty()) out.push_back(&c);
    return out;
}

std::vector<const hcp::ServiceCategory*> TicketStation::group_categories() const {
    std::vector<const hcp::ServiceCategory*> out;
    for (const auto& c : m_config.categories)
        if (c.group == m_group) out.push_back(&c);
    return out;
}

const hcp::QueueSnapshot::CategoryLine* TicketStation::line_of(const std::string& code) const {
    for (const auto& l : m_snapshot.categories)
        if (l.code == code) return &l;
    return nullptr;
}

void TicketStation::go(TicketScreen s) {
    if (s == TicketScreen::start) {
        m_group.clear();
        m_priority = false;
        m_code.clear();
        m_code_error.clear();
        m_scan.clear();
        m_pin.clear();
        m_pin_error.clear();
    }
    m_screen = s;
    m_last_touch = Clock::now();
    ++m_version;
}

void TicketStation::choose_group(const std::string& group) {
    m_group = group;
    go(TicketScreen::categories);
}

void TicketStation::toggle_priority() {
    m_priority = !m_priority;
    ++m_version;
}

void TicketStation::take(const std::string& category) {
    submit(category, false);
}

void TicketStation::submit(const std::string& category, bool via_appointment) {
    const bool priority = m_priority && !via_appointment;
    queue_take([this, category, priority] { return m_desk.take(category, priority); }, via_appointment);
}

void TicketStation::submit_check_in(const std::string& code) {
    queue_take([this, code] { return m_desk.check_in(code); }, true);
}

void TicketStation::queue_take(std::function<hcp::QueueResult<hcp::IssuedTicket>()> take, bool via_appointment) {
    if (m_busy) return;  // a double tap takes one ticket
    m_busy = true;
    ++m_version;
    std::lock_guard lock(m_mutex);
    m_jobs.push_back([this, take = std::move(take), via_appointment] {
        auto r = take();
        std::string qr;
        if (r) qr = m_printer.qr_url(r.value());
        std::optional<hcp::IssuedTicket> issued;
        if (r) issued = r.value();
        m_queue.post([this, r, via_appointment, qr] { on_taken(r, via_appointment, qr); });
        if (!issued) return;
        const PrintOutcome p = m_printer.print(*issued, qr);
        m_queue.post([this, number = issued->ticket.number, p] { on_printed(number, p.printed, p.reason_zh); });
    });
    m_cv.notify_one();
}

void TicketStation::on_taken(hcp::QueueResult<hcp::IssuedTicket> r, bool via_appointment, std::string qr) {
    m_busy = false;
    if (!r) {
        const hcp::QueueFailure& f = r.error();
        std::cout << "ticket: refused " << hcp::to_string(f.cause) << " " << f.message << '\n';
        switch (f.cause) {
            case hcp::QueueErrc::category_closed: m_refused_title = "ticket.closed_title"; break;
            case hcp::QueueErrc::daily_cap_reached: m_refused_title = "ticket.cap_title"; break;
            case hcp::QueueErrc::unknown_appointment:
            case hcp::QueueErrc::appointment_used:
            case hcp::QueueErrc::appointment_other_day: m_refused_title = "ticket.appointment_title"; break;
            default: m_refused_title = "ticket.refused_title"; break;
        }
        m_refused = f.message_zh;
        go(TicketScreen::refused);
        return;
    }
    TakenTicket t;
    t.issued = std::move(r).value();
    t.via_appointment = via_appointment;
    t.qr_url = std::move(qr);
    std::cout << "ticket: took " << t.issued.ticket.number << " ahead=" << t.issued.estimate.people_ahead
              << (t.issued.ticket.priority ? " priority" : "") << (via_appointment ? " appointment" : "") << '\n';
    m_taken = std::move(t);
    go(TicketScreen::confirm);
}

void TicketStation::on_printed(const std::string& number, bool printed, std::string reason) {
    if (!m_taken || m_taken->issued.ticket.number != number) return;
    m_taken->print = printed ? PrintState::printed : PrintState::failed;
    m_taken->print_reason_zh = std::move(reason);
    m_taken->no_printer = !printed && !m_printer.configured();
    std::cout << "ticket: " << number << (printed ? " printed" : " not printed: " + m_taken->print_reason_zh) << '\n';
    m_last_touch = Clock::now();  // the longer idle time of an unprinted ticket starts now
    ++m_version;
}

void TicketStation::open_code_entry() {
    m_code.clear();
    m_code_error.clear();
    go(TicketScreen::code);
}

void TicketStation::code_key(char c) {
    if (m_code.size() >= kMaxCode || std::isalnum(static_cast<unsigned char>(c)) == 0) return;
    m_code.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
    m_code_error.clear();
    ++m_version;
}

void TicketStation::code_backspace() {
    if (!m_code.empty()) m_code.pop_back();
    ++m_version;
}

void TicketStation::code_clear() {
    m_code.clear();
    m_code_error.clear();
    ++m_version;
}

void TicketStation::check_in() {
    if (!hcp::normalize_appointment_code(m_code)) {
        std::cout << "ticket: appointment code refused\n";
        m_code_error = "ticket.code_bad_format";
        if (m_screen != TicketScreen::code) go(TicketScreen::code);
        ++m_version;
        return;
    }
    submit_check_in(m_code);
}

void TicketStation::scan_char(char c) {
    if (std::isalnum(static_cast<unsigned char>(c)) == 0) return;
    if (m_scan.size() >= kMaxCode + 3) m_scan.erase(0, 1);  // noise never grows without end
    m_scan.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
    ++m_version;
}

void TicketStation::scan_enter() {
    if (m_scan.empty()) return;
    m_code = m_scan;
    m_scan.clear();
    m_code_error.clear();
    check_in();
}

void TicketStation::hot_corner_tap(Clock::time_point now) {
    if (!has_pin()) return;
    m_corner_taps.push_back(now);
    while (!m_corner_taps.empty() && now - m_corner_taps.front() > std::chrono::seconds(3)) m_corner_taps.pop_front();
    if (m_corner_taps.size() >= 5) {
        m_corner_taps.clear();
        m_pin.clear();
        m_pin_error.clear();
        go(TicketScreen::pin);
    }
}

void TicketStation::pin_key(char digit) {
    if (m_pin.size() < 8 && std::isdigit(static_cast<unsigned char>(digit)) != 0) m_pin.push_back(digit);
    ++m_version;
}

void TicketStation::pin_backspace() {
    if (!m_pin.empty()) m_pin.pop_back();
    ++m_version;
}

void TicketStation::pin_enter(Clock::time_point now) {
    if (pin_locked(now)) {
        m_pin.clear();
        ++m_version;
        return;
    }
    if (has_pin() && m_pin == m_config.terminal.admin_pin) {
        m_pin_failures = 0;
        std::cout << "ticket: maintenance opened\n";
        go(TicketScreen::maintenance);
        return;
    }
    m_pin.clear();
    if (++m_pin_failures >= kMaxPinTries) {
        m_pin_failures = 0;
        m_locked_until = now + kPinLock;
        m_pin_error = "ticket.pin_locked";
        std::cout << "ticket: maintenance PIN locked\n";
    } else {
        m_pin_error = "ticket.pin_wrong";
    }
    ++m_version;
}

void TicketStation::back_to_start() {
    go(TicketScreen::start);
}

void TicketStation::back() {
    if (m_screen == TicketScreen::categories || m_screen == TicketScreen::code || m_screen == TicketScreen::pin ||
        m_screen == TicketScreen::maintenance || m_screen == TicketScreen::refused ||
        m_screen == TicketScreen::confirm) {
        go(TicketScreen::start);
    }
}

void TicketStation::on_snapshot(hcp::QueueSnapshot snap) {
    m_snapshot = std::move(snap);
    ++m_version;
}

void TicketStation::touched(Clock::time_point now) {
    m_last_touch = now;
}

std::chrono::seconds TicketStation::idle_limit() const {
    switch (m_screen) {
        case TicketScreen::confirm:
            return m_taken && m_taken->print != PrintState::printed ? kIdleConfirmNotPrinted : kIdleConfirm;
        case TicketScreen::maintenance: return kIdleMaintenance;
        default: return kIdleMenu;
    }
}

std::optional<TicketStation::Clock::time_point> TicketStation::next_deadline() const {
    std::optional<Clock::time_point> at;
    if (m_screen != TicketScreen::start && !m_busy) at = m_last_touch + idle_limit();
    if (m_locked_until && (!at || *m_locked_until < *at)) at = m_locked_until;
    return at;
}

void TicketStation::tick(Clock::time_point now) {
    if (m_locked_until && now >= *m_locked_until) {
        m_locked_until.reset();
        if (m_screen == TicketScreen::pin) m_pin_error.clear();
        ++m_version;
    }
    if (m_screen != TicketScreen::start && !m_busy && now - m_last_touch >= idle_limit()) go(TicketScreen::start);
}

}  // namespace hcp::ui
