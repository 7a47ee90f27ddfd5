// Dynamic rating QR token: byte layout and rationale in docs/qr-token.md.
#include "hcp/token.hpp"

#include <sodium.h>

#include <algorithm>
#include <array>

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

std::uint32_t key_id_of(const SecretKey& key) {
    crypto_init();
    std::array<std::uint8_t, crypto_hash_sha256_BYTES> h{};
    crypto_hash_sha256(h.data(), key.bytes().data(), key.bytes().size());
    return (std::uint32_t{h[0]} << 24) | (std::uint32_t{h[1]} << 16) | (std::uint32_t{h[2]} << 8) | h[3];
}

std::array<std::uint8_t, kMacBytes> mac_of(const HallKey& key, const std::uint8_t* payload, size_t size) {
    crypto_init();
    Bytes msg(kDomain.begin(), kDomain.end());
    msg.push_back(static_cast<std::uint8_t>(key.hall_code().size()));
    msg.insert(msg.end(), key.hall_code().begin(), key.hall_code().end());
    msg.insert(msg.end(), payload, payload + size);
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

}  // namespace

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
    }
    return "二维码无法识别。";
}

HallKey::HallKey(std::string hall_code, SecretKey key)
    : m_hall(std::move(hall_code)), m_key(std::move(key)), m_id(key_id_of(m_key)) {
    check_hall(m_hall);
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
        if (c >= 'A' && c <= 'Z') v = static_cast<std::uint32_t>(c - 'A');
        else if (c >= '2' && c <= '7') v = static_cast<std::uint32_t>(c - '2') + 26U;
        else return std::nullopt;
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
    check_hall(claims.hall_code);
    if (claims.hall_code != key.hall_code())
        throw Error(Errc::invalid_argument, "token: the key belongs to hall '" + key.hall_code() +
                                                "', not '" + claims.hall_code + "'");
    const std::string& subject = claims.subject;
    const bool digits = all_digits(subject);
    if (subject.empty() || (digits && subject.size() > kMaxDigitSubject) ||
        (!digits && (subject.size() > kMaxTextSubject || !printable_ascii(subject))))
        throw Error(Errc::invalid_argument,
                    "token: subject must be 1-40 digits or 1-24 printable ASCII characters, got '" + subject + "'");
    if (claims.expires_at < 0 || claims.expires_at / 60 > std::int64_t{0xFFFFFFFF})
        throw Error(Errc::invalid_argument, "token: expiry outside 1970..2106");
    const auto minutes = static_cast<std::uint32_t>(claims.expires_at / 60);
    const std::uint32_t id = key.key_id();

    Bytes p;
    p.push_back(kVersion);
    p.push_back(static_cast<std::uint8_t>(((digits ? kDigits : kText) << 4) | static_cast<std::uint8_t>(claims.stage)));
    for (int s = 24; s >= 0; s -= 8) p.push_back(static_cast<std::uint8_t>((id >> s) & 0xFFU));
    for (int s = 24; s >= 0; s -= 8) p.push_back(static_cast<std::uint8_t>((minutes >> s) & 0xFFU));
    p.push_back(static_cast<std::uint8_t>(subject.size()));
    if (digits) {
        for (size_t i = 0; i < subject.size(); i += 2) {
            const auto hi = static_cast<std::uint8_t>(subject[i] - '0');
            const auto lo = i + 1 < subject.size() ? static_cast<std::uint8_t>(subject[i + 1] - '0') : std::uint8_t{0xF};
            p.push_back(static_cast<std::uint8_t>((hi << 4) | lo));
        }
    } else {
        p.insert(p.end(), subject.begin(), subject.end());
    }
    const auto mac = mac_of(key, p.data(), p.size());
    p.insert(p.end(), mac.begin(), mac.end());
    return base32_encode(p.data(), p.size());
}

std::string short_code(std::string_view token) {
    const auto bytes = base32_decode(token);
    if (!bytes || bytes->size() < kMacBytes) return {};
    const std::string mac = base32_encode(bytes->data() + (bytes->size() - kMacBytes), kMacBytes);
    return mac.substr(0, 4) + "-" + mac.substr(4, 4);
}

bool is_qr_alphanumeric(std::string_view s) noexcept {
    constexpr std::string_view extra = " $%*+-./:";
    return std::all_of(s.begin(), s.end(), [&](char c) {
        return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || extra.find(c) != std::string_view::npos;
    });
}

std::string make_url(std::string_view prefix, std::string_view token, size_t max_length) {
    if (prefix.empty() || !is_qr_alphanumeric(prefix))
        throw Error(Errc::invalid_argument,
                    "token: URL prefix '" + std::string(prefix) +
                        "' must be uppercase letters, digits and $%*+-./: only (QR alphanumeric mode)");
    std::string url = std::string(prefix) + std::string(token);
    if (url.size() > max_length)
        throw Error(Errc::invalid_argument, "token: URL is " + std::to_string(url.size()) +
                                                " characters, more than the limit of " + std::to_string(max_length) +
                                                "; shorten the prefix or the subject");
    return url;
}

Result<Claims, Fault> verify(std::string_view token_or_url, const std::vector<HallKey>& keys, std::int64_t now,
                             std::optional<std::string_view> expected_hall) {
    std::string_view token = token_or_url;
    if (const auto slash = token.rfind('/'); slash != std::string_view::npos) token.remove_prefix(slash + 1);
    if (token.size() > 128) return Fault::malformed;
    const auto decoded = base32_decode(token);
    if (!decoded || decoded->empty()) return Fault::malformed;
    const Bytes& b = *decoded;
    if (b[0] != kVersion) return Fault::unsupported_version;
    if (b.size() < kHeader + 1 + kMacBytes) return Fault::malformed;
    const std::uint8_t encoding = b[1] >> 4;
    const std::uint8_t stage = b[1] & 0x0FU;
    if (encoding > kText || stage > 2) return Fault::malformed;
    const std::uint32_t id = (std::uint32_t{b[2]} << 24) | (std::uint32_t{b[3]} << 16) | (std::uint32_t{b[4]} << 8) | b[5];
    const std::uint32_t minutes =
        (std::uint32_t{b[6]} << 24) | (std::uint32_t{b[7]} << 16) | (std::uint32_t{b[8]} << 8) | b[9];
    const size_t n = b[10];
    const size_t subject_bytes = encoding == kDigits ? (n + 1) / 2 : n;
    if (n == 0 || (encoding == kDigits && n > kMaxDigitSubject) || (encoding == kText && n > kMaxTextSubject))
        return Fault::malformed;
    if (b.size() != kHeader + subject_bytes + kMacBytes) return Fault::malformed;

    std::string subject;
    if (encoding == kDigits) {
        for (size_t i = 0; i < n; ++i) {
            const std::uint8_t byte = b[kHeader + i / 2];
            const std::uint8_t d = (i % 2 == 0) ? (byte >> 4) : (byte & 0x0FU);
            if (d > 9) return Fault::malformed;
            subject.push_back(static_cast<char>('0' + d));
        }
        if (n % 2 == 1 && (b[kHeader + n / 2] & 0x0FU) != 0x0F) return Fault::malformed;
    } else {
        subject.assign(b.begin() + static_cast<std::ptrdiff_t>(kHeader),
                       b.begin() + static_cast<std::ptrdiff_t>(kHeader + n));
        if (!printable_ascii(subject) || all_digits(subject)) return Fault::malformed;  // one encoding per subject
    }

    const size_t payload = kHeader + subject_bytes;
    const HallKey* signer = nullptr;
    bool any_id = false;
    for (const auto& k : keys) {
        if (k.key_id() != id) continue;
        any_id = true;
        const auto mac = mac_of(k, b.data(), payload);
        if (sodium_memcmp(mac.data(), b.data() + payload, kMacBytes) == 0) {
            signer = &k;
            break;
        }
    }
    if (!any_id) return Fault::unknown_key;
    if (signer == nullptr) return Fault::bad_signature;
    if (expected_hall && *expected_hall != signer->hall_code()) return Fault::wrong_hall;
    const std::int64_t expires = std::int64_t{minutes} * 60;
    if (now > expires) return Fault::expired;
    return Claims{signer->hall_code(), subject, static_cast<Stage>(stage), expires};
}

}  // namespace hcp::token
