#pragma once
// The dynamic rating QR token (DESIGN §6, docs/qr-token.md).
//
// A token is a compact, versioned, HMAC-SHA256-signed byte string in RFC 4648 Base32 (uppercase,
// no padding), so that PREFIX + token is an uppercase URL a QR code holds in alphanumeric mode.
// It binds the hall code, the subject (办件编号 or business date + ticket number), the stage and
// an expiry; it carries no personal data. The signing key is the per-hall secret the province
// issues, stored as an hcp key file ("hcp-key-v1 <64 hex>") and used as the raw HMAC key (not
// derived), so the platform verifies with the same 32 bytes. docs/qr-token.md is the
// specification a verifier is built from; tests check its test vectors.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hcp/crypto.hpp"
#include "hcp/error.hpp"

namespace hcp::token {

inline constexpr std::uint8_t kVersion = 1;
inline constexpr size_t kMacBytes = 10;           // 80-bit truncated HMAC-SHA256
inline constexpr size_t kMaxDigitSubject = 40;    // decimal subjects, packed two digits a byte
inline constexpr size_t kMaxTextSubject = 24;     // other subjects, bytes 0x21..0x7E
inline constexpr size_t kMaxHallCode = 64;
inline constexpr size_t kMaxUrlLength = 80;       // the default receipt URL must fit this

enum class Stage : std::uint8_t { ticket = 0, accepted = 1 /*受理*/, completed = 2 /*办结*/ };
std::string_view to_string(Stage s) noexcept;
std::optional<Stage> parse_stage(std::string_view s) noexcept;

struct Claims {
    std::string hall_code;    // bound by the MAC, not carried (the key id names the hall)
    std::string subject;      // 办件编号, or YYYYMMDD + ticket number for a queue ticket
    Stage stage = Stage::completed;
    std::int64_t expires_at = 0;  // Unix seconds; stored in whole minutes (rounded down)
    bool operator==(const Claims&) const = default;
};

// One hall's signing key. key_id() = first 4 bytes of SHA-256(key), big-endian, so a verifier
// holding many halls' keys finds the right one without trying all.
class HallKey {
public:
    HallKey(std::string hall_code, SecretKey key);
    const std::string& hall_code() const noexcept { return m_hall; }
    const SecretKey& key() const noexcept { return m_key; }
    std::uint32_t key_id() const noexcept { return m_id; }

private:
    std::string m_hall;
    SecretKey m_key;
    std::uint32_t m_id = 0;
};

// Throws Error(Errc::invalid_argument) when the claims cannot be encoded: empty or over-long
// subject or hall code, characters outside the allowed set, expiry before 1970 or after 2106.
std::string issue(const HallKey& key, const Claims& claims);

// The short code printed beside the QR: the first 8 Base32 characters of the MAC, as XXXX-XXXX.
std::string short_code(std::string_view token);

// PREFIX + token. Throws Error(Errc::invalid_argument) when the prefix is not uppercase QR
// alphanumeric text (0-9 A-Z space $ % * + - . / :) or the URL would exceed max_length.
std::string make_url(std::string_view prefix, std::string_view token, size_t max_length = kMaxUrlLength);
// True when every character of `s` is in the QR alphanumeric set.
bool is_qr_alphanumeric(std::string_view s) noexcept;

enum class Fault {
    malformed,            // not Base32, wrong length, bad field encodings
    unsupported_version,  // a version this verifier does not know
    unknown_key,          // no key with the token's key id
    bad_signature,        // MAC mismatch: forged, altered or signed with another key
    wrong_hall,           // signature valid but for another hall than the caller expected
    expired,              // now is after the expiry
};
std::string_view to_string(Fault f) noexcept;
// Plain Chinese for people (what happened and what to do).
std::string_view message_zh(Fault f) noexcept;

// Verifies a token (or a whole URL: everything up to the last '/' is ignored) against the keys
// it may be signed with. `expected_hall`, when given, must equal the signing key's hall.
// `now` is Unix seconds. Never throws on hostile input.
Result<Claims, Fault> verify(std::string_view token_or_url, const std::vector<HallKey>& keys,
                             std::int64_t now, std::optional<std::string_view> expected_hall = {});

// RFC 4648 Base32, uppercase, no padding. decode returns nullopt on any character outside
// A-Z 2-7, on impossible lengths and on non-zero trailing bits (one string per byte sequence).
std::string base32_encode(const std::uint8_t* data, size_t size);
std::optional<Bytes> base32_decode(std::string_view text);

}  // namespace hcp::token
