#include "hcp/base/error.hpp"

namespace hcp {

std::string_view to_string(Errc code) noexcept {
    switch (code) {
        case Errc::invalid_argument: return "invalid_argument";
        case Errc::config_invalid: return "config_invalid";
        case Errc::catalog_invalid: return "catalog_invalid";
        case Errc::calendar_invalid: return "calendar_invalid";
        case Errc::key_invalid: return "key_invalid";
        case Errc::io_failure: return "io_failure";
        case Errc::store_failure: return "store_failure";
        case Errc::schema_too_new: return "schema_too_new";
        case Errc::not_a_store: return "not_a_store";
        case Errc::crypto_failure: return "crypto_failure";
    }
    return "unknown";
}

}  // namespace hcp
