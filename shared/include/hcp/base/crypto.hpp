#pragma once
// Cryptography used by the core, all through libsodium (never exposed in this header).
//
// Key files hold one 32-byte master key as text "hcp-key-v1 <64 hex digits>\n" and must be
// readable only by their owner (mode 0600 or stricter). Purpose-specific keys are derived from
// the master key, so one file serves encryption at rest and the chain MAC.
#include <array>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace hcp {

using Bytes = std::vector<std::uint8_t>;

class SecretKey {
public:
    static constexpr size_t kSize = 32;
    enum class Purpose : std::uint64_t { personal_data = 1, chain_mac = 2 };

    // Reads a key file. Throws Error(Errc::key_invalid) when missing, malformed, or readable by
    // group/others (the message says which chmod fixes it).
    static SecretKey load_file(const std::filesystem::path& path);
    // Creates a new random key file with mode 0600 (write to temp, fsync, rename). Refuses to
    // overwrite an existing file (Errc::key_invalid).
    static SecretKey create_file(const std::filesystem::path& path);
    static SecretKey random();
    static SecretKey from_bytes(const std::array<std::uint8_t, kSize>& bytes);

    SecretKey derive(Purpose purpose) const;
    const std::array<std::uint8_t, kSize>& bytes() const noexcept { return m_bytes; }
    // Short public fingerprint (first 8 hex of BLAKE2b of the key) to tell keys apart.
    std::string fingerprint() const;

    SecretKey(const SecretKey&) = default;
    SecretKey& operator=(const SecretKey&) = default;
    ~SecretKey();

private:
    SecretKey() = default;
    std::array<std::uint8_t, kSize> m_bytes{};
};

// Throws Error(Errc::crypto_failure) if libsodium cannot initialise.
void crypto_init();

std::string to_hex(const std::uint8_t* data, size_t size);
std::string to_hex(const Bytes& data);
std::string sha256_hex(std::string_view data);
std::string hmac_sha256_hex(const SecretKey& key, std::string_view data);
// Constant-time comparison of two equal-length strings.
bool equal_constant_time(std::string_view a, std::string_view b) noexcept;

// Authenticated encryption (XSalsa20-Poly1305): nonce ‖ ciphertext. Empty plaintext → empty.
Bytes seal(const SecretKey& key, std::string_view plaintext);
// Throws Error(Errc::crypto_failure) when the key is wrong or the data was altered.
std::string open_sealed(const SecretKey& key, const Bytes& sealed);

// Random UUID v4, lowercase, hyphenated.
std::string uuid_v4();

}  // namespace hcp
