#pragma once
// Transports: where ESC/POS bytes go. Every call has a deadline; nothing blocks for ever, and
// none of this runs on the UI thread (the job manager owns a worker per printer).
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "hcp/base/error.hpp"

#include "hcp/config/transport_spec.hpp"

namespace hcp::printer {

using Millis = std::chrono::milliseconds;

enum class TransportFault {
    unreachable,      // refused to connect / open (wrong address or port, no device, queue missing)
    connect_timeout,  // nobody answered the connection attempt within the deadline (printer off,
                      // address of no host, network down): not a paper problem
    timeout,          // the printer stopped taking or giving bytes within the deadline
    disconnected,     // the peer closed the link mid-job
    io_error,         // any other OS error
    not_supported,    // e.g. reading status over a one-way link (file, CUPS)
};
std::string_view to_string(TransportFault f) noexcept;

struct TransportError {
    TransportFault fault;
    std::string detail;    // English, for logs
    size_t not_taken = 0;  // drain(): bytes written that the printer had not taken when it failed
};

struct Done {};
using TransportResult = Result<Done, TransportError>;

class Transport {
public:
    virtual ~Transport() = default;
    virtual TransportResult open(Millis timeout) = 0;
    // Writes everything or fails; `timeout` bounds the wait for the printer to take each chunk.
    virtual TransportResult write(const std::uint8_t* data, size_t size, Millis timeout) = 0;
    // Reads up to `max` bytes, waiting at most `timeout` for the first. Empty result = timeout.
    virtual Result<std::vector<std::uint8_t>, TransportError> read(size_t max, Millis timeout) = 0;
    virtual bool bidirectional() const = 0;
    // Waits until the printer has taken every byte written so far: the TCP send queue is
    // acknowledged (SIOCOUTQ = 0), the serial output queue is empty (TIOCOUTQ = 0). Fails with
    // `timeout` when the queue has not shrunk for `stall_timeout`, with `disconnected` when the
    // link closes first; `not_taken` then says how many bytes were still queued. Links that cannot
    // tell (file, USB printer class, CUPS) return Done at once.
    virtual TransportResult drain(Millis /*stall_timeout*/) { return Done{}; }
    // Bytes a second the link itself carries, where the link is slower than any printer (serial:
    // baud / 10); nullopt where the printer sets the pace (TCP, USB, file, CUPS).
    virtual std::optional<int> link_bytes_per_second() const { return std::nullopt; }
    virtual void close() = 0;
    // Ends a job: closes the link and reports whether the far end accepted it (lp's exit status
    // for CUPS). The default just closes.
    virtual TransportResult end_job(Millis) {
        close();
        return Done{};
    }
    virtual std::string describe() const = 0;
};

// Tests and previews: bytes appended to a shared buffer; `responses` are returned by read().
class MemoryTransport : public Transport {
public:
    struct State {
        std::mutex mutex;
        std::vector<std::uint8_t> written;
        std::vector<std::uint8_t> responses;
    };
    explicit MemoryTransport(std::shared_ptr<State> state, bool bidirectional = false)
        : m_state(std::move(state)), m_bidi(bidirectional) {}
    TransportResult open(Millis) override { return Done{}; }
    TransportResult write(const std::uint8_t* data, size_t size, Millis) override;
    Result<std::vector<std::uint8_t>, TransportError> read(size_t max, Millis) override;
    bool bidirectional() const override { return m_bidi; }
    void close() override {}
    std::string describe() const override { return "memory"; }

private:
    std::shared_ptr<State> m_state;
    bool m_bidi;
};

// The address syntax lives in the core (the configuration validates it): hcp/transport_spec.hpp.
using ::hcp::parse_transport;
using ::hcp::TransportSpec;

std::unique_ptr<Transport> make_transport(const TransportSpec& spec);

}  // namespace hcp::printer
