#pragma once
// The dynamic rating QR token (DESIGN §6, docs/qr-token.md).
//
// A token is a compact, versioned, signed byte string in RFC 4648 Base32 (uppercase, no padding),
// so that PREFIX + token is an uppercase URL a QR code holds in alphanumeric mode. It binds the
// hall code, the subject (办件编号 or business date + ticket number), the stage and an expiry; it
// carries no personal data. Two schemes, told apart by the version byte:
//  - version 1, HMAC-SHA256 truncated to 80 bits (the default): the key is the per-hall secret
//    the province issues, stored as an hcp key file ("hcp-key-v1 <64 hex>") and used as the raw
//    HMAC key (not derived), so the platform verifies with the same 32 bytes;
//  - version 2, Ed25519 (public verifiability): the hall holds a signing key file
//    ("hcp-ed25519-v1 <64 hex seed>"); anyone holding the 32-byte public key can verify. The
//    full 64-byte signature makes the URL about twice as long (see kMaxUrlLengthEd25519).
// docs/qr-token.md is the specification a verifier is built from; tests check its test vectors.
#include <array>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hcp/base/crypto.hpp"
#include "hcp/base/error.hpp"

namespace hcp::token {

inline constexpr std::uint8_t kVersion = 1;         // HMAC-SHA256 tokens
inline constexpr std::uint8_t kVersionEd25519 = 2;  // Ed25519 tokens
inline constexpr size_t kMacBytes = 10;             // 80-bit truncated HMAC-SHA256
inline constexpr size_t kSignatureBytes = 64;       // Ed25519, never truncated
inline constexpr size_t kMaxDigitSubject = 40;      // decimal subjects, packed two digits a byte
inline constexpr size_t kMaxTextSubject = 24;       // other subjects, bytes 0x21..0x7E
inline constexpr size_t kMaxHallCode = 64;
inline constexpr size_t kMaxUrlLength = 80;  // the default receipt URL must fit this
// An Ed25519 URL up to this length stays within QR version 8 (49 modules + quiet zone = 57; 221
// alphanumeric characters at EC level M): 342 dots at 6 dots a module, so it prints on 58 mm
// (384 dots). Every valid subject fits with a prefix of up to 62 characters.
inline constexpr size_t kMaxUrlLengthEd25519 = 221;
inline constexpr size_t kMaxTokenLength = 160;  // longest Base32 token of either version (159)

// The signature scheme; its value is the token's version byte.
enum class Scheme : std::uint8_t { hmac_sha256 = kVersion, ed25519 = kVersionEd25519 };
std::string_view to_string(Scheme s) noexcept;  // "hmac" or "ed25519"
// Accepts "hmac", "hmac-sha256" and "ed25519".
std::optional<Scheme> parse_scheme(std::string_view s) noexcept;
// The scheme a token (or URL) claims by its version byte; nullopt when it is not Base32 or the
// version is unknown. Says nothing about validity: only verify() does.
std::optional<Scheme> scheme_of(std::string_view token_or_url) noexcept;

enum class Stage : std::uint8_t { ticket = 0, accepted = 1 /*受理*/, completed = 2 /*办结*/ };
std::string_view to_string(Stage s) noexcept;
std::optional<Stage> parse_stage(std::string_view s) noexcept;

struct Claims {
    std::string hall_code;  // bound by the MAC, not carried (the key id names the hall)
    std::string subject;    // 办件编号, or YYYYMMDD + ticket number for a queue ticket
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

// One hall's Ed25519 public key: all a verifier (the platform, anyone) needs for version-2
// tokens. key_id() = first 4 bytes of SHA-256(public key), big-endian.
class HallPublicKey {
public:
    static constexpr size_t kSize = 32;
    // Throws Error(Errc::invalid_argument) for a bad hall code or bytes that are not a valid
    // Ed25519 point (all-zero, small order, not on the curve).
    HallPublicKey(std::string hall_code, const std::array<std::uint8_t, kSize>& bytes);
    // Text as `hcpctl token pubkey` prints it: 64 hex digits (either case) or 52 Base32
    // characters. Throws Error(Errc::invalid_argument) saying what is wrong.
    static HallPublicKey parse(std::string hall_code, std::string_view text);
    const std::string& hall_code() const noexcept { return m_hall; }
    const std::array<std::uint8_t, kSize>& bytes() const noexcept { return m_bytes; }
    std::uint32_t key_id() const noexcept { return m_id; }
    std::string to_hex() const;
    std::string to_base32() const;

private:
    std::string m_hall;
    std::array<std::uint8_t, kSize> m_bytes{};
    std::uint32_t m_id = 0;
};

// One hall's Ed25519 signing key, built from the 32-byte seed kept in its key file. The expanded
// secret is wiped when the object goes.
class HallSigningKey {
public:
    HallSigningKey(std::string hall_code, const SecretKey& seed);
    HallSigningKey(const HallSigningKey&) = default;
    HallSigningKey& operator=(const HallSigningKey&) = default;
    ~HallSigningKey();
    const std::string& hall_code() const noexcept { return m_public.hall_code(); }
    const HallPublicKey& public_key() const noexcept { return m_public; }
    std::uint32_t key_id() const noexcept { return m_public.key_id(); }

private:
    friend std::string issue(const HallSigningKey& key, const Claims& claims);
    std::array<std::uint8_t, 64> m_secret{};  // libsodium's secret key: seed ‖ public key
    HallPublicKey m_public;
};

// The Ed25519 signing key file: "hcp-ed25519-v1 <64 hex digits of the seed>\n", mode 0600, the
// same careful format and creation as SecretKey's files. load throws Error(Errc::key_invalid)
// when the file is missing, readable by others, or of another kind (an HMAC key file included);
// create never overwrites (Errc::key_invalid). Both return the seed.
inline constexpr std::string_view kSigningKeyHeader = "hcp-ed25519-v1 ";
SecretKey load_signing_key_file(const std::filesystem::path& path);
SecretKey create_signing_key_file(const std::filesystem::path& path);

// Throws Error(Errc::invalid_argument) when the claims cannot be encoded: empty or over-long
// subject or hall code, characters outside the allowed set, expiry before 1970 or after 2106.
std::string issue(const HallKey& key, const Claims& claims);         // version 1, HMAC
std::string issue(const HallSigningKey& key, const Claims& claims);  // version 2, Ed25519

// The short code printed beside the QR: the first 8 Base32 characters of the MAC (version 1) or
// of the signature (version 2), as XXXX-XXXX. Empty when the token cannot be decoded.
std::string short_code(std::string_view token);

// Why `prefix` cannot begin a rating URL — not uppercase QR alphanumeric text (0-9 A-Z space
// $ % * + - . / :), or not starting with HTTPS:// or HTTP:// (a phone opens the QR as a web
// address) — in one English sentence; nullopt when it can.
std::optional<std::string> url_prefix_problem(std::string_view prefix);
// Characters of the token issued for `subject` (any stage): Base32 of the payload and the tag.
// A queue ticket's subject is YYYYMMDD + its number ("20261122A012": 53 characters, version 1).
size_t token_length(std::string_view subject, Scheme scheme = Scheme::hmac_sha256);
// The longest URL prefix with which a token for `subject` stays within `max_length`.
size_t max_prefix_length(std::string_view subject, size_t max_length = kMaxUrlLength,
                         Scheme scheme = Scheme::hmac_sha256);

// PREFIX + token. Throws Error(Errc::invalid_argument) when url_prefix_problem(prefix) names a
// problem or the URL would exceed max_length.
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
    wrong_scheme,         // a known version, but this verifier holds keys of the other scheme only
};
std::string_view to_string(Fault f) noexcept;
// Plain Chinese for people (what happened and what to do).
std::string_view message_zh(Fault f) noexcept;

// The key material a verifier holds: HMAC keys verify version-1 tokens, Ed25519 public keys
// version-2 tokens.
struct Keyring {
    std::vector<HallKey> hmac;
    std::vector<HallPublicKey> ed25519;
};

// Verifies a token (or a whole URL: everything up to the last '/' is ignored) against the keys
// it may be signed with. `expected_hall`, when given, must equal the signing key's hall.
// `now` is Unix seconds. A token of a scheme the keyring has no key for is Fault::wrong_scheme
// when the keyring holds keys of the other scheme, Fault::unknown_key when it is empty. Never
// throws on hostile input.
Result<Claims, Fault> verify(std::string_view token_or_url, const Keyring& keys, std::int64_t now,
                             std::optional<std::string_view> expected_hall = {});
// Single-scheme verifiers: a token of the other scheme is Fault::wrong_scheme (unless `keys` is
// empty: Fault::unknown_key).
Result<Claims, Fault> verify(std::string_view token_or_url, const std::vector<HallKey>& keys, std::int64_t now,
                             std::optional<std::string_view> expected_hall = {});
Result<Claims, Fault> verify(std::string_view token_or_url, const std::vector<HallPublicKey>& keys, std::int64_t now,
                             std::optional<std::string_view> expected_hall = {});

// RFC 4648 Base32, uppercase, no padding. decode returns nullopt on any character outside
// A-Z 2-7, on impossible lengths and on non-zero trailing bits (one string per byte sequence).
std::string base32_encode(const std::uint8_t* data, size_t size);
std::optional<Bytes> base32_decode(std::string_view text);

}  // namespace hcp::token
