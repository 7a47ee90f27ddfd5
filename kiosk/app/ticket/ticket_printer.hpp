#pragma once
// The ticket station's printer: the queue ticket template of libhcp_printer, encoded for the
// configured profile and sent through a JobManager (persisted jobs, failure reasons in Chinese).
//
// Contracts:
// - print() blocks until the job is confirmed, sent (one-way links) or failed, at most
//   `timeout`; call it on a worker thread, never the UI thread.
// - Without [printer] the result says so (printed = false, reason = 本机未连接打印机…): the
//   screen then shows the number and its QR instead.
// - qr_url(): the ticket's signed QR (token stage ticket, subject YYYYMMDD + number); empty
//   when the hall's QR key ([receipt_qr].key_file) cannot be loaded (the reason is logged once).
// - Thread-safe: print() and status_zh() may run on different threads.
#include <chrono>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "hcp/config/config.hpp"
#include "hcp/queue/queue.hpp"

namespace hcp::printer {
class Encoder;
class JobManager;
}  // namespace hcp::printer

namespace hcp::token {
class HallKey;
}

namespace hcp::ui {

struct PrintOutcome {
    bool printed = false;
    std::string reason_zh;  // when not printed: what went wrong, plain Chinese
};

class TicketPrinter {
public:
    // `jobs_dir` overrides [printer].jobs_dir (tests: a fresh folder). Never throws: a profile
    // or font that cannot be loaded makes every print fail with the reason.
    TicketPrinter(const hcp::Config& config, std::optional<std::filesystem::path> jobs_dir);
    ~TicketPrinter();
    TicketPrinter(const TicketPrinter&) = delete;
    TicketPrinter& operator=(const TicketPrinter&) = delete;

    bool configured() const noexcept { return m_configured; }
    std::string qr_url(const hcp::IssuedTicket& t) const;
    PrintOutcome print(const hcp::IssuedTicket& t, const std::string& qr_url,
                       std::chrono::milliseconds timeout = std::chrono::seconds(20));
    // For the maintenance screen: what is attached and how the last job went.
    std::string status_zh() const;

private:
    const hcp::Config& m_config;
    bool m_configured = false;
    std::string m_setup_error;  // profile or font problem
    std::unique_ptr<hcp::printer::Encoder> m_encoder;
    std::unique_ptr<hcp::printer::JobManager> m_jobs;
    std::unique_ptr<hcp::token::HallKey> m_key;
    mutable std::mutex m_mutex;
    std::string m_last;  // last job's outcome
};

}  // namespace hcp::ui
