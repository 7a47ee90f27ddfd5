#include "hcp/base/crypto.hpp"

#include <sodium.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "base/key_file.hpp"
#include "hcp/base/error.hpp"
#include "hcp/base/io.hpp"

namespace hcp {

namespace {

constexpr std::string_view kKeyHeader = "hcp-key-v1 ";
constexpr char kKdfContext[crypto_kdf_CONTEXTBYTES] = {'h', 'c', 'p', 'k', 'i', 'o', 's', 'k'};

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

[[noreturn]] void key_error(const std::filesystem::path& path, const std::string& what) {
    throw Error(Errc::key_invalid, "key file " + path.string() + ": " + what);
}

}  // namespace

void crypto_init() {
    if (sodium_init() < 0) throw Error(Errc::crypto_failure, "libsodium failed to initialise");
}

SecretKey::~SecretKey() {
    sodium_memzero(m_bytes.data(), m_bytes.size());
}

SecretKey SecretKey::random() {
    crypto_init();
    SecretKey k;
    randombytes_buf(k.m_bytes.data(), k.m_bytes.size());
    return k;
}

SecretKey SecretKey::from_bytes(const std::array<std::uint8_t, kSize>& bytes) {
    SecretKey k;
    k.m_bytes = bytes;
    return k;
}

SecretKey SecretKey::derive(Purpose purpose) const {
    crypto_init();
    SecretKey sub;
    crypto_kdf_derive_from_key(sub.m_bytes.data(), sub.m_bytes.size(), static_cast<std::uint64_t>(purpose), kKdfContext,
                               m_bytes.data());
    return sub;
}

std::string SecretKey::fingerprint() const {
    crypto_init();
    std::uint8_t out[16];
    crypto_generichash(out, sizeof out, m_bytes.data(), m_bytes.size(), nullptr, 0);
    return to_hex(out, 4);
}

SecretKey SecretKey::load_file(const std::filesystem::path& path) {
    SecretKey k;
    detail::read_key_file(path, kKeyHeader, "hcpctl key create " + path.string(), k.m_bytes);
    return k;
}

SecretKey SecretKey::create_file(const std::filesystem::path& path) {
    SecretKey k = random();
    detail::create_key_file(path, kKeyHeader, k.m_bytes);
    return k;
}

namespace detail {

void read_key_file(const std::filesystem::path& path, std::string_view header, std::string_view create_command,
                   std::array<std::uint8_t, kKeyFileBytes>& out) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) {
        if (errno == ENOENT) key_error(path, "does not exist; create it with `" + std::string(create_command) + "`");
        key_error(path, std::string("cannot be read: ") + std::strerror(errno));
    }
    if (!S_ISREG(st.st_mode)) key_error(path, "is not a regular file");
    if ((st.st_mode & (S_IRWXG | S_IRWXO)) != 0)
        key_error(path, "is readable by other users; run `chmod 600 " + path.string() + "`");
    std::ifstream in(path, std::ios::binary);
    if (!in) key_error(path, std::string("cannot be opened: ") + std::strerror(errno));
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ')) text.pop_back();
    if (text.size() != header.size() + 2 * kKeyFileBytes || text.compare(0, header.size(), header) != 0) {
        sodium_memzero(text.data(), text.size());
        key_error(path, "is not the expected key file (expected \"" + std::string(header) + "\" and 64 hex digits)");
    }
    for (size_t i = 0; i < kKeyFileBytes; ++i) {
        int hi = hex_value(text[header.size() + 2 * i]);
        int lo = hex_value(text[header.size() + 2 * i + 1]);
        if (hi < 0 || lo < 0) {
            sodium_memzero(text.data(), text.size());
            sodium_memzero(out.data(), out.size());
            key_error(path, "contains a character that is not a hex digit");
        }
        out[i] = static_cast<std::uint8_t>(hi * 16 + lo);
    }
    sodium_memzero(text.data(), text.size());
}

void create_key_file(const std::filesystem::path& path, std::string_view header,
                     const std::array<std::uint8_t, kKeyFileBytes>& bytes) {
    struct stat existing {};
    if (::lstat(path.c_str(), &existing) == 0) key_error(path, "already exists; a key is never overwritten");
    std::string text = std::string(header) + to_hex(bytes.data(), bytes.size()) + "\n";
    // Linked into place rather than renamed: an existing key is never replaced, not even one
    // that appeared since the check above, and a crash never leaves half a key.
    io::WriteOptions options;
    options.mode = 0600;
    options.replace = false;
    try {
        io::write_file_atomic(path, text, options);
    } catch (const io::FileError& e) {
        sodium_memzero(text.data(), text.size());
        if (e.error_number() == EEXIST) key_error(path, "already exists; a key is never overwritten");
        key_error(path, std::string("cannot be created: ") + e.what());
    }
    sodium_memzero(text.data(), text.size());
}

}  // namespace detail

std::string to_hex(const std::uint8_t* data, size_t size) {
    static constexpr char digits[] = "0123456789abcdef";
    std::string out(size * 2, '0');
    for (size_t i = 0; i < size; ++i) {
        out[2 * i] = digits[data[i] >> 4];
        out[2 * i + 1] = digits[data[i] & 0x0F];
    }
    return out;
}

std::string to_hex(const Bytes& data) {
    return to_hex(data.data(), data.size());
}

std::string sha256_hex(std::string_view data) {
    crypto_init();
    std::uint8_t out[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(out, reinterpret_cast<const unsigned char*>(data.data()), data.size());
    return to_hex(out, sizeof out);
}

std::string hmac_sha256_hex(const SecretKey& key, std::string_view data) {
    crypto_init();
    std::uint8_t out[crypto_auth_hmacsha256_BYTES];
    crypto_auth_hmacsha256_state st;
    crypto_auth_hmacsha256_init(&st, key.bytes().data(), key.bytes().size());
    crypto_auth_hmacsha256_update(&st, reinterpret_cast<const unsigned char*>(data.data()), data.size());
    crypto_auth_hmacsha256_final(&st, out);
    return to_hex(out, sizeof out);
}

bool equal_constant_time(std::string_view a, std::string_view b) noexcept {
    if (a.size() != b.size()) return false;
    if (a.empty()) return true;
    return sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

Bytes seal(const SecretKey& key, std::string_view plaintext) {
    if (plaintext.empty()) return {};
    crypto_init();
    Bytes out(crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + plaintext.size());
    randombytes_buf(out.data(), crypto_secretbox_NONCEBYTES);
    crypto_secretbox_easy(out.data() + crypto_secretbox_NONCEBYTES,
                          reinterpret_cast<const unsigned char*>(plaintext.data()), plaintext.size(), out.data(),
                          key.bytes().data());
    return out;
}

std::string open_sealed(const SecretKey& key, const Bytes& sealed) {
    if (sealed.empty()) return {};
    if (sealed.size() < crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES)
        throw Error(Errc::crypto_failure, "encrypted field is truncated");
    crypto_init();
    std::string out(sealed.size() - crypto_secretbox_NONCEBYTES - crypto_secretbox_MACBYTES, '\0');
    if (crypto_secretbox_open_easy(reinterpret_cast<unsigned char*>(out.data()),
                                   sealed.data() + crypto_secretbox_NONCEBYTES,
                                   sealed.size() - crypto_secretbox_NONCEBYTES, sealed.data(), key.bytes().data()) != 0)
        throw Error(Errc::crypto_failure, "encrypted field cannot be opened: wrong key file or altered data");
    return out;
}

std::string uuid_v4() {
    crypto_init();
    std::uint8_t b[16];
    randombytes_buf(b, sizeof b);
    b[6] = static_cast<std::uint8_t>((b[6] & 0x0F) | 0x40);
    b[8] = static_cast<std::uint8_t>((b[8] & 0x3F) | 0x80);
    std::string h = to_hex(b, sizeof b);
    return h.substr(0, 8) + "-" + h.substr(8, 4) + "-" + h.substr(12, 4) + "-" + h.substr(16, 4) + "-" +
           h.substr(20, 12);
}

}  // namespace hcp
