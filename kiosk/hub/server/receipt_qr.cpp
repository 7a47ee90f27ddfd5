// Receipt QR issuing on the hub: the HMAC (version 1) scheme of hcp/token.hpp with the hall's
// [receipt_qr] key.
#include "hcp/hub_server/receipt_qr.hpp"

#include <system_error>

#include "hcp/token/token.hpp"

namespace hcp {

namespace {
// make_url's default (80 characters) keeps the hub's own 58 mm tickets small and holds a
// 20-digit 办件编号; many halls' case numbers are text ("370921-20261008-0001": a 91-character
// URL). The business system prints this QR on its own receipt, so every case number a token
// can carry (24 text bytes) is accepted with any valid prefix (≤ 64): 64 + 72 = 136 characters,
// QR version 6 at error correction M.
constexpr size_t kMaxReceiptUrl = 136;
}  // namespace

ReceiptQrIssuer::ReceiptQrIssuer(ReceiptQrConfig config, std::string hall_code)
    : m_config(std::move(config)), m_hall(std::move(hall_code)) {
    const auto& path = m_config.key_file;
    std::error_code ec;
    if (path.empty()) {
        m_reason = "no [receipt_qr].key_file configured";
        return;
    }
    if (!std::filesystem::exists(path, ec)) {
        m_reason = "receipt QR key " + path.string() +
                   " does not exist; install the key the province issued there "
                   "(or create a test key with: hcpctl key create " +
                   path.string() + ")";
        return;
    }
    try {
        m_key = SecretKey::load_file(path);
    } catch (const Error& e) {
        m_reason = std::string("receipt QR key unusable: ") + e.what();
    }
}

Result<ReceiptQr, ReceiptQrFailure> ReceiptQrIssuer::issue(const std::string& case_no, Stage stage,
                                                           TimePoint now) const {
    if (!m_key) return ReceiptQrFailure{ReceiptQrErrc::disabled, m_reason};
    using namespace std::chrono;
    const auto expires =
        duration_cast<seconds>(now.time_since_epoch()).count() + static_cast<std::int64_t>(m_config.valid_days) * 86400;
    token::Claims claims;
    claims.hall_code = m_hall;
    claims.subject = case_no;
    claims.stage = stage == Stage::accepted ? token::Stage::accepted : token::Stage::completed;
    claims.expires_at = expires;
    try {
        const std::string tok = token::issue(token::HallKey(m_hall, *m_key), claims);
        ReceiptQr qr;
        qr.url = token::make_url(m_config.url_prefix, tok, kMaxReceiptUrl);
        qr.short_code = token::short_code(tok);
        qr.expires_at = TimePoint{minutes{expires / 60}};
        return qr;
    } catch (const Error& e) {
        return ReceiptQrFailure{ReceiptQrErrc::subject_unfit, "no receipt QR for case " + case_no + ": " + e.what()};
    }
}

}  // namespace hcp
