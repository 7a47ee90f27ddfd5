#pragma once
// The receipt QR the hub hands back for each reported case (POST /api/v1/cases, docs/hall-api.md;
// token format in docs/qr-token.md): a signed rating URL the business system prints on the
// receipt so the citizen can still rate later (DESIGN §5 rule 7).
//
// Contracts:
// - Built from [receipt_qr] and the hall code. The HMAC key file ([receipt_qr].key_file) is
//   loaded once; when it is missing or unusable the issuer is disabled and reason() says why
//   and what to do. Nothing else fails at construction.
// - issue() binds the hall code, the case number, the reported stage and an expiry of
//   now + valid_days (whole minutes, rounded down), and never throws: a case number the token
//   cannot carry (over 24 bytes of text / 40 digits) is a failure with its reason.
// - Thread-safe (immutable after construction).
#include <optional>
#include <string>

#include "hcp/base/crypto.hpp"
#include "hcp/base/error.hpp"
#include "hcp/config/config.hpp"
#include "hcp/domain/domain.hpp"

namespace hcp {

struct ReceiptQr {
    std::string url;         // url_prefix + token: uppercase, QR alphanumeric mode
    std::string short_code;  // XXXX-XXXX, printed beside the QR
    TimePoint expires_at{};
};

enum class ReceiptQrErrc {
    disabled,       // no usable key (see ReceiptQrIssuer::reason())
    subject_unfit,  // this case number cannot be carried by a token
};

struct ReceiptQrFailure {
    ReceiptQrErrc cause = ReceiptQrErrc::disabled;
    std::string reason;  // English, for the log (no personal data)
};

class ReceiptQrIssuer {
public:
    ReceiptQrIssuer(ReceiptQrConfig config, std::string hall_code);

    bool enabled() const noexcept { return m_key.has_value(); }
    // Why the issuer is disabled (empty when enabled).
    const std::string& reason() const noexcept { return m_reason; }
    Result<ReceiptQr, ReceiptQrFailure> issue(const std::string& case_no, Stage stage, TimePoint now) const;

private:
    ReceiptQrConfig m_config;
    std::string m_hall;
    std::optional<SecretKey> m_key;
    std::string m_reason;
};

}  // namespace hcp
