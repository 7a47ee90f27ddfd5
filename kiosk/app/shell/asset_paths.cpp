#include "shell/asset_paths.hpp"

#include <system_error>

namespace hcp::ui {

namespace {

// The installed assets folder, or empty when this program does not run from an installation.
std::filesystem::path installed_assets() {
    std::error_code ec;
    const auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
    if (ec) return {};
    auto dir = exe.parent_path().parent_path() / "share/hcp-kiosk/assets";
    return std::filesystem::is_directory(dir / "lang", ec) ? dir : std::filesystem::path();
}

}  // namespace

std::filesystem::path assets_dir() {
    if (auto dir = installed_assets(); !dir.empty()) return dir;
    return HCP_SOURCE_ASSETS_DIR;
}

std::filesystem::path font_file() {
    std::error_code ec;
    if (auto dir = installed_assets(); !dir.empty()) {
        auto font = dir / "fonts/hcp-cjk-sc-regular.otf";
        if (std::filesystem::exists(font, ec)) return font;
    }
    return HCP_FONT_FILE;
}

std::filesystem::path default_config_file() {
    if (!installed_assets().empty()) return "/etc/hcp-kiosk/hall.toml";
    return std::filesystem::path(HCP_SOURCE_ASSETS_DIR) / "config" / "demo-hall.toml";
}

}  // namespace hcp::ui
