#pragma once
// Where hcp-kiosk finds its read-only files. An installed program (the .deb puts it in
// /usr/bin and its assets in /usr/share/hcp-kiosk/assets) uses the installed copy next to it;
// a program run from the build tree uses the source tree's assets and the font made at build
// time. Nothing here depends on the working directory.
#include <filesystem>

namespace hcp::ui {

// <exe>/../share/hcp-kiosk/assets when it exists (installed), else the source tree's assets/.
std::filesystem::path assets_dir();
// The bundled CJK font: the installed copy, else the one the build made (HCP_FONT_FILE).
std::filesystem::path font_file();
// The configuration used without --config: /etc/hcp-kiosk/hall.toml when installed, else the
// demo hall of the source tree.
std::filesystem::path default_config_file();

}  // namespace hcp::ui
