// Dynamic rating QR token: byte layout and rationale in docs/qr-token.md.
#include "hcp/token/token.hpp"

#include <sodium.h>

#include <algorithm>
#include <array>
#include <span>

#include "base/key_file.hpp"

namespace hcp::token {
namespace {

constexpr std::string_view kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
constexpr std::string_view kDomain = "hcp-qr";  // MAC domain separation
constexpr size_t kHeader = 11;                  // version, flags, key id, expiry, subject length

enum : std::uint8_t { kDigits = 0, kText = 1 };

bool all_digits(std::string_view s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}
bool printable_ascii(std::string_view s) {
    return std::all_of(s.begin(), s.end(), [](char c) { return c >= 0x21 && c <= 0x7E; });
}

// First 4 bytes of SHA-256(bytes), big-endian: the key id of an HMAC key or an Ed25519 public key.
std::uint32_t key_id_of(const std::uint8_t* bytes, size_t size) {
    crypto_init();
    std::array<std::uint8_t, crypto_hash_sha256_BYTES> h{};
    crypto_hash_sha256(h.data(), bytes, size);
    return (std::uint32_t{h[0]} << 24) | (std::uint32_t{h[1]} << 16) | (std::uint32_t{h[2]} << 8) | h[3];
}

// M = "hcp-qr" ‖ len(hall) ‖ hall ‖ P: what both schemes authenticate. The version byte leads P,
// so a version-1 MAC input is never a version-2 signed message or the reverse.
Bytes signed_message(std::string_view hall, const std::uint8_t* payload, size_t size) {
    Bytes msg(kDomain.begin(), kDomain.end());
    msg.push_back(static_cast<std::uint8_t>(hall.size()));
    msg.insert(msg.end(), hall.begin(), hall.end());
    msg.insert(msg.end(), payload, payload + size);
    return msg;
}

std::array<std::uint8_t, kMacBytes> mac_of(const HallKey& key, const std::uint8_t* payload, size_t size) {
    crypto_init();
    const Bytes msg = signed_message(key.hall_code(), payload, size);
    std::array<std::uint8_t, crypto_auth_hmacsha256_BYTES> full{};
    crypto_auth_hmacsha256_state st;
    crypto_auth_hmacsha256_init(&st, key.key().bytes().data(), key.key().bytes().size());
    crypto_auth_hmacsha256_update(&st, msg.data(), msg.size());
    crypto_auth_hmacsha256_final(&st, full.data());
    std::array<std::uint8_t, kMacBytes> out{};
    std::copy_n(full.begin(), kMacBytes, out.begin());
    return out;
}

void check_hall(std::string_view hall) {
    if (hall.empty() || hall.size() > kMaxHallCode || !printable_ascii(hall))
        throw Error(Errc::invalid_argument,
                    "token: hall code must be 1-64 printable ASCII characters, got '" + std::string(hall) + "'");
}

// Validates the claims and builds P (docs/qr-token.md §3) for the given version and key id.
Bytes payload_of(std::uint8_t version, std::uint32_t id, std::string_view key_hall, const Claims& claims) {
    check_hall(claims.hall_code);
    if (claims.hall_code != key_hall)
        throw Error(Errc::invalid_argument,
                    "token: the key belongs to hall '" + std::string(key_hall) + "', not '" + claims.hall_code + "'");
    const std::string& subject = claims.subject;
    const bool digits = all_digits(subject);
    if (subject.empty() || (digits && subject.size() > kMaxDigitSubject) ||
        (!digits && (subject.size() > kMaxTextSubject || !printable_ascii(subject))))
        throw Error(Errc::invalid_argument,
                    "token: subject must be 1-40 digits or 1-24 printable ASCII characters, got '" + subject + "'");
    if (claims.expires_at < 0 || claims.expires_at / 60 > std::int64_t{0xFFFFFFFF})
        throw Error(Errc::invalid_argument, "token: expiry outside 1970..2106");
    const auto minutes = static_cast<std::uint32_t>(claims.expires_at / 60);

    Bytes p;
    p.push_back(version);
    p.push_back(static_cast<std::uint8_t>(((digits ? kDigits : kText) << 4) | static_cast<std::uint8_t>(claims.stage)));
    for (int s = 24; s >= 0; s -= 8) p.push_back(static_cast<std::uint8_t>((id >> s) & 0xFFU));
    for (int s = 24; s >= 0; s -= 8) p.push_back(static_cast<std::uint8_t>((minutes >> s) & 0xFFU));
    p.push_back(static_cast<std::uint8_t>(subject.size()));
    if (digits) {
        for (size_t i = 0; i < subject.size(); i += 2) {
            const auto hi = static_cast<std::uint8_t>(subject[i] - '0');
            const auto lo =
                i + 1 < subject.size() ? static_cast<std::uint8_t>(subject[i + 1] - '0') : std::uint8_t{0xF};
            p.push_back(static_cast<std::uint8_t>((hi << 4) | lo));
        }
    } else {
        p.insert(p.end(), subject.begin(), subject.end());
    }
    return p;
}

// A decoded token whose fields are well formed; the tag (MAC or signature) is not checked yet.
struct Parsed {
    Scheme scheme = Scheme::hmac_sha256;
    Stage stage = Stage::completed;
    std::uint32_t id = 0;
    std::int64_t expires = 0;
    std::string subject;
    size_t payload_size = 0;  // P; the tag follows it
};

size_t tag_size(Scheme s) {
    return s == Scheme::ed25519 ? kSignatureBytes : kMacBytes;
}

std::string_view token_part(std::string_view token_or_url) {
    if (const auto slash = token_or_url.rfind('/'); slash != std::string_view::npos)
        token_or_url.remove_prefix(slash + 1);
    return token_or_url;
}

Result<Parsed, Fault> parse(const Bytes& b) {
    if (b.empty()) return Fault::malformed;
    if (b[0] != kVersion && b[0] != kVersionEd25519) return Fault::unsupported_version;
    Parsed out;
    out.scheme = static_cast<Scheme>(b[0]);
    const size_t tag = tag_size(out.scheme);
    if (b.size() < kHeader + 1 + tag) return Fault::malformed;
    const std::uint8_t encoding = b[1] >> 4;
    const std::uint8_t stage = b[1] & 0x0FU;
    if (encoding > kText || stage > 2) return Fault::malformed;
    out.stage = static_cast<Stage>(stage);
    out.id = (std::uint32_t{b[2]} << 24) | (std::uint32_t{b[3]} << 16) | (std::uint32_t{b[4]} << 8) | b[5];
    const std::uint32_t minutes =
        (std::uint32_t{b[6]} << 24) | (std::uint32_t{b[7]} << 16) | (std::uint32_t{b[8]} << 8) | b[9];
    out.expires = std::int64_t{minutes} * 60;
    const size_t n = b[10];
    const size_t subject_bytes = encoding == kDigits ? (n + 1) / 2 : n;
    if (n == 0 || (encoding == kDigits && n > kMaxDigitSubject) || (encoding == kText && n > kMaxTextSubject))
        return Fault::malformed;
    if (b.size() != kHeader + subject_bytes + tag) return Fault::malformed;
    if (encoding == kDigits) {
        for (size_t i = 0; i < n; ++i) {
            const std::uint8_t byte = b[kHeader + i / 2];
            const std::uint8_t d = (i % 2 == 0) ? (byte >> 4) : (byte & 0x0FU);
            if (d > 9) return Fault::malformed;
            out.subject.push_back(static_cast<char>('0' + d));
        }
        if (n % 2 == 1 && (b[kHeader + n / 2] & 0x0FU) != 0x0F) return Fault::malformed;
    } else {
        out.subject.assign(b.begin() + static_cast<std::ptrdiff_t>(kHeader),
                           b.begin() + static_cast<std::ptrdiff_t>(kHeader + n));
        if (!printable_ascii(out.subject) || all_digits(out.subject))
            return Fault::malformed;  // one encoding per subject
    }
    out.payload_size = kHeader + subject_bytes;
    return out;
}

// Finds the key among those with the token's id whose tag matches; nullptr with the fault
// otherwise. `check` compares one key's tag over the payload.
template <class Key, class Check>
Result<const Key*, Fault> find_signer(std::span<const Key> keys, std::uint32_t id, Check&& check) {
    bool any_id = false;
    for (const Key& k : keys) {
        if (k.key_id() != id) continue;
        any_id = true;
        if (check(k)) return &k;
    }
    return any_id ? Fault::bad_signature : Fault::unknown_key;
}

Result<Claims, Fault> verify_in(std::string_view token_or_url, std::span<const HallKey> hmac,
                                std::span<const HallPublicKey> ed25519, std::int64_t now,
                                std::optional<std::string_view> expected_hall) {
    const std::string_view token = token_part(token_or_url);
    if (token.size() > kMaxTokenLength) return Fault::malformed;
    const auto decoded = base32_decode(token);
    if (!decoded || decoded->empty()) return Fault::malformed;
    const Bytes& b = *decoded;
    auto parsed = parse(b);
    if (!parsed) return parsed.error();
    const Parsed& t = parsed.value();

    // A token whose scheme this verifier has no key for: say so, rather than "unknown key", when
    // it was configured for the other scheme (a platform given the wrong kind of key material).
    const bool have_hmac = !hmac.empty(), have_ed = !ed25519.empty();
    if (t.scheme == Scheme::hmac_sha256 && !have_hmac && have_ed) return Fault::wrong_scheme;
    if (t.scheme == Scheme::ed25519 && !have_ed && have_hmac) return Fault::wrong_scheme;

    const std::uint8_t* tag = b.data() + t.payload_size;
    std::string hall;
    if (t.scheme == Scheme::hmac_sha256) {
        const auto signer = find_signer<HallKey>(hmac, t.id, [&](const HallKey& k) {
            const auto mac = mac_of(k, b.data(), t.payload_size);
            return sodium_memcmp(mac.data(), tag, kMacBytes) == 0;
        });
        if (!signer) return signer.error();
        hall = signer.value()->hall_code();
    } else {
        crypto_init();
        const auto signer = find_signer<HallPublicKey>(ed25519, t.id, [&](const HallPublicKey& k) {
            const Bytes msg = signed_message(k.hall_code(), b.data(), t.payload_size);
            return crypto_sign_verify_detached(tag, msg.data(), msg.size(), k.bytes().data()) == 0;
        });
        if (!signer) return signer.error();
        hall = signer.value()->hall_code();
    }
    if (expected_hall && *expected_hall != hall) return Fault::wrong_hall;
    if (now > t.expires) return Fault::expired;
    return Claims{hall, t.subject, t.stage, t.expires};
}

}  // namespace

std::string_view to_string(Scheme s) noexcept {
    switch (s) {
        case Scheme::hmac_sha256: return "hmac";
        case Scheme::ed25519: return "ed25519";
    }
    return "?";
}

std::optional<Scheme> parse_scheme(std::string_view s) noexcept {
    if (s == "hmac" || s == "hmac-sha256") return Scheme::hmac_sha256;
    if (s == "ed25519") return Scheme::ed25519;
    return std::nullopt;
}

std::optional<Scheme> scheme_of(std::string_view token_or_url) noexcept {
    const std::string_view token = token_part(token_or_url);
    if (token.size() > kMaxTokenLength) return std::nullopt;
    try {
        const auto decoded = base32_decode(token);
        if (!decoded || decoded->empty()) return std::nullopt;
        if ((*decoded)[0] == kVersion) return Scheme::hmac_sha256;
        if ((*decoded)[0] == kVersionEd25519) return Scheme::ed25519;
    } catch (const std::bad_alloc&) {}
    return std::nullopt;
}

std::string_view to_string(Stage s) noexcept {
    switch (s) {
        case Stage::ticket: return "ticket";
        case Stage::accepted: return "accepted";
        case Stage::completed: return "completed";
    }
    return "?";
}

std::optional<Stage> parse_stage(std::string_view s) noexcept {
    if (s == "ticket") return Stage::ticket;
    if (s == "accepted") return Stage::accepted;
    if (s == "completed") return Stage::completed;
    return std::nullopt;
}

std::string_view to_string(Fault f) noexcept {
    switch (f) {
        case Fault::malformed: return "malformed";
        case Fault::unsupported_version: return "unsupported_version";
        case Fault::unknown_key: return "unknown_key";
        case Fault::bad_signature: return "bad_signature";
        case Fault::wrong_hall: return "wrong_hall";
        case Fault::expired: return "expired";
        case Fault::wrong_scheme: return "wrong_scheme";
    }
    return "?";
}

std::string_view message_zh(Fault f) noexcept {
    switch (f) {
        case Fault::malformed: return "二维码内容不完整或已损坏，请重新扫描，或请窗口重新打印回执。";
        case Fault::unsupported_version: return "二维码版本过新，本系统无法识别，请到窗口咨询。";
        case Fault::unknown_key: return "二维码不是本大厅签发的，请扫描本大厅打印的回执或小票。";
        case Fault::bad_signature: return "二维码校验失败，可能被篡改，请到窗口重新打印回执。";
        case Fault::wrong_hall: return "二维码属于其他大厅，请在对应大厅评价。";
        case Fault::expired: return "二维码已过有效期，请登录政务服务网按办件编号评价。";
        case Fault::wrong_scheme:
            return "二维码的签名方式与本系统配置的密钥不符，请联系管理员核对验签密钥（HMAC 或 Ed25519 公钥）。";
    }
    return "二维码无法识别。";
}

HallKey::HallKey(std::string hall_code, SecretKey key)
    : m_hall(std::move(hall_code)), m_key(std::move(key)), m_id(key_id_of(m_key.bytes().data(), SecretKey::kSize)) {
    check_hall(m_hall);
}

HallPublicKey::HallPublicKey(std::string hall_code, const std::array<std::uint8_t, kSize>& bytes)
    : m_hall(std::move(hall_code)), m_bytes(bytes), m_id(key_id_of(bytes.data(), kSize)) {
    check_hall(m_hall);
    crypto_init();
    // Small-order and off-curve points would make signatures meaningless; refuse them here,
    // where the platform loads its key material, not at the first scan.
    if (crypto_core_ed25519_is_valid_point(m_bytes.data()) != 1)
        throw Error(Errc::invalid_argument, "token: " + to_hex() + " is not a valid Ed25519 public key");
}

HallPublicKey HallPublicKey::parse(std::string hall_code, std::string_view text) {
    std::array<std::uint8_t, kSize> bytes{};
    if (text.size() == 2 * kSize) {
        for (size_t i = 0; i < kSize; ++i) {
            int v = 0;
            for (char c : text.substr(2 * i, 2)) {
                int d = -1;
                if (c >= '0' && c <= '9')
                    d = c - '0';
                else if (c >= 'a' && c <= 'f')
                    d = c - 'a' + 10;
                else if (c >= 'A' && c <= 'F')
                    d = c - 'A' + 10;
                if (d < 0)
                    throw Error(Errc::invalid_argument,
                                "token: the public key contains a character that is not a hex digit");
                v = v * 16 + d;
            }
            bytes[i] = static_cast<std::uint8_t>(v);
        }
    } else if (text.size() == (kSize * 8 + 4) / 5) {
        const auto decoded = base32_decode(text);
        if (!decoded || decoded->size() != kSize)
            throw Error(Errc::invalid_argument, "token: the public key is not valid Base32 (A-Z 2-7)");
        std::copy(decoded->begin(), decoded->end(), bytes.begin());
    } else {
        throw Error(Errc::invalid_argument, "token: a public key is 64 hex digits or 52 Base32 characters, got " +
                                                std::to_string(text.size()) + " characters");
    }
    return HallPublicKey(std::move(hall_code), bytes);
}

std::string HallPublicKey::to_hex() const {
    return hcp::to_hex(m_bytes.data(), m_bytes.size());
}
std::string HallPublicKey::to_base32() const {
    return base32_encode(m_bytes.data(), m_bytes.size());
}

namespace {
HallPublicKey expand_seed(std::string hall, const SecretKey& seed, std::array<std::uint8_t, 64>& secret) {
    static_assert(crypto_sign_SEEDBYTES == SecretKey::kSize && crypto_sign_SECRETKEYBYTES == 64 &&
                  crypto_sign_PUBLICKEYBYTES == HallPublicKey::kSize && crypto_sign_BYTES == kSignatureBytes);
    crypto_init();
    std::array<std::uint8_t, HallPublicKey::kSize> pk{};
    crypto_sign_seed_keypair(pk.data(), secret.data(), seed.bytes().data());
    return HallPublicKey(std::move(hall), pk);
}
}  // namespace

HallSigningKey::HallSigningKey(std::string hall_code, const SecretKey& seed)
    : m_public(expand_seed(std::move(hall_code), seed, m_secret)) {}

HallSigningKey::~HallSigningKey() {
    sodium_memzero(m_secret.data(), m_secret.size());
}

SecretKey load_signing_key_file(const std::filesystem::path& path) {
    std::array<std::uint8_t, SecretKey::kSize> seed{};
    detail::read_key_file(path, kSigningKeyHeader, "hcpctl token keygen --scheme ed25519 --out " + path.string(), seed);
    SecretKey key = SecretKey::from_bytes(seed);
    sodium_memzero(seed.data(), seed.size());
    return key;
}

SecretKey create_signing_key_file(const std::filesystem::path& path) {
    SecretKey seed = SecretKey::random();
    detail::create_key_file(path, kSigningKeyHeader, seed.bytes());
    return seed;
}

std::string base32_encode(const std::uint8_t* data, size_t size) {
    std::string out;
    out.reserve((size * 8 + 4) / 5);
    std::uint32_t buffer = 0;
    int bits = 0;
    for (size_t i = 0; i < size; ++i) {
        buffer = (buffer << 8) | data[i];
        bits += 8;
        while (bits >= 5) {
            out.push_back(kAlphabet[(buffer >> (bits - 5)) & 31U]);
            bits -= 5;
        }
        buffer &= (1U << bits) - 1U;
    }
    if (bits > 0) out.push_back(kAlphabet[(buffer << (5 - bits)) & 31U]);
    return out;
}

std::optional<Bytes> base32_decode(std::string_view text) {
    // Lengths mod 8 of 1, 3 and 6 cannot come from whole bytes.
    const size_t rem = text.size() % 8;
    if (rem == 1 || rem == 3 || rem == 6) return std::nullopt;
    Bytes out;
    out.reserve(text.size() * 5 / 8);
    std::uint32_t buffer = 0;
    int bits = 0;
    for (char c : text) {
        std::uint32_t v = 0;
        if (c >= 'A' && c <= 'Z')
            v = static_cast<std::uint32_t>(c - 'A');
        else if (c >= '2' && c <= '7')
            v = static_cast<std::uint32_t>(c - '2') + 26U;
        else
            return std::nullopt;
        buffer = (buffer << 5) | v;
        bits += 5;
        if (bits >= 8) {
            out.push_back(static_cast<std::uint8_t>((buffer >> (bits - 8)) & 0xFFU));
            bits -= 8;
            buffer &= (1U << bits) - 1U;
        }
    }
    if (buffer != 0) return std::nullopt;  // non-zero trailing bits: not canonical
    return out;
}

std::string issue(const HallKey& key, const Claims& claims) {
    Bytes p = payload_of(kVersion, key.key_id(), key.hall_code(), claims);
    const auto mac = mac_of(key, p.data(), p.size());
    p.insert(p.end(), mac.begin(), mac.end());
    return base32_encode(p.data(), p.size());
}

std::string issue(const HallSigningKey& key, const Claims& claims) {
    Bytes p = payload_of(kVersionEd25519, key.key_id(), key.hall_code(), claims);
    const Bytes msg = signed_message(key.hall_code(), p.data(), p.size());
    std::array<std::uint8_t, kSignatureBytes> sig{};
    crypto_init();
    crypto_sign_detached(sig.data(), nullptr, msg.data(), msg.size(), key.m_secret.data());
    p.insert(p.end(), sig.begin(), sig.end());
    return base32_encode(p.data(), p.size());
}

std::string short_code(std::string_view token) {
    const auto bytes = base32_decode(token);
    if (!bytes || bytes->empty()) return {};
    const size_t tag = (*bytes)[0] == kVersionEd25519 ? kSignatureBytes : kMacBytes;
    if (bytes->size() < tag) return {};
    // 5 bytes are exactly 8 Base32 characters.
    const std::string code = base32_encode(bytes->data() + (bytes->size() - tag), 5);
    return code.substr(0, 4) + "-" + code.substr(4, 4);
}

bool is_qr_alphanumeric(std::string_view s) noexcept {
    constexpr std::string_view extra = " $%*+-./:";
    return std::all_of(s.begin(), s.end(), [&](char c) {
        return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || extra.find(c) != std::string_view::npos;
    });
}

std::optional<std::string> url_prefix_problem(std::string_view prefix) {
    if (prefix.empty() || !is_qr_alphanumeric(prefix))
        return "URL prefix '" + std::string(prefix) +
               "' must be uppercase letters, digits and $%*+-./: only (QR alphanumeric mode)";
    if (prefix.rfind("HTTPS://", 0) != 0 && prefix.rfind("HTTP://", 0) != 0)
        return "URL prefix '" + std::string(prefix) +
               "' must start with HTTPS:// or HTTP:// (a phone opens it as a web address)";
    return std::nullopt;
}

size_t token_length(std::string_view subject, Scheme scheme) {
    // version, kind|stage, key id (4), expiry minutes (4), subject length, subject, tag
    const size_t subject_bytes = all_digits(subject) ? (subject.size() + 1) / 2 : subject.size();
    const size_t tag = scheme == Scheme::ed25519 ? kSignatureBytes : kMacBytes;
    const size_t bytes = 11 + subject_bytes + tag;
    return (bytes * 8 + 4) / 5;  // unpadded Base32
}

size_t max_prefix_length(std::string_view subject, size_t max_length, Scheme scheme) {
    const size_t token = token_length(subject, scheme);
    return token >= max_length ? 0 : max_length - token;
}

std::string make_url(std::string_view prefix, std::string_view token, size_t max_length) {
    if (auto problem = url_prefix_problem(prefix)) throw Error(Errc::invalid_argument, "token: " + *problem);
    std::string url = std::string(prefix) + std::string(token);
    if (url.size() > max_length)
        throw Error(Errc::invalid_argument, "token: URL is " + std::to_string(url.size()) +
                                                " characters, more than the limit of " + std::to_string(max_length) +
                                                "; shorten the prefix or the subject");
    return url;
}

Result<Claims, Fault> verify(std::string_view token_or_url, const Keyring& keys, std::int64_t now,
                             std::optional<std::string_view> expected_hall) {
    return verify_in(token_or_url, keys.hmac, keys.ed25519, now, expected_hall);
}

Result<Claims, Fault> verify(std::string_view token_or_url, const std::vector<HallKey>& keys, std::int64_t now,
                             std::optional<std::string_view> expected_hall) {
    return verify_in(token_or_url, keys, {}, now, expected_hall);
}

Result<Claims, Fault> verify(std::string_view token_or_url, const std::vector<HallPublicKey>& keys, std::int64_t now,
                             std::optional<std::string_view> expected_hall) {
    return verify_in(token_or_url, {}, keys, now, expected_hall);
}

}  // namespace hcp::token
