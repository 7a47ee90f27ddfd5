#pragma once
// Transports: where ESC/POS bytes go. Every call has a deadline; nothing blocks for ever, and
// none of this runs on the UI thread (the job manager owns a worker per printer).
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "hcp/base/error.hpp"

#include "hcp/config/transport_spec.hpp"

namespace hcp::printer {

using Millis = std::chrono::milliseconds;

enum class TransportFault {
    unreachable,    // cannot connect / open (wrong address, no device, queue missing)
    timeout,        // the printer stopped taking or giving bytes within the deadline
    disconnected,   // the peer closed the link mid-job
    io_error,       // any other OS error
    not_supported,  // e.g. reading status over a one-way link (file, CUPS)
};
std::string_view to_string(TransportFault f) noexcept;

struct TransportError {
    TransportFault fault;
    std::string detail;  // English, for logs
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
