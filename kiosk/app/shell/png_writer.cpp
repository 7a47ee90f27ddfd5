#include "shell/png_writer.hpp"

#include <stb_image_write.h>

namespace hcp::ui {

bool write_png(const std::filesystem::path& file, int width, int height, const std::vector<std::uint8_t>& rgba) {
    if (width <= 0 || height <= 0) return false;
    if (rgba.size() < static_cast<size_t>(width) * static_cast<size_t>(height) * 4U) return false;
    const std::string name = file.string();
    return stbi_write_png(name.c_str(), width, height, 4, rgba.data(), width * 4) != 0;
}

}  // namespace hcp::ui
