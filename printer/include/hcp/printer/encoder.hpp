#pragma once
// Document → ESC/POS bytes for one profile. Pure and deterministic: the same document, profile
// and font give the same bytes (golden-tested). Bytes ≥ 0x80 appear only inside Chinese text
// runs (between FS & and FS . where the profile uses them) and inside image/QR data.
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "hcp/printer/document.hpp"
#include "hcp/printer/profile.hpp"

namespace hcp::printer {

using Bytes = std::vector<std::uint8_t>;

// Where the CJK font is: $HCP_FONT_FILE, then <exe>/../share/hcp-kiosk/assets/fonts/…, then the
// build tree's generated font.
std::filesystem::path default_font_path();

struct EncodeStats {
    int text_lines = 0;
    int raster_lines = 0;  // text lines printed as raster because a glyph is not resident
    int images = 0;        // raster images (including raster QR)
};

class Encoder {
public:
    // Throws hcp::Error(Errc::io_failure) when the font cannot be opened.
    Encoder(Profile profile, const std::filesystem::path& font = default_font_path());
    ~Encoder();
    Encoder(const Encoder&) = delete;
    Encoder& operator=(const Encoder&) = delete;

    // Throws hcp::Error(Errc::invalid_argument) when the document was built for another width.
    Bytes encode(const Document& doc, EncodeStats* stats = nullptr) const;
    const Profile& profile() const noexcept { return m_profile; }

    // True when the profile's resident font can print this code point as text.
    bool resident(char32_t cp) const;

private:
    struct Impl;
    Profile m_profile;
    Impl* m_impl;
};

// ESC/POS command bytes the encoder and the renderer agree on.
namespace cmd {
inline constexpr std::uint8_t ESC = 0x1B, GS = 0x1D, FS = 0x1C, DLE = 0x10, EOT = 0x04, LF = 0x0A;
}

}  // namespace hcp::printer
