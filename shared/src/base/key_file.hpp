#pragma once
// Internal to libhcp_core: the one-line secret key file format shared by the store's master key
// (SecretKey, "hcp-key-v1 ") and the Ed25519 QR-token signing key ("hcp-ed25519-v1 "). Each file
// is `header` followed by 64 hex digits (32 bytes) and a newline, mode 0600.
#include <array>
#include <cstdint>
#include <filesystem>
#include <string_view>

namespace hcp::detail {

inline constexpr size_t kKeyFileBytes = 32;

// Reads the 32 bytes into `out`. Throws Error(Errc::key_invalid) when the file is missing (the
// message suggests `create_command`), not a regular file, readable or writable by group/others,
// or not `header` + 64 hex digits. The text read is wiped before returning.
void read_key_file(const std::filesystem::path& path, std::string_view header, std::string_view create_command,
                   std::array<std::uint8_t, kKeyFileBytes>& out);

// Writes a new key file with mode 0600 through io::write_file_atomic, linked into place. Never
// replaces an existing file: throws Error(Errc::key_invalid) if `path` exists.
void create_key_file(const std::filesystem::path& path, std::string_view header,
                     const std::array<std::uint8_t, kKeyFileBytes>& bytes);

}  // namespace hcp::detail
