#pragma once
// Error handling for libhcp_core.
//
// Inside the core, failures that mean "the caller or the data is wrong" are thrown as hcp::Error
// with an Errc. At the boundaries where failure is a normal outcome (disk, network, printers)
// functions return hcp::Result<T, E> instead, with E carrying an enum of causes.
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace hcp {

enum class Errc {
    invalid_argument,  // a caller passed a value outside the contract
    config_invalid,    // configuration file failed validation
    catalog_invalid,   // 差评 option catalog file failed validation
    calendar_invalid,  // working-day calendar file failed validation
    key_invalid,       // key file missing, malformed or readable by others
    io_failure,        // a file could not be read or written
    store_failure,     // SQLite reported an error
    schema_too_new,    // database written by a newer release; never migrated down
    not_a_store,       // the file is not an hcp-kiosk database
    crypto_failure,    // decryption or authentication failed
};

std::string_view to_string(Errc code) noexcept;

// Exception thrown by the core. what() is an English diagnostic for logs and developers;
// user-facing Chinese text is produced by the layer that shows it.
class Error : public std::runtime_error {
public:
    Error(Errc code, const std::string& message) : std::runtime_error(message), m_code(code) {}
    Errc code() const noexcept { return m_code; }

private:
    Errc m_code;
};

// A value or an error, for boundaries where failure is expected (cpp-httplib's Result idea).
template <class T, class E>
class Result {
public:
    Result(T value) : m_data(std::in_place_index<0>, std::move(value)) {}  // NOLINT: implicit on purpose
    Result(E error) : m_data(std::in_place_index<1>, std::move(error)) {}  // NOLINT: implicit on purpose

    bool ok() const noexcept { return m_data.index() == 0; }
    explicit operator bool() const noexcept { return ok(); }

    T& value() & { return std::get<0>(m_data); }
    const T& value() const& { return std::get<0>(m_data); }
    T&& value() && { return std::get<0>(std::move(m_data)); }
    const E& error() const& { return std::get<1>(m_data); }

private:
    std::variant<T, E> m_data;
};

}  // namespace hcp
