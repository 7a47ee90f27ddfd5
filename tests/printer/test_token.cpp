// The dynamic rating QR token: docs/qr-token.md test vectors for both schemes (HMAC version 1,
// Ed25519 version 2), rejection of hostile tokens and key files, cross-scheme confusion, the
// Ed25519 receipt on 58 mm, and `hcpctl token`.
#include <sys/stat.h>
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <functional>
#include <random>
#include <sstream>

#include "hcp/token/token.hpp"
#include "printer_helpers.hpp"

using namespace hcp;
using namespace hcp::token;
using hcp::test::read_file;
using hcp::test::run_command;
using hcp::test::TempDir;
using hcp::test::write_file;

namespace {

SecretKey vector_key() {
    std::array<std::uint8_t, 32> b{};
    for (size_t i = 0; i < b.size(); ++i) b[i] = static_cast<std::uint8_t>(i);
    return SecretKey::from_bytes(b);
}

// The documented Ed25519 seed: bytes 20 21 … 3f.
SecretKey ed_seed() {
    std::array<std::uint8_t, 32> b{};
    for (size_t i = 0; i < b.size(); ++i) b[i] = static_cast<std::uint8_t>(0x20 + i);
    return SecretKey::from_bytes(b);
}
constexpr const char* kEdPublicHex = "29acbae141bccaf0b22e1a94d34d0bc7361e526d0bfe12c89794bc9322966dd7";
constexpr const char* kEdPublicBase32 = "FGWLVYKBXTFPBMRODKKNGTILY43B4UTNBP7BFSEXSS6JGIUWNXLQ";

struct Vector {
    const char* hall;
    const char* subject;
    Stage stage;
    std::int64_t expires;
    const char* token;
    const char* code;
};

// The same table is in docs/qr-token.md §6; it was computed independently with Python's hmac
// and base64 modules from the layout in that document.
const Vector kVectors[] = {
    {"150102001", "20261122000123456789", Stage::completed, 1797897600,
     "AEBGGDONFEA4SOVACQQCMEJCAAASGRLHRG5FWJMBS4ANKQDUUQ", "XJNS-LAMX"},
    {"150102001", "20261122A012", Stage::ticket, 1795392000, "AEIGGDONFEA4RF4ABQZDAMRWGEYTEMSBGAYTEBRCB7ZORVEQRLTN6",
     "AYRA-74XI"},
    {"620102-01", "1234567", Stage::accepted, 1800000000, "AEAWGDONFEA4TQ4AA4JDIVT73RKFNT5VUM6LVD5L", "3RKF-NT5V"},
};

// docs/qr-token.md §9.5: computed independently with Python's `cryptography` (OpenSSL's Ed25519),
// not libsodium, from the layout in that document.
const Vector kEdVectors[] = {
    {"150102001", "20261122000123456789", Stage::completed, 1797897600,
     "AIBCJ5XNNIA4SOVACQQCMEJCAAASGRLHREM7OHEVZCZUNZX6VDCG6PFEZDYCRREGEZPXCATOEM22XL7QYS6HSBLZNRKM5VFBHQGETFCGJAOXBAXPH"
     "675OYOFPW2HMXYLETESYFYF",
     "DH3R-ZFOI"},
    {"150102001", "20261122A012", Stage::ticket, 1795392000,
     "AIICJ5XNNIA4RF4ABQZDAMRWGEYTEMSBGAYTEXKFMM2T2ZRRZABA5ZEC2LF6KVRIDYX7GFRPKKKGGMYPHIBH6PXH47FOUH4XW5QVPKN2MAX6NS6S7"
     "MDI2B6UX4KIKORBFGDCCHOVVMHQ",
     "LVCW-GNJ5"},
    {"620102-01", "1234567", Stage::accepted, 1800000000,
     "AIASJ5XNNIA4TQ4AA4JDIVT74SU2CJNRYACVX36CMIASQ3WHVRP4SSJHDOGEPNIHG3HL2YHNFITX4RXX5KWODGL3D3JJHI22TTMRWSCYZ3JLVGB5H"
     "FUPAGCOCI4DACI",
     "4SU2-CJNR"},
};

std::string q(const std::filesystem::path& p) {
    return "'" + p.string() + "'";
}

}  // namespace

TEST_CASE("The documented test vectors are issued byte for byte and verify") {
    for (const auto& v : kVectors) {
        const HallKey key(v.hall, vector_key());
        CHECK(key.key_id() == 0x630dcd29U);
        const Claims claims{v.hall, v.subject, v.stage, v.expires};
        CHECK(issue(key, claims) == v.token);
        CHECK(short_code(v.token) == v.code);
        const auto r = verify(v.token, {key}, v.expires - 1, std::string_view(v.hall));
        REQUIRE(r.ok());
        CHECK(r.value() == claims);
    }
}

TEST_CASE("A receipt URL with the default prefix stays within 80 characters and is QR alphanumeric") {
    const HallKey key("150102001", vector_key());
    const std::string token = issue(key, {"150102001", "20261122000123456789", Stage::completed, 1797897600});
    const std::string url = make_url("HTTPS://HCP.NMG.GOV.CN/R/", token);
    CHECK(url.size() <= kMaxUrlLength);
    CHECK(is_qr_alphanumeric(url));
    CHECK(verify(url, {key}, 1797897000).ok());
}

TEST_CASE("A lowercase or over-long URL prefix is refused") {
    CHECK_THROWS_AS(make_url("https://hcp.example.cn/r/", "ABC"), Error);
    CHECK_THROWS_AS(make_url(std::string(70, 'A'), std::string(20, 'B')), Error);
}

TEST_CASE("Claims that cannot be encoded are refused when issuing") {
    const HallKey key("H1", vector_key());
    CHECK_THROWS_AS(issue(key, {"H1", "", Stage::ticket, 100}), Error);
    CHECK_THROWS_AS(issue(key, {"H1", std::string(41, '1'), Stage::ticket, 100}), Error);
    CHECK_THROWS_AS(issue(key, {"H1", std::string(25, 'A'), Stage::ticket, 100}), Error);
    CHECK_THROWS_AS(issue(key, {"H1", "张三", Stage::ticket, 100}), Error);
    CHECK_THROWS_AS(issue(key, {"H1", "A B", Stage::ticket, 100}), Error);
    CHECK_THROWS_AS(issue(key, {"H2", "A1", Stage::ticket, 100}), Error);
    CHECK_THROWS_AS(issue(key, {"H1", "A1", Stage::ticket, -1}), Error);
    CHECK_THROWS_AS(HallKey("", vector_key()), Error);
}

TEST_CASE("Expired wrong-hall wrong-key and unknown-key tokens are rejected with their cause") {
    const HallKey key("150102001", vector_key());
    const auto& v = kVectors[0];
    CHECK(verify(v.token, {key}, v.expires).ok());  // valid up to and including the expiry minute
    CHECK(verify(v.token, {key}, v.expires + 1).error() == Fault::expired);
    CHECK(verify(v.token, {key}, 0, std::string_view("150102002")).error() == Fault::wrong_hall);
    // Same key bytes registered for another hall: the MAC binds the hall code.
    const HallKey other_hall("150102002", vector_key());
    CHECK(verify(v.token, {other_hall}, 0).error() == Fault::bad_signature);
    const HallKey other_key("150102001", SecretKey::random());
    CHECK(verify(v.token, {other_key}, 0).error() == Fault::unknown_key);
    CHECK(verify(v.token, std::vector<HallKey>{}, 0).error() == Fault::unknown_key);
}

TEST_CASE("Malformed tokens are rejected without throwing") {
    const HallKey key("150102001", vector_key());
    const std::string t = kVectors[0].token;
    for (const std::string& bad :
         {std::string(), std::string("A"), std::string("aebggdonfea4sovacqqcmejcaaasgrlhrg5fwjmbs4ankqduuq"), t + "=",
          t + "A", t.substr(0, t.size() - 1), t.substr(0, 20), std::string(500, 'A'), std::string("0189"),
          std::string("AEBGGDONFEA4SOVACQQCMEJCAAASGRLHRG5FWJMBS4ANKQDUU\xE4")}) {
        const auto r = verify(bad, {key}, 0);
        CHECK_FALSE(r.ok());
    }
    // Versions other than 1 and 2 are not understood by this verifier.
    auto bytes = *base32_decode(t);
    for (int version : {0, 3, 0x81, 0xFF}) {
        bytes[0] = static_cast<std::uint8_t>(version);
        CHECK(verify(base32_encode(bytes.data(), bytes.size()), {key}, 0).error() == Fault::unsupported_version);
    }
}

TEST_CASE("Base32 round-trips every length and rejects non-canonical text") {
    std::mt19937 rng(7);
    for (size_t n = 0; n < 64; ++n) {
        Bytes b(n);
        for (auto& x : b) x = static_cast<std::uint8_t>(rng());
        const auto text = base32_encode(b.data(), b.size());
        CHECK(text.size() == (n * 8 + 4) / 5);
        REQUIRE(base32_decode(text));
        CHECK(*base32_decode(text) == b);
    }
    CHECK_FALSE(base32_decode("AB"));  // trailing bits not zero (A=0, B=1 → low bit set)
    CHECK_FALSE(base32_decode("MZXW6YTB="));
    CHECK_FALSE(base32_decode("mzxw6ytb"));
    CHECK_FALSE(base32_decode("A"));
}

TEST_CASE("Thousands of randomly altered truncated and forged tokens never verify") {
    const HallKey key("150102001", vector_key());
    std::mt19937_64 rng(20261122);
    const std::int64_t now = 1797000000;
    int accepted = 0, trials = 0;
    for (int i = 0; i < 4000; ++i) {
        const std::string subject = std::to_string(rng() % 1000000000000ULL);
        const Claims c{"150102001", subject, static_cast<Stage>(rng() % 3), now + 3600};
        const std::string good = issue(key, c);
        REQUIRE(verify(good, {key}, now).ok());
        // 1. change one character to another Base32 character
        std::string altered = good;
        const size_t pos = rng() % altered.size();
        char ch = altered[pos];
        while (ch == altered[pos]) ch = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"[rng() % 32];
        altered[pos] = ch;
        // 2. truncate
        const std::string truncated = good.substr(0, rng() % good.size());
        // 3. random bytes with a valid header and key id (a forger without the key)
        auto bytes = *base32_decode(good);
        for (size_t k = 11; k < bytes.size(); ++k) bytes[k] = static_cast<std::uint8_t>(rng());
        const std::string forged = base32_encode(bytes.data(), bytes.size());
        // 4. flip one bit of the decoded bytes
        auto flipped = *base32_decode(good);
        flipped[rng() % flipped.size()] ^= static_cast<std::uint8_t>(1U << (rng() % 8));
        const std::string bitflip = base32_encode(flipped.data(), flipped.size());
        for (const std::string* t :
             std::initializer_list<const std::string*>{&altered, &truncated, &forged, &bitflip}) {
            ++trials;
            const auto r = verify(*t, {key}, now);
            if (r.ok() && !(r.value() == c)) ++accepted;
            if (r.ok() && *t != good) ++accepted;
        }
    }
    CHECK(trials == 16000);
    CHECK(accepted == 0);
}

TEST_CASE("Every fault has a Chinese message that tells the citizen what to do") {
    for (Fault f : {Fault::malformed, Fault::unsupported_version, Fault::unknown_key, Fault::bad_signature,
                    Fault::wrong_hall, Fault::expired, Fault::wrong_scheme}) {
        CHECK(message_zh(f).find("请") != std::string_view::npos);
        CHECK_FALSE(to_string(f).empty());
    }
}

TEST_CASE("Every test vector row in docs/qr-token.md is reproduced by the C++ issuer") {
    const auto path = std::filesystem::path(HCP_SOURCE_ASSETS_DIR).parent_path() / "docs" / "qr-token.md";
    std::ifstream doc(path);
    REQUIRE(doc);
    const HallSigningKey ed_key("-", ed_seed());
    // The doc states the public key the Ed25519 vectors verify with, in both spellings.
    const std::string text = read_file(path);
    CHECK(text.find(ed_key.public_key().to_hex()) != std::string::npos);
    CHECK(text.find(ed_key.public_key().to_base32()) != std::string::npos);
    int rows_v1 = 0, rows_v2 = 0;
    std::string line;
    while (std::getline(doc, line)) {
        if (line.rfind("| `", 0) != 0) continue;
        std::vector<std::string> cells;
        std::stringstream ss(line.substr(1));
        std::string cell;
        while (std::getline(ss, cell, '|')) {
            const auto a = cell.find_first_not_of(" `"), b = cell.find_last_not_of(" `");
            cells.push_back(a == std::string::npos ? "" : cell.substr(a, b - a + 1));
        }
        if (cells.size() < 8) continue;
        const Claims c{cells[0], cells[1], static_cast<Stage>(cells[2][0] - '0'), std::stoll(cells[3])};
        // The payload's first byte is the version: it says which table the row belongs to.
        const bool ed = cells[4].rfind("02", 0) == 0;
        REQUIRE((ed || cells[4].rfind("01", 0) == 0));
        const std::string token =
            ed ? issue(HallSigningKey(cells[0], ed_seed()), c) : issue(HallKey(cells[0], vector_key()), c);
        const size_t tag = ed ? kSignatureBytes : kMacBytes;
        ++(ed ? rows_v2 : rows_v1);
        CHECK(token == cells[6]);
        CHECK(short_code(token) == cells[7]);
        const auto bytes = *base32_decode(token);
        CHECK(to_hex(bytes.data(), bytes.size() - tag) == cells[4]);
        CHECK(to_hex(bytes.data() + bytes.size() - tag, tag) == cells[5]);
        if (ed) CHECK(verify(cells[6], {HallPublicKey::parse(cells[0], kEdPublicHex)}, c.expires_at).value() == c);
    }
    CHECK(rows_v1 == 3);
    CHECK(rows_v2 == 3);
}

TEST_CASE("The documented Ed25519 vectors are issued byte for byte and verify with the public key alone") {
    for (const auto& v : kEdVectors) {
        const HallSigningKey key(v.hall, ed_seed());
        CHECK(key.public_key().to_hex() == kEdPublicHex);
        CHECK(key.public_key().to_base32() == kEdPublicBase32);
        CHECK(key.key_id() == 0x24f6ed6aU);
        const Claims claims{v.hall, v.subject, v.stage, v.expires};
        const std::string token = issue(key, claims);
        CHECK(token == v.token);
        CHECK(short_code(token) == v.code);
        CHECK(scheme_of(token) == Scheme::ed25519);
        // Deterministic signatures: issuing again gives the same token.
        CHECK(issue(key, claims) == token);
        for (const char* text : {kEdPublicHex, kEdPublicBase32}) {
            const auto r =
                verify(v.token, {HallPublicKey::parse(v.hall, text)}, v.expires - 1, std::string_view(v.hall));
            REQUIRE(r.ok());
            CHECK(r.value() == claims);
        }
    }
    CHECK(scheme_of(kVectors[0].token) == Scheme::hmac_sha256);
    CHECK(scheme_of(std::string("HTTPS://HCP.EXAMPLE.CN/R/") + kEdVectors[0].token) == Scheme::ed25519);
    CHECK_FALSE(scheme_of("not base32"));
    CHECK_FALSE(scheme_of("AAAA"));  // version 0
    CHECK(parse_scheme("ed25519") == Scheme::ed25519);
    CHECK(parse_scheme("hmac") == Scheme::hmac_sha256);
    CHECK_FALSE(parse_scheme("rsa"));
}

TEST_CASE("An Ed25519 token is rejected when expired for another hall or under another key") {
    const auto& v = kEdVectors[0];
    const HallPublicKey pub("150102001", HallSigningKey("150102001", ed_seed()).public_key().bytes());
    CHECK(verify(v.token, {pub}, v.expires).ok());
    CHECK(verify(v.token, {pub}, v.expires + 1).error() == Fault::expired);
    CHECK(verify(v.token, {pub}, 0, std::string_view("150102002")).error() == Fault::wrong_hall);
    // The same public key registered for another hall: the signature binds the hall code.
    CHECK(verify(v.token, {HallPublicKey("150102002", pub.bytes())}, 0).error() == Fault::bad_signature);
    const HallSigningKey other("150102001", SecretKey::random());
    CHECK(verify(v.token, {other.public_key()}, 0).error() == Fault::unknown_key);
    CHECK(verify(v.token, std::vector<HallPublicKey>{}, 0).error() == Fault::unknown_key);
    // The key cannot sign for a hall it was not built for.
    CHECK_THROWS_AS(issue(HallSigningKey("H1", ed_seed()), {"H2", "A1", Stage::ticket, 100}), Error);
    CHECK_THROWS_AS(issue(HallSigningKey("H1", ed_seed()), {"H1", std::string(25, 'A'), Stage::ticket, 100}), Error);
}

TEST_CASE("Tokens of one scheme are refused by a verifier holding the other scheme's keys") {
    const HallKey hmac("150102001", vector_key());
    const HallSigningKey ed("150102001", ed_seed());
    const std::string hmac_token = kVectors[0].token, ed_token = kEdVectors[0].token;
    const std::int64_t now = 1797000000;
    // Single-scheme verifiers name the confusion.
    CHECK(verify(hmac_token, {ed.public_key()}, now).error() == Fault::wrong_scheme);
    CHECK(verify(ed_token, {hmac}, now).error() == Fault::wrong_scheme);
    CHECK(verify(hmac_token, Keyring{{}, {ed.public_key()}}, now).error() == Fault::wrong_scheme);
    CHECK(verify(ed_token, Keyring{{hmac}, {}}, now).error() == Fault::wrong_scheme);
    CHECK(verify(ed_token, Keyring{}, now).error() == Fault::unknown_key);
    // A keyring with both verifies both.
    const Keyring both{{hmac}, {ed.public_key()}};
    CHECK(verify(hmac_token, both, now).ok());
    CHECK(verify(ed_token, both, now).ok());
    // The same 32 bytes used as an HMAC key and as an Ed25519 seed give different key ids.
    const HallSigningKey same_bytes("150102001", vector_key());
    CHECK(same_bytes.key_id() != hmac.key_id());
    CHECK(verify(hmac_token, Keyring{{}, {same_bytes.public_key()}}, now).error() == Fault::wrong_scheme);

    // Relabelled tokens: an HMAC token turned into version 2 (its 10-byte MAC padded to 64 bytes)
    // and an Ed25519 token turned into version 1 (its signature cut to 10 bytes).
    auto as_v2 = *base32_decode(hmac_token);
    as_v2[0] = kVersionEd25519;
    as_v2.resize(as_v2.size() + kSignatureBytes - kMacBytes, 0);
    const std::string v2 = base32_encode(as_v2.data(), as_v2.size());
    CHECK(verify(v2, both, now).error() == Fault::unknown_key);  // the HMAC key id is no public key's id
    auto forged_id = as_v2;  // with the public key's id: the signature must still fail
    for (int i = 0; i < 4; ++i)
        forged_id[2 + static_cast<size_t>(i)] = static_cast<std::uint8_t>(ed.key_id() >> (24 - 8 * i));
    CHECK(verify(base32_encode(forged_id.data(), forged_id.size()), both, now).error() == Fault::bad_signature);
    auto as_v1 = *base32_decode(ed_token);
    as_v1[0] = kVersion;
    as_v1.resize(as_v1.size() - kSignatureBytes + kMacBytes);
    CHECK(verify(base32_encode(as_v1.data(), as_v1.size()), both, now).error() == Fault::unknown_key);
    // A version byte flipped without resizing leaves a length no version accepts.
    auto flipped = *base32_decode(ed_token);
    flipped[0] = kVersion;
    CHECK(verify(base32_encode(flipped.data(), flipped.size()), both, now).error() == Fault::malformed);
}

namespace {

// Randomized hostile tokens for one scheme: for each fresh valid token, an altered character,
// a truncation, a forgery with a valid header and key id, a flipped bit, plus the expired,
// wrong-hall and wrong-key cases. Returns how many hostile tokens were wrongly accepted.
struct HostileCount {
    int trials = 0;
    int accepted = 0;
};
HostileCount hostile_tokens(
    int rounds, std::uint64_t seed, const std::function<std::string(const Claims&)>& issue_fn,
    const std::function<Result<Claims, Fault>(const std::string&, std::int64_t, std::optional<std::string_view>)>&
        verify_fn,
    const std::function<Result<Claims, Fault>(const std::string&, std::int64_t)>& other_key_fn) {
    std::mt19937_64 rng(seed);
    const std::int64_t now = 1797000000;
    HostileCount n;
    for (int i = 0; i < rounds; ++i) {
        // Subjects of both encodings: 办件编号 digits, and ticket-style text.
        const std::string subject = rng() % 2
                                        ? std::to_string(rng() % 1000000000000ULL)
                                        : "2026" + std::to_string(rng() % 10000) + "A" + std::to_string(rng() % 1000);
        const Claims c{"150102001", subject, static_cast<Stage>(rng() % 3), now + 3600};
        const std::string good = issue_fn(c);
        const auto ok = verify_fn(good, now, std::string_view("150102001"));
        REQUIRE(ok.ok());
        REQUIRE(ok.value() == c);
        std::string altered = good;
        const size_t pos = rng() % altered.size();
        char ch = altered[pos];
        while (ch == altered[pos]) ch = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"[rng() % 32];
        altered[pos] = ch;
        const std::string truncated = good.substr(0, rng() % good.size());
        auto bytes = *base32_decode(good);
        for (size_t k = 11; k < bytes.size(); ++k) bytes[k] = static_cast<std::uint8_t>(rng());
        const std::string forged = base32_encode(bytes.data(), bytes.size());
        auto flipped = *base32_decode(good);
        flipped[rng() % flipped.size()] ^= static_cast<std::uint8_t>(1U << (rng() % 8));
        const std::string bitflip = base32_encode(flipped.data(), flipped.size());
        for (const std::string* t :
             std::initializer_list<const std::string*>{&altered, &truncated, &forged, &bitflip}) {
            ++n.trials;
            if (verify_fn(*t, now, {}).ok()) ++n.accepted;
        }
        n.trials += 3;
        if (verify_fn(good, now + 3601, {}).ok()) ++n.accepted;                      // expired
        if (verify_fn(good, now, std::string_view("150102002")).ok()) ++n.accepted;  // wrong hall
        if (other_key_fn(good, now).ok()) ++n.accepted;                              // wrong key
    }
    return n;
}

}  // namespace

TEST_CASE(
    "Thousands of randomly altered truncated forged expired wrong-hall and wrong-key Ed25519 tokens never verify") {
    const HallSigningKey key("150102001", ed_seed());
    const HallPublicKey other = HallSigningKey("150102001", SecretKey::random()).public_key();
    const std::vector<HallPublicKey> keys{key.public_key()};
    const auto n = hostile_tokens(
        3000, 20261123, [&](const Claims& c) { return issue(key, c); },
        [&](const std::string& t, std::int64_t now, std::optional<std::string_view> hall) {
            return verify(t, keys, now, hall);
        },
        [&](const std::string& t, std::int64_t now) { return verify(t, {other}, now); });
    CHECK(n.trials == 21000);
    CHECK(n.accepted == 0);
}

TEST_CASE("The same randomized hostile tokens never verify under HMAC or through a keyring holding both schemes") {
    const HallKey hmac("150102001", vector_key());
    const HallSigningKey ed("150102001", ed_seed());
    const Keyring both{{hmac}, {ed.public_key()}};
    const Keyring others{{HallKey("150102001", SecretKey::random())},
                         {HallSigningKey("150102001", SecretKey::random()).public_key()}};
    auto verify_both = [&](const std::string& t, std::int64_t now, std::optional<std::string_view> hall) {
        return verify(t, both, now, hall);
    };
    auto verify_others = [&](const std::string& t, std::int64_t now) { return verify(t, others, now); };
    const auto a = hostile_tokens(
        2000, 11, [&](const Claims& c) { return issue(hmac, c); }, verify_both, verify_others);
    const auto b = hostile_tokens(
        2000, 12, [&](const Claims& c) { return issue(ed, c); }, verify_both, verify_others);
    CHECK(a.trials + b.trials == 28000);
    CHECK(a.accepted + b.accepted == 0);
}

TEST_CASE("Public keys that are not 32-byte Ed25519 points are refused with a clear error") {
    for (const std::string& bad :
         {std::string(), std::string(63, 'a'), std::string(65, 'a'), std::string(64, 'g'),
          std::string(kEdPublicBase32).substr(1), std::string(kEdPublicBase32).substr(0, 51) + "1",
          std::string("fgwlvykbxtfpbmrodkkngtily43b4utnbp7bfsexss6jgiuwnxlq"),
          std::string(64, '0'),         // all zero: a small-order point
          "01" + std::string(62, '0'),  // the identity element
          std::string(64, 'f')}) {
        CHECK_THROWS_AS(HallPublicKey::parse("150102001", bad), Error);
    }
    CHECK_THROWS_AS(HallPublicKey::parse("", kEdPublicHex), Error);
    CHECK_THROWS_AS(HallPublicKey::parse("1501 02001", kEdPublicHex), Error);
    // Upper-case hex is the same key.
    std::string upper = kEdPublicHex;
    for (auto& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    CHECK(HallPublicKey::parse("H", upper).bytes() == HallPublicKey::parse("H", kEdPublicBase32).bytes());
}

TEST_CASE("Ed25519 signing key files are created 0600 with their own header and hostile files are refused") {
    TempDir tmp;
    const auto file = tmp / "qr-ed25519.key";
    const SecretKey seed = create_signing_key_file(file);
    struct stat st {};
    REQUIRE(::stat(file.c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0600);
    const std::string text = read_file(file);
    CHECK(text.rfind(std::string(kSigningKeyHeader), 0) == 0);
    CHECK(text.size() == kSigningKeyHeader.size() + 64 + 1);
    CHECK(load_signing_key_file(file).bytes() == seed.bytes());
    // Never overwritten, and nothing left behind by the refused attempt.
    CHECK_THROWS_AS(create_signing_key_file(file), Error);
    CHECK(load_signing_key_file(file).bytes() == seed.bytes());
    CHECK(std::distance(std::filesystem::directory_iterator(tmp.path()), std::filesystem::directory_iterator()) == 1);

    auto refused = [&](const std::string& name, const std::string& content, mode_t mode, const std::string& says) {
        const auto f = tmp / name;
        write_file(f, content);
        ::chmod(f.c_str(), mode);
        try {
            (void)load_signing_key_file(f);
            FAIL("accepted " << name);
        } catch (const Error& e) {
            CHECK(e.code() == Errc::key_invalid);
            CHECK_THAT(std::string(e.what()), Catch::Contains(says));
        }
    };
    const std::string hex64 = text.substr(kSigningKeyHeader.size(), 64);
    refused("hmac-header", "hcp-key-v1 " + hex64 + "\n", 0600, "hcp-ed25519-v1");
    refused("v2-header", "hcp-ed25519-v2 " + hex64 + "\n", 0600, "hcp-ed25519-v1");
    refused("no-header", hex64 + "\n", 0600, "hcp-ed25519-v1");
    refused("short", std::string(kSigningKeyHeader) + hex64.substr(1) + "\n", 0600, "64 hex digits");
    refused("long", std::string(kSigningKeyHeader) + hex64 + "a\n", 0600, "64 hex digits");
    refused("128", std::string(kSigningKeyHeader) + hex64 + hex64 + "\n", 0600, "64 hex digits");
    refused("not-hex", std::string(kSigningKeyHeader) + "g" + hex64.substr(1) + "\n", 0600, "hex digit");
    refused("empty", "", 0600, "hcp-ed25519-v1");
    refused("group-readable", text, 0640, "chmod 600");
    refused("world-readable", text, 0604, "chmod 600");
    refused("group-writable", text, 0620, "chmod 600");
    try {
        (void)load_signing_key_file(tmp / "missing.key");
        FAIL("a missing file loaded");
    } catch (const Error& e) {
        CHECK_THAT(std::string(e.what()), Catch::Contains("hcpctl token keygen --scheme ed25519"));
    }
    CHECK_THROWS_AS(load_signing_key_file(tmp.path()), Error);  // a directory
    // The Ed25519 file is not an HMAC key either: each kind refuses the other's header.
    CHECK_THROWS_AS(SecretKey::load_file(file), Error);
    // A symlink planted where the key goes is not written through.
    const auto target = tmp / "elsewhere";
    std::filesystem::create_symlink(target, tmp / "planted.key");
    CHECK_THROWS_AS(create_signing_key_file(tmp / "planted.key"), Error);
    CHECK_FALSE(std::filesystem::exists(target));
}

TEST_CASE("A receipt with an Ed25519 token builds on 58 mm at the default module size and its QR decodes") {
    using namespace hcp::printer;
    using namespace hcp::printer::test;
    const HallSigningKey key("150102001", ed_seed());
    ReceiptData d = sample_receipt();
    const std::string token = issue(key, {"150102001", d.case_no, Stage::completed, kExpires});
    // The default 80-character limit refuses it; the Ed25519 limit takes it.
    CHECK_THROWS_AS(make_url(kPrefix, token), Error);
    d.qr_url = make_url(kPrefix, token, kMaxUrlLengthEd25519);
    d.short_code = short_code(token);
    CHECK(is_qr_alphanumeric(d.qr_url));
    INFO("url " << d.qr_url.size() << " characters");
    CHECK(d.qr_url.size() == 161);                          // docs/qr-token.md §9.4
    CHECK(qr_modules_with_quiet_zone(d.qr_url) == 45 + 8);  // QR version 7
    // The longest Ed25519 URL allowed is QR version 8, 342 dots wide at 6 dots a module.
    const std::string longest = kPrefix + std::string(kMaxUrlLengthEd25519 - std::string(kPrefix).size(), 'A');
    CHECK(qr_modules_with_quiet_zone(longest) == 49 + 8);
    CHECK_NOTHROW(hcp::printer::Document(profile("generic-58").dots_per_line).qr(longest, 6));
    CHECK_THROWS_AS(make_url(kPrefix, std::string(kMaxUrlLengthEd25519, 'A'), kMaxUrlLengthEd25519), Error);
    // The other rows of docs/qr-token.md §9.4, and version 1 for comparison.
    const std::string ticket_url =
        make_url(kPrefix, issue(key, {"150102001", "20261122A012", Stage::ticket, kExpires}), kMaxUrlLengthEd25519);
    CHECK(ticket_url.size() == 165);
    CHECK(qr_modules_with_quiet_zone(ticket_url) == 45 + 8);
    CHECK(sample_receipt().qr_url.size() == 75);
    CHECK(qr_modules_with_quiet_zone(sample_receipt().qr_url) == 33 + 8);  // version 4
    // The longest subject (24 text bytes) still makes a URL within the limit with that prefix.
    const std::string longest_token = issue(key, {"150102001", std::string(24, 'Z'), Stage::ticket, kExpires});
    CHECK(longest_token.size() == 159);
    CHECK(make_url(kPrefix, longest_token, kMaxUrlLengthEd25519).size() == 184);
    CHECK(qr_modules_with_quiet_zone(make_url(kPrefix, longest_token, kMaxUrlLengthEd25519)) == 49 + 8);
    for (const char* id : {"generic-58", "generic-80"}) {
        const Profile p = profile(id);
        for (int m : {0, 4, 6, 8}) {
            if (m == 8 && p.dots_per_line < 576) {
                // 53 modules × 8 dots = 424 > 384: the build fails with the existing clear error.
                CHECK_THROWS_WITH(receipt_document(d, p, m), Catch::Contains("modules at 8 dots"));
                continue;
            }
            const Bytes bytes = Encoder(p).encode(receipt_document(d, p, m));
            auto page = render(bytes, p);
            REQUIRE(page.ok());
            const auto codes = decode_qr(page.value());
            INFO(id << " module " << m);
            REQUIRE(codes.size() == 1);
            CHECK(codes[0] == d.qr_url);
            CHECK(verify(codes[0], {key.public_key()}, kExpires - 60).value().subject == d.case_no);
        }
    }
}

TEST_CASE("hcpctl token keygen pubkey issue and verify work for Ed25519 and name the wrong scheme") {
    TempDir tmp;
    const std::string h = hcp::test::hcpctl_path();
    const auto made = run_command(h + " token keygen --scheme ed25519 --out " + q(tmp / "ed.key"));
    REQUIRE(made.exit_code == 0);
    CHECK_THAT(made.output, Catch::Contains("public_key "));
    const auto again = run_command(h + " token keygen --scheme ed25519 --out " + q(tmp / "ed.key"));
    CHECK(again.exit_code == 3);
    CHECK_THAT(again.output, Catch::Contains("never overwritten"));
    REQUIRE(run_command(h + " token keygen --out " + q(tmp / "hmac.key")).exit_code == 0);

    const auto pub = run_command(h + " token pubkey " + q(tmp / "ed.key"));
    REQUIRE(pub.exit_code == 0);
    const auto at = pub.output.find("public_key ");
    REQUIRE(at != std::string::npos);
    const std::string pub_hex = pub.output.substr(at + 11, 64);
    const HallPublicKey parsed = HallPublicKey::parse("150102001", pub_hex);
    CHECK(parsed.to_hex() == HallSigningKey("150102001", load_signing_key_file(tmp / "ed.key")).public_key().to_hex());
    CHECK_THAT(pub.output, Catch::Contains("public_key_base32 " + parsed.to_base32()));

    const auto issued = run_command(h + " token issue --scheme ed25519 --key " + q(tmp / "ed.key") +
                                    " --hall 150102001 --subject 20261122000123456789 --stage completed"
                                    " --expires 1797897600 --prefix HTTPS://HCP.EXAMPLE.CN/R/");
    REQUIRE(issued.exit_code == 0);
    const auto u = issued.output.find("url ");
    REQUIRE(u != std::string::npos);
    const std::string url = issued.output.substr(u + 4, issued.output.find('\n', u) - u - 4);
    CHECK(url.size() == 161);
    CHECK(scheme_of(url) == Scheme::ed25519);

    for (const std::string& with :
         {" --pubkey " + pub_hex, " --pubkey " + parsed.to_base32(), " --scheme ed25519 --key " + q(tmp / "ed.key")}) {
        const auto ok = run_command(h + " token verify " + url + with + " --hall 150102001 --now 1797000000");
        CHECK(ok.exit_code == 0);
        CHECK_THAT(ok.output, Catch::Contains("valid\nscheme ed25519\nhall 150102001\nsubject 20261122000123456789"));
    }
    // Wrong scheme either way is exit 1 with the cause and a Chinese sentence.
    const auto as_hmac =
        run_command(h + " token verify " + url + " --key " + q(tmp / "hmac.key") + " --hall 150102001");
    CHECK(as_hmac.exit_code == 1);
    CHECK_THAT(as_hmac.output, Catch::Contains("invalid wrong_scheme"));
    CHECK_THAT(as_hmac.output, Catch::Contains("请"));
    const auto hmac_issued = run_command(h + " token issue --key " + q(tmp / "hmac.key") +
                                         " --hall 150102001 --subject 1234 --stage ticket");
    REQUIRE(hmac_issued.exit_code == 0);
    const std::string hmac_token = hmac_issued.output.substr(6, hmac_issued.output.find('\n') - 6);
    const auto as_ed = run_command(h + " token verify " + hmac_token + " --pubkey " + pub_hex + " --hall 150102001");
    CHECK(as_ed.exit_code == 1);
    CHECK_THAT(as_ed.output, Catch::Contains("invalid wrong_scheme"));
    // An HMAC key file given as an Ed25519 signing key is a clear key error, not a crash.
    const auto wrong_file = run_command(h + " token issue --scheme ed25519 --key " + q(tmp / "hmac.key") +
                                        " --hall 150102001 --subject 1234 --stage ticket");
    CHECK(wrong_file.exit_code == 3);
    CHECK_THAT(wrong_file.output, Catch::Contains("hcp-ed25519-v1"));
    // Usage errors.
    CHECK(run_command(h + " token keygen --scheme rsa --out " + q(tmp / "x.key")).exit_code == 2);
    CHECK(run_command(h + " token verify " + url + " --scheme hmac --pubkey " + pub_hex + " --hall 1").exit_code == 2);
    CHECK(run_command(h + " token verify " + url + " --hall 150102001").exit_code == 2);
    const auto bad_pub = run_command(h + " token verify " + url + " --pubkey ABCD --hall 150102001");
    CHECK(bad_pub.exit_code == 3);
    CHECK_THAT(bad_pub.output, Catch::Contains("64 hex digits or 52 Base32"));
}
