#pragma once
// Screenshots as PNG. SDL2 writes only BMP; PNG comes from stb_image_write in Debian's libstb,
// which libimgui-dev already requires (its pkg-config file says Requires: stb), so no package
// is added and no deflate/CRC code of our own has to be maintained.
#include <cstdint>
#include <filesystem>
#include <vector>

namespace hcp::ui {

// `rgba` holds width*height pixels, 4 bytes each (R, G, B, A), rows top to bottom.
// Returns false when the file cannot be written.
bool write_png(const std::filesystem::path& file, int width, int height, const std::vector<std::uint8_t>& rgba);

}  // namespace hcp::ui
