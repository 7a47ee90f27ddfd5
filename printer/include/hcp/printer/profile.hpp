#pragma once
// Printer profiles: what one printer model can do, as data (assets/printers/*.toml).
// Never assume a capability: a field absent from the file takes the safe value of the
// unknown-model fallback (generic-safe.toml), and an unknown key is an error.
#include <cstdint>
#include <filesystem>
#include <string>

namespace hcp::printer {

enum class ChineseMode { fs_ampersand /*FS & … FS .*/, always /*printer is in Chinese mode*/, none /*raster only*/ };
enum class Charset { gb18030, gbk, gb2312 };  // bytes sent for resident Chinese text
enum class QrMode { raster, native };         // native GS ( k only where verified
enum class CutMode { full, partial, none };
enum class ImageCommand { gs_v0 /*GS v 0 raster*/ };  // ESC * and GS ( L: not implemented yet

struct Profile {
    std::string id;           // file stem, e.g. "generic-80"
    std::string name;         // shown to installers
    int dots_per_line = 384;  // printable width in dots (203 dpi: 58 mm = 384, 80 mm = 576)
    ChineseMode chinese_mode = ChineseMode::none;
    Charset charset = Charset::gb18030;
    Charset font_coverage = Charset::gb2312;  // what the resident font can draw; others go raster
    QrMode qr_mode = QrMode::raster;
    ImageCommand image_command = ImageCommand::gs_v0;
    int image_band_height = 24;  // rows per GS v 0 command (small bands survive small buffers)
    CutMode cut = CutMode::none;
    int feed_before_cut = 4;      // lines fed so the last printed line clears the cutter
    bool status_dle_eot = false;  // answers DLE EOT n over a bidirectional link
    int buffer_bytes = 4096;      // receive buffer; transports chunk writes to this size

    bool operator==(const Profile&) const = default;
};

// Reads and validates a profile. Throws hcp::Error(Errc::config_invalid) naming the file, the
// key and what is allowed, for unknown keys, wrong types and out-of-range values.
Profile load_profile(const std::filesystem::path& file);
// A profile by id from a directory of profiles (assets/printers).
Profile load_profile(const std::filesystem::path& dir, const std::string& id);

}  // namespace hcp::printer
