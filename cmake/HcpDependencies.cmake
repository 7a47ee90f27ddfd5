# Every Debian package the build uses, found once, here, under one name. Subdirectories link
# the imported targets named below and never call find_package or pkg_check_modules themselves.
#
#   core:     PkgConfig::sqlite3 PkgConfig::sodium PkgConfig::curl PkgConfig::systemd PkgConfig::lunardate
#             PkgConfig::libcrypto
#             tomlplusplus::tomlplusplus nlohmann_json::nlohmann_json utf8cpp Threads::Threads
#   hub:      PkgConfig::httplib
#   printer:  PkgConfig::qrencode PkgConfig::freetype PkgConfig::stb
#   hcpctl:   CLI11::CLI11
#   kiosk UI: SDL2::SDL2 PkgConfig::imgui PkgConfig::googlepinyin PkgConfig::espeak
#   tests:    Catch2::Catch2 ZXing::ZXing
find_package(PkgConfig REQUIRED)
find_package(Threads REQUIRED)
find_package(tomlplusplus REQUIRED)
find_package(nlohmann_json 3.10 REQUIRED)
find_package(CLI11 2.1 REQUIRED)     # libcli11-dev (2.1.2)
find_package(utf8cpp REQUIRED)       # libutfcpp-dev
pkg_check_modules(sqlite3 REQUIRED IMPORTED_TARGET GLOBAL sqlite3)
pkg_check_modules(sodium REQUIRED IMPORTED_TARGET GLOBAL libsodium)
pkg_check_modules(curl REQUIRED IMPORTED_TARGET GLOBAL libcurl)
pkg_check_modules(systemd REQUIRED IMPORTED_TARGET GLOBAL libsystemd)
# liblunar-date-dev: lunar dates and solar terms for the statutory holidays of years without a
# State Council notice (春节, 清明, 端午, 中秋; docs/calendar.md).
# Its .pc names GLib only as a private requirement; g_free and the GObject calls are ours too.
pkg_check_modules(lunardate REQUIRED IMPORTED_TARGET GLOBAL lunar-date-3.0 glib-2.0 gobject-2.0)
# OpenSSL's libcrypto (libssl-dev): the MD5 and SHA-256 signatures SMS gateways ask for.
pkg_check_modules(libcrypto REQUIRED IMPORTED_TARGET GLOBAL libcrypto)
# Debian builds cpp-httplib as a library (libcpp-httplib.so) with a declarations-only header.
pkg_check_modules(httplib REQUIRED IMPORTED_TARGET GLOBAL cpp-httplib)
pkg_check_modules(qrencode REQUIRED IMPORTED_TARGET GLOBAL libqrencode)
pkg_check_modules(freetype REQUIRED IMPORTED_TARGET GLOBAL freetype2)
# libstb-dev: Debian builds the stb implementations as a library (libstb.so); PNG encoding.
pkg_check_modules(stb REQUIRED IMPORTED_TARGET GLOBAL stb)

if(HCP_BUILD_KIOSK_UI)
  find_package(SDL2 REQUIRED CONFIG)
  pkg_check_modules(imgui REQUIRED IMPORTED_TARGET GLOBAL imgui)
  # Chinese input of the on-screen keyboard: Debian's Google Pinyin engine and its dictionary
  # (libgooglepinyin0-dev brings both; docs/kiosk-ui.md says why this engine).
  pkg_check_modules(googlepinyin IMPORTED_TARGET GLOBAL googlepinyin)
  if(NOT googlepinyin_FOUND)
    message(FATAL_ERROR "hcp-kiosk needs the Google Pinyin engine for its on-screen keyboard (Chinese input). "
                        "Install it with: sudo apt-get install libgooglepinyin0-dev   (or run ./dev deps)")
  endif()
  # The hall display's voice: espeak-ng synthesizes Mandarin locally (libespeak-ng-dev; the
  # voices and the cmn dictionary come with espeak-ng-data).
  pkg_check_modules(espeak IMPORTED_TARGET GLOBAL espeak-ng)
  if(NOT espeak_FOUND)
    message(FATAL_ERROR "hcp-kiosk needs espeak-ng for the hall display's voice calling. "
                        "Install it with: sudo apt-get install libespeak-ng-dev espeak-ng-data   (or run ./dev deps)")
  endif()
endif()

if(HCP_BUILD_TESTS OR HCP_BUILD_BENCH)
  find_package(Catch2 2.13 REQUIRED)
  # ZXing-C++ decodes rendered QR codes back in the printer and token tests.
  find_package(ZXing REQUIRED)
endif()
