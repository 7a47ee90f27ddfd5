// Cryptography of the core (shared/include/hcp/crypto.hpp): key files, key derivation, hashes,
// authenticated encryption of personal data at rest, UUIDs.
#include <catch2/catch.hpp>

#include <sys/stat.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstddef>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "hcp/base/crypto.hpp"
#include "hcp/base/error.hpp"
#include "test_support.hpp"

using namespace hcp;
using Catch::Matchers::Contains;

namespace {

namespace fs = std::filesystem;

std::array<std::uint8_t, SecretKey::kSize> counting_bytes() {
    std::array<std::uint8_t, SecretKey::kSize> b{};
    for (size_t i = 0; i < b.size(); ++i) b[i] = static_cast<std::uint8_t>(i);
    return b;
}

// A short key zero-padded to 32 bytes. HMAC pads every key shorter than its 64-byte block with
// zeros, so HMAC under the padded key equals HMAC under the short key: the RFC 4231 vectors
// apply unchanged.
SecretKey padded_key(const std::string& short_key) {
    std::array<std::uint8_t, SecretKey::kSize> b{};
    for (size_t i = 0; i < short_key.size() && i < b.size(); ++i) b[i] = static_cast<std::uint8_t>(short_key[i]);
    return SecretKey::from_bytes(b);
}

struct Caught {
    bool thrown = false;
    Errc code = Errc::invalid_argument;
    std::string message;
};

template <class F>
Caught catch_error(F&& f) {
    Caught c;
    try {
        f();
    } catch (const Error& e) {
        c.thrown = true;
        c.code = e.code();
        c.message = e.what();
    }
    return c;
}

std::string hex64(char digit = 'a') {
    return std::string(64, digit);
}

// Writes a key file with the given content and mode.
fs::path key_file(const test::TempDir& dir, const std::string& name, const std::string& content, mode_t mode = 0600) {
    auto p = dir / name;
    test::write_file(p, content);
    REQUIRE(::chmod(p.c_str(), mode) == 0);
    return p;
}

Caught load_error(const fs::path& p) {
    return catch_error([&] { (void)SecretKey::load_file(p); });
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Key files

TEST_CASE("Key file: create_file writes \"hcp-key-v1 <64 hex>\" with mode 0600") {
    test::TempDir dir;
    auto p = dir / "store.key";
    auto key = SecretKey::create_file(p);

    struct stat st {};
    REQUIRE(::stat(p.c_str(), &st) == 0);
    CHECK(S_ISREG(st.st_mode));
    CHECK((st.st_mode & 07777) == 0600);

    auto text = test::read_file(p);
    CHECK(std::regex_match(text, std::regex("hcp-key-v1 [0-9a-f]{64}\n")));
    CHECK(text == "hcp-key-v1 " + to_hex(key.bytes().data(), key.bytes().size()) + "\n");
    // No temporary file is left beside it.
    CHECK(std::distance(fs::directory_iterator(dir.path()), fs::directory_iterator()) == 1);
}

TEST_CASE("Key file: create_file makes a different key every time") {
    test::TempDir dir;
    auto a = SecretKey::create_file(dir / "a.key");
    auto b = SecretKey::create_file(dir / "b.key");
    CHECK(a.bytes() != b.bytes());
    CHECK(a.fingerprint() != b.fingerprint());
    CHECK(test::read_file(dir / "a.key") != test::read_file(dir / "b.key"));
}

TEST_CASE("Key file: create_file refuses to overwrite an existing key and leaves it intact") {
    test::TempDir dir;
    auto p = dir / "store.key";
    auto first = SecretKey::create_file(p);
    const auto before = test::read_file(p);

    auto err = catch_error([&] { (void)SecretKey::create_file(p); });
    CHECK(err.thrown);
    CHECK(err.code == Errc::key_invalid);
    CHECK_THAT(err.message, Contains("already exists"));
    CHECK(test::read_file(p) == before);
    CHECK(SecretKey::load_file(p).fingerprint() == first.fingerprint());
    CHECK(std::distance(fs::directory_iterator(dir.path()), fs::directory_iterator()) == 1);
}

TEST_CASE("Key file: create_file refuses to replace any existing file, not only a key") {
    test::TempDir dir;
    auto p = dir / "notes.txt";
    test::write_file(p, "do not lose me");
    auto err = catch_error([&] { (void)SecretKey::create_file(p); });
    CHECK(err.thrown);
    CHECK(err.code == Errc::key_invalid);
    CHECK(test::read_file(p) == "do not lose me");
}

TEST_CASE("Key file: a stale temp-looking file does not block creating the key and is not touched") {
    test::TempDir dir;
    test::write_file(dir / "store.key.tmp", "hcp-key-v1 half");
    auto key = SecretKey::create_file(dir / "store.key");
    CHECK(SecretKey::load_file(dir / "store.key").fingerprint() == key.fingerprint());
    CHECK(test::read_file(dir / "store.key.tmp") == "hcp-key-v1 half");
}

TEST_CASE("Key file: a leftover temp file hard-linked to the key (crash after link) never destroys the key") {
    test::TempDir dir;
    auto p = dir / "store.key";
    auto original = SecretKey::create_file(p);
    const auto before = test::read_file(p);
    // What a crash between link(tmp, path) and unlink(tmp) leaves behind.
    fs::create_hard_link(p, dir / "store.key.tmp");

    auto err = catch_error([&] { (void)SecretKey::create_file(p); });
    CHECK(err.thrown);
    CHECK(err.code == Errc::key_invalid);
    CHECK(test::read_file(p) == before);
    CHECK(SecretKey::load_file(p).fingerprint() == original.fingerprint());
}

TEST_CASE("Key file: create_file never writes through a symlink planted at its temp name") {
    test::TempDir dir;
    auto victim = dir / "victim.conf";
    test::write_file(victim, "precious\n");
    fs::create_symlink(victim, dir / "store.key.tmp");

    try {
        (void)SecretKey::create_file(dir / "store.key");
    } catch (const Error&) {
        // Refusing is fine; writing through the link is not.
    }
    CHECK(test::read_file(victim) == "precious\n");
    CHECK_FALSE(fs::is_symlink(dir / "store.key"));
}

TEST_CASE("Key file: create_file in a missing folder fails with key_invalid") {
    test::TempDir dir;
    auto err = catch_error([&] { (void)SecretKey::create_file(dir / "no" / "such" / "store.key"); });
    CHECK(err.thrown);
    CHECK(err.code == Errc::key_invalid);
    CHECK_FALSE(fs::exists(dir / "no"));
}

TEST_CASE("Key file: load_file returns the key create_file wrote") {
    test::TempDir dir;
    auto p = dir / "store.key";
    auto created = SecretKey::create_file(p);
    auto loaded = SecretKey::load_file(p);
    CHECK(loaded.fingerprint() == created.fingerprint());
    CHECK(loaded.bytes() == created.bytes());
}

TEST_CASE("Key file: load_file reads the hex digits into the exact key bytes") {
    test::TempDir dir;
    auto p = key_file(dir, "k", "hcp-key-v1 000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f\n");
    CHECK(SecretKey::load_file(p).bytes() == counting_bytes());
}

TEST_CASE("Key file: load_file tolerates uppercase hex, a missing final newline and CRLF") {
    test::TempDir dir;
    auto expected = SecretKey::from_bytes(counting_bytes()).fingerprint();
    const std::string hex = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
    std::string upper = hex;
    for (auto& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    CHECK(SecretKey::load_file(key_file(dir, "upper", "hcp-key-v1 " + upper + "\n")).fingerprint() == expected);
    CHECK(SecretKey::load_file(key_file(dir, "nonl", "hcp-key-v1 " + hex)).fingerprint() == expected);
    CHECK(SecretKey::load_file(key_file(dir, "crlf", "hcp-key-v1 " + hex + "\r\n")).fingerprint() == expected);
}

TEST_CASE("Key file: a key with mode 0400 (stricter than 0600) is accepted") {
    test::TempDir dir;
    auto p = key_file(dir, "ro", "hcp-key-v1 " + hex64() + "\n", 0400);
    CHECK_NOTHROW(SecretKey::load_file(p));
}

TEST_CASE("Key file: a missing key file is refused with a message naming `hcpctl key create`") {
    test::TempDir dir;
    auto err = load_error(dir / "missing.key");
    CHECK(err.thrown);
    CHECK(err.code == Errc::key_invalid);
    CHECK_THAT(err.message, Contains("does not exist"));
    CHECK_THAT(err.message, Contains("hcpctl key create"));
    CHECK_THAT(err.message, Contains("missing.key"));
}

TEST_CASE("Key file: a key readable by group or others is refused and the message says chmod 600") {
    test::TempDir dir;
    const std::string content = "hcp-key-v1 " + hex64() + "\n";
    for (mode_t mode : {mode_t{0644}, mode_t{0640}, mode_t{0604}, mode_t{0660}, mode_t{0606}, mode_t{0610},
                        mode_t{0601}, mode_t{0777}}) {
        INFO("mode " << std::oct << mode);
        auto p = key_file(dir, "k" + std::to_string(mode), content, mode);
        auto err = load_error(p);
        CHECK(err.thrown);
        CHECK(err.code == Errc::key_invalid);
        CHECK_THAT(err.message, Contains("chmod 600"));
    }
}

TEST_CASE("Key file: malformed key files are refused with key_invalid") {
    test::TempDir dir;
    struct Case {
        const char* what;
        std::string content;
    };
    const std::vector<Case> cases = {
        {"empty file", ""},
        {"only the header", "hcp-key-v1 \n"},
        {"wrong version", "hcp-key-v2 " + hex64() + "\n"},
        {"no space after the header", "hcp-key-v1" + hex64() + "\n"},
        {"no header", hex64() + "\n"},
        {"header in capitals", "HCP-KEY-V1 " + hex64() + "\n"},
        {"leading space", " hcp-key-v1 " + hex64() + "\n"},
        {"63 hex digits", "hcp-key-v1 " + std::string(63, 'a') + "\n"},
        {"65 hex digits", "hcp-key-v1 " + std::string(65, 'a') + "\n"},
        {"128 hex digits", "hcp-key-v1 " + std::string(128, 'a') + "\n"},
        {"trailing junk", "hcp-key-v1 " + hex64() + " extra\n"},
        {"a second key line", "hcp-key-v1 " + hex64() + "\nhcp-key-v1 " + hex64() + "\n"},
        {"binary garbage", std::string("\x00\xff\xfe\x01", 4)},
    };
    for (const auto& c : cases) {
        INFO(c.what);
        auto err = load_error(key_file(dir, "bad", c.content));
        CHECK(err.thrown);
        CHECK(err.code == Errc::key_invalid);
    }
}

TEST_CASE("Key file: a wrong-length key names the expected format") {
    test::TempDir dir;
    auto err = load_error(key_file(dir, "short", "hcp-key-v1 " + std::string(62, 'a') + "\n"));
    CHECK(err.code == Errc::key_invalid);
    CHECK_THAT(err.message, Contains("64 hex digits"));
}

TEST_CASE("Key file: a non-hex character anywhere in the key is refused") {
    test::TempDir dir;
    for (size_t pos : {size_t{0}, size_t{1}, size_t{31}, size_t{62}, size_t{63}}) {
        for (char bad : {'g', 'G', ' ', '-', '\0', 'x'}) {
            std::string hex = hex64('0');
            hex[pos] = bad;
            INFO("position " << pos << " char " << static_cast<int>(bad));
            auto err = load_error(key_file(dir, "k", "hcp-key-v1 " + hex + "\n"));
            CHECK(err.thrown);
            CHECK(err.code == Errc::key_invalid);
        }
    }
    auto err = load_error(key_file(dir, "g", "hcp-key-v1 " + std::string(63, '0') + "g\n"));
    CHECK_THAT(err.message, Contains("hex digit"));
}

TEST_CASE("Key file: a directory given as key file is refused as not a regular file") {
    test::TempDir dir;
    fs::create_directory(dir / "store.key");
    ::chmod((dir / "store.key").c_str(), 0700);
    auto err = load_error(dir / "store.key");
    CHECK(err.thrown);
    CHECK(err.code == Errc::key_invalid);
    CHECK_THAT(err.message, Contains("not a regular file"));
}

TEST_CASE("Key file: /dev/null is refused as not a regular file") {
    auto err = load_error("/dev/null");
    CHECK(err.thrown);
    CHECK(err.code == Errc::key_invalid);
}

// ---------------------------------------------------------------------------------------------
// Derivation and fingerprints

TEST_CASE("Key derivation: each purpose gets its own key, different from the master") {
    auto master = SecretKey::random();
    auto personal = master.derive(SecretKey::Purpose::personal_data);
    auto chain = master.derive(SecretKey::Purpose::chain_mac);
    CHECK(personal.bytes() != chain.bytes());
    CHECK(personal.bytes() != master.bytes());
    CHECK(chain.bytes() != master.bytes());
}

TEST_CASE("Key derivation: the same master and purpose always derive the same key") {
    auto master = SecretKey::from_bytes(counting_bytes());
    CHECK(master.derive(SecretKey::Purpose::chain_mac).bytes() == master.derive(SecretKey::Purpose::chain_mac).bytes());
    auto copy = SecretKey::from_bytes(counting_bytes());
    CHECK(copy.derive(SecretKey::Purpose::personal_data).bytes() ==
          master.derive(SecretKey::Purpose::personal_data).bytes());
    // Another master derives another key for the same purpose.
    CHECK(SecretKey::random().derive(SecretKey::Purpose::personal_data).bytes() !=
          master.derive(SecretKey::Purpose::personal_data).bytes());
}

TEST_CASE(
    "Key derivation: derived keys are pinned (libsodium KDF, context \"hcpkiosk\"), so old databases stay readable") {
    // Expected values computed independently with Python's hashlib.blake2b(key=master,
    // salt=LE64(purpose)‖0⁸, person="hcpkiosk"‖0⁸, digest_size=32) — crypto_kdf's definition.
    auto master = SecretKey::from_bytes(counting_bytes());
    auto personal = master.derive(SecretKey::Purpose::personal_data);
    auto chain = master.derive(SecretKey::Purpose::chain_mac);
    CHECK(to_hex(personal.bytes().data(), personal.bytes().size()) ==
          "6a7c92747ef2ffa8ea5768c7d6841e37b0c655ecf72d6ceb417673e1628e1cb5");
    CHECK(to_hex(chain.bytes().data(), chain.bytes().size()) ==
          "9654abedc36fcb1a3c1315e45964e9f434decf2cce3a44eb92aa141c8a95ff78");
}

TEST_CASE("Key fingerprint: 8 lowercase hex digits of BLAKE2b, stable for a given key") {
    auto key = SecretKey::from_bytes(counting_bytes());
    CHECK(key.fingerprint() == "f39a2cad");  // hashlib.blake2b(bytes(range(32)), digest_size=16)
    CHECK(std::regex_match(SecretKey::random().fingerprint(), std::regex("[0-9a-f]{8}")));
}

TEST_CASE("Random keys differ from each other and from all zeros") {
    auto a = SecretKey::random();
    auto b = SecretKey::random();
    CHECK(a.bytes() != b.bytes());
    CHECK(a.bytes() != std::array<std::uint8_t, SecretKey::kSize>{});
}

// ---------------------------------------------------------------------------------------------
// Hashes

TEST_CASE("SHA-256: the FIPS 180-2 test vectors") {
    CHECK(sha256_hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    CHECK(sha256_hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    CHECK(sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq") ==
          "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

TEST_CASE("SHA-256: embedded NUL bytes are hashed, not treated as the end of the data") {
    CHECK(sha256_hex(std::string("abc\0", 4)) != sha256_hex("abc"));
}

TEST_CASE("HMAC-SHA256: RFC 4231 test case 2 (key \"Jefe\", zero-padded to 32 bytes)") {
    CHECK(hmac_sha256_hex(padded_key("Jefe"), "what do ya want for nothing?") ==
          "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST_CASE("HMAC-SHA256: RFC 4231 test case 1 (key 0x0b × 20, zero-padded to 32 bytes)") {
    CHECK(hmac_sha256_hex(padded_key(std::string(20, '\x0b')), "Hi There") ==
          "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
}

TEST_CASE("HMAC-SHA256: a full 32-byte key, checked against Python's hmac module") {
    auto key = SecretKey::from_bytes(counting_bytes());
    CHECK(hmac_sha256_hex(key, "") == "d38b42096d80f45f826b44a9d5607de72496a415d3f4a1a8c88e3bb9da8dc1cb");
    CHECK(hmac_sha256_hex(key, "hcp 好差评") == "80617cc7486891bee044aae40b56eb06dd09be0924f7bb2fde03b4ce1159a05c");
    CHECK(hmac_sha256_hex(SecretKey::random(), "hcp 好差评") != hmac_sha256_hex(key, "hcp 好差评"));
}

TEST_CASE("to_hex writes lowercase pairs, two per byte") {
    const Bytes b = {0x00, 0x0f, 0xa0, 0xff};
    CHECK(to_hex(b) == "000fa0ff");
    CHECK(to_hex(Bytes{}).empty());
}

TEST_CASE("equal_constant_time compares content and length") {
    CHECK(equal_constant_time("", ""));
    CHECK(equal_constant_time("abc", "abc"));
    CHECK_FALSE(equal_constant_time("abc", "abd"));
    CHECK_FALSE(equal_constant_time("abc", "ab"));
    CHECK_FALSE(equal_constant_time("", "a"));
    CHECK_FALSE(equal_constant_time(std::string("a\0b", 3), std::string("a\0c", 3)));
}

// ---------------------------------------------------------------------------------------------
// Authenticated encryption

TEST_CASE("Sealing: open_sealed returns what seal encrypted") {
    auto key = SecretKey::random();
    for (std::string text : {std::string("张三丰"), std::string("13812341234"), std::string("110101199003071234"),
                             std::string("x"), std::string("a\0b\xff", 4), std::string(100000, 'z')}) {
        auto sealed = seal(key, text);
        CHECK(sealed.size() == 24 + 16 + text.size());  // nonce ‖ MAC ‖ ciphertext
        CHECK(open_sealed(key, sealed) == text);
    }
}

TEST_CASE("Sealing: the plaintext does not appear in the sealed bytes") {
    auto key = SecretKey::random();
    const std::string text = "110101199003071234";
    auto sealed = seal(key, text);
    std::string raw(sealed.begin(), sealed.end());
    CHECK(raw.find(text) == std::string::npos);
    CHECK(raw.find("19900307") == std::string::npos);
}

TEST_CASE("Sealing: two seals of the same text differ (fresh nonce each time)") {
    auto key = SecretKey::random();
    auto a = seal(key, "张三丰");
    auto b = seal(key, "张三丰");
    CHECK(a != b);
    CHECK(Bytes(a.begin(), a.begin() + 24) != Bytes(b.begin(), b.begin() + 24));
    CHECK(open_sealed(key, a) == open_sealed(key, b));
}

TEST_CASE("Sealing: empty plaintext seals to nothing and opens to empty") {
    auto key = SecretKey::random();
    CHECK(seal(key, "").empty());
    CHECK(open_sealed(key, {}).empty());
}

TEST_CASE("Sealing: any altered byte makes open_sealed fail with crypto_failure") {
    auto key = SecretKey::random();
    const auto sealed = seal(key, "13812341234");
    // Nonce, MAC and ciphertext bytes alike.
    for (size_t i = 0; i < sealed.size(); ++i) {
        auto tampered = sealed;
        tampered[i] = static_cast<std::uint8_t>(tampered[i] ^ 0x01u);
        INFO("byte " << i);
        auto err = catch_error([&] { (void)open_sealed(key, tampered); });
        CHECK(err.thrown);
        CHECK(err.code == Errc::crypto_failure);
    }
}

TEST_CASE("Sealing: a wrong key makes open_sealed fail with crypto_failure and a message") {
    auto key = SecretKey::random();
    auto sealed = seal(key, "张三丰");
    auto err = catch_error([&] { (void)open_sealed(SecretKey::random(), sealed); });
    CHECK(err.thrown);
    CHECK(err.code == Errc::crypto_failure);
    CHECK_THAT(err.message, Contains("wrong key"));
    // Sibling derived keys of the same master are different keys too.
    auto master = SecretKey::random();
    auto by_personal = seal(master.derive(SecretKey::Purpose::personal_data), "x");
    CHECK(catch_error([&] { (void)open_sealed(master.derive(SecretKey::Purpose::chain_mac), by_personal); }).code ==
          Errc::crypto_failure);
    CHECK(catch_error([&] { (void)open_sealed(master, by_personal); }).thrown);
}

TEST_CASE("Sealing: truncated sealed data fails with crypto_failure, never with a crash") {
    auto key = SecretKey::random();
    const auto sealed = seal(key, "110101199003071234");
    for (size_t n : {size_t{1}, size_t{23}, size_t{24}, size_t{39}, size_t{40}, sealed.size() - 1}) {
        INFO("length " << n);
        Bytes cut(sealed.begin(), sealed.begin() + static_cast<std::ptrdiff_t>(n));
        auto err = catch_error([&] { (void)open_sealed(key, cut); });
        CHECK(err.thrown);
        CHECK(err.code == Errc::crypto_failure);
    }
}

TEST_CASE("Sealing: appended bytes or a spliced nonce fail with crypto_failure") {
    auto key = SecretKey::random();
    auto a = seal(key, "13812341234");
    auto b = seal(key, "13812341234");
    auto longer = a;
    longer.push_back(0);
    CHECK(catch_error([&] { (void)open_sealed(key, longer); }).code == Errc::crypto_failure);
    // b's nonce with a's ciphertext.
    auto spliced = a;
    std::copy(b.begin(), b.begin() + 24, spliced.begin());
    CHECK(catch_error([&] { (void)open_sealed(key, spliced); }).code == Errc::crypto_failure);
    // Random garbage of a plausible length.
    Bytes garbage(60, 0x5a);
    CHECK(catch_error([&] { (void)open_sealed(key, garbage); }).code == Errc::crypto_failure);
}

// ---------------------------------------------------------------------------------------------
// UUIDs

TEST_CASE("UUID v4: 36 lowercase characters with the version 4 and variant 8–b nibbles") {
    const std::regex shape("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
    for (int i = 0; i < 1000; ++i) {
        auto id = uuid_v4();
        INFO(id);
        REQUIRE(id.size() == 36);
        REQUIRE(std::regex_match(id, shape));
    }
}

TEST_CASE("UUID v4: 10 000 generated ids are all different and use every variant nibble") {
    std::set<std::string> ids;
    std::set<char> variants;
    for (int i = 0; i < 10000; ++i) {
        auto id = uuid_v4();
        ids.insert(id);
        variants.insert(id[19]);
    }
    CHECK(ids.size() == 10000);
    CHECK(variants == std::set<char>{'8', '9', 'a', 'b'});
}
