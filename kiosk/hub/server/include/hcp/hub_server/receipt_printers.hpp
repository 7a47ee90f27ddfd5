#pragma once
// The hub's receipt printers: one per [[window]].receipt_printer (docs/config.md). At 办结 the
// hub lays out the 办件回执 with the case's rating QR for the window's paper and sends it to that
// window's printer; the staff console learns the outcome from the receipt_printed event.
//
// Contracts:
// - print() returns as soon as the job is queued (it never waits for paper or the network): the
//   staff's 办结 reply is not delayed by a slow or absent printer.
// - For every job print() queued, on_done runs exactly once, on that window's watcher thread,
//   when the job is printed (confirmed, or sent on a one-way link), failed, or did not finish
//   within the job timeout; never after the destructor returned.
// - Jobs persist in the window's jobs folder (printer/jobs.hpp): a job a crash interrupted is
//   marked failed and never printed twice by itself; staff reprint it from the console.
// - Failures of print() and every reason in outcomes are plain Chinese for the staff.
// - Thread-safe.
#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "hcp/base/error.hpp"
#include "hcp/config/config.hpp"
#include "hcp/domain/domain.hpp"

namespace hcp {

// What is printed besides the case itself.
struct ReceiptExtras {
    std::string window_name;  // "3号窗口"
    std::string qr_url;       // empty: the receipt carries no QR (no key); it says so
    std::string short_code;
    TimePoint qr_expires_at{};
    TimePoint printed_at{};
};

enum class ReceiptPrintErrc {
    no_printer,  // this window has no receipt_printer
    setup,       // the window's profile or the font could not be loaded at start
    layout,      // the receipt could not be laid out or encoded (e.g. a QR that does not fit)
};
std::string_view to_string(ReceiptPrintErrc e) noexcept;

struct ReceiptPrintFailure {
    ReceiptPrintErrc cause = ReceiptPrintErrc::no_printer;
    std::string message_zh;  // for the staff: what to do
    std::string detail;      // English, for the log
};

struct ReceiptJobOutcome {
    int window = 0;
    std::string case_no;
    std::string job_id;
    bool printed = false;
    std::string reason_zh;  // when not printed
};

class ReceiptPrinters {
public:
    using OnDone = std::function<void(const ReceiptJobOutcome&)>;
    // Opens a JobManager for each configured window printer. A printer whose profile or font
    // cannot be loaded is kept with its reason (print() then fails with it, the hub still starts)
    // and the reason is logged. `job_timeout` bounds how long a job is watched.
    ReceiptPrinters(const Config& config, OnDone on_done, std::function<void(const std::string&)> log,
                    std::chrono::milliseconds job_timeout = std::chrono::seconds(60));
    ~ReceiptPrinters();  // stops the watchers (jobs in flight finish in their JobManager)
    ReceiptPrinters(const ReceiptPrinters&) = delete;
    ReceiptPrinters& operator=(const ReceiptPrinters&) = delete;

    bool has(int window) const;
    bool any() const noexcept { return !m_windows.empty(); }
    // "tcp:10.0.0.31:9100（generic-80）", for replies and the log; empty without a printer.
    std::string describe(int window) const;

    // Queues the 办件回执 of `c` (completed at `window`); the job id on success.
    Result<std::string, ReceiptPrintFailure> print(int window, const Case& c, const std::string& hall_name,
                                                   const ReceiptExtras& extras);

private:
    struct WindowPrinter;
    std::map<int, std::unique_ptr<WindowPrinter>> m_windows;
    OnDone m_on_done;
    std::function<void(const std::string&)> m_log;
    std::chrono::milliseconds m_job_timeout;
};

}  // namespace hcp
