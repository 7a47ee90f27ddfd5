// The dynamic rating QR token: docs/qr-token.md test vectors, and rejection of hostile tokens.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "hcp/token.hpp"

using namespace hcp;
using namespace hcp::token;

namespace {

SecretKey vector_key() {
    std::array<std::uint8_t, 32> b{};
    for (size_t i = 0; i < b.size(); ++i) b[i] = static_cast<std::uint8_t>(i);
    return SecretKey::from_bytes(b);
}

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
    {"150102001", "20261122A012", Stage::ticket, 1795392000,
     "AEIGGDONFEA4RF4ABQZDAMRWGEYTEMSBGAYTEBRCB7ZORVEQRLTN6", "AYRA-74XI"},
    {"620102-01", "1234567", Stage::accepted, 1800000000, "AEAWGDONFEA4TQ4AA4JDIVT73RKFNT5VUM6LVD5L", "3RKF-NT5V"},
};

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
    CHECK(verify(v.token, {}, 0).error() == Fault::unknown_key);
}

TEST_CASE("Malformed tokens are rejected without throwing") {
    const HallKey key("150102001", vector_key());
    const std::string t = kVectors[0].token;
    for (const std::string& bad :
         {std::string(), std::string("A"), std::string("aebggdonfea4sovacqqcmejcaaasgrlhrg5fwjmbs4ankqduuq"),
          t + "=", t + "A", t.substr(0, t.size() - 1), t.substr(0, 20), std::string(500, 'A'), std::string("0189"),
          std::string("AEBGGDONFEA4SOVACQQCMEJCAAASGRLHRG5FWJMBS4ANKQDUU\xE4")}) {
        const auto r = verify(bad, {key}, 0);
        CHECK_FALSE(r.ok());
    }
    // Version 2 is not understood by this verifier.
    auto bytes = *base32_decode(t);
    bytes[0] = 2;
    CHECK(verify(base32_encode(bytes.data(), bytes.size()), {key}, 0).error() == Fault::unsupported_version);
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
    CHECK_FALSE(base32_decode("AB"));   // trailing bits not zero (A=0, B=1 → low bit set)
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
        for (const std::string* t : std::initializer_list<const std::string*>{&altered, &truncated, &forged, &bitflip}) {
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
                    Fault::wrong_hall, Fault::expired}) {
        CHECK(message_zh(f).find("请") != std::string_view::npos);
        CHECK_FALSE(to_string(f).empty());
    }
}

TEST_CASE("Every test vector row in docs/qr-token.md is reproduced by the C++ issuer") {
    std::ifstream doc(std::filesystem::path(HCP_SOURCE_ASSETS_DIR).parent_path() / "docs" / "qr-token.md");
    REQUIRE(doc);
    int rows = 0;
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
        ++rows;
        const HallKey key(cells[0], vector_key());
        const Claims c{cells[0], cells[1], static_cast<Stage>(cells[2][0] - '0'), std::stoll(cells[3])};
        const std::string token = issue(key, c);
        CHECK(token == cells[6]);
        CHECK(short_code(token) == cells[7]);
        const auto bytes = *base32_decode(token);
        CHECK(to_hex(bytes.data(), bytes.size() - kMacBytes) == cells[4]);
        CHECK(to_hex(bytes.data() + bytes.size() - kMacBytes, kMacBytes) == cells[5]);
    }
    CHECK(rows == 3);
}
