// Printer profiles as data: the shipped files, defaults and bad files.
#include <catch2/catch.hpp>

#include "printer_helpers.hpp"

using namespace hcp::printer;
using hcp::test::TempDir;
using hcp::test::write_file;

TEST_CASE("The shipped 58 mm 80 mm and safe profiles load with their widths") {
    const auto dir = hcp::test::assets_dir() / "printers";
    CHECK(load_profile(dir, "generic-58").dots_per_line == 384);
    const Profile p80 = load_profile(dir, "generic-80");
    CHECK(p80.dots_per_line == 576);
    CHECK(p80.cut == CutMode::partial);
    CHECK(p80.chinese_mode == ChineseMode::fs_ampersand);
    const Profile safe = load_profile(dir, "generic-safe");
    CHECK(safe.chinese_mode == ChineseMode::none);
    CHECK(safe.qr_mode == QrMode::raster);
    CHECK_FALSE(safe.status_dle_eot);
}

TEST_CASE("A profile with only a name takes the safe defaults") {
    TempDir tmp;
    write_file(tmp / "x.toml", "name = \"X\"\n");
    const Profile p = load_profile(tmp / "x.toml");
    CHECK(p.id == "x");
    CHECK(p.dots_per_line == 384);
    CHECK(p.chinese_mode == ChineseMode::none);
    CHECK(p.qr_mode == QrMode::raster);
    CHECK(p.cut == CutMode::none);
}

TEST_CASE("Unknown keys wrong types and out-of-range values are errors naming the key") {
    TempDir tmp;
    const std::pair<const char*, const char*> cases[] = {
        {"qr_modes = \"native\"\n", "qr_modes"},
        {"dots_per_line = \"576\"\n", "dots_per_line"},
        {"dots_per_line = 580\n", "dots_per_line"},
        {"dots_per_line = 5000\n", "dots_per_line"},
        {"chinese_mode = \"fs\"\n", "chinese_mode"},
        {"cut = true\n", "cut"},
        {"status_dle_eot = 1\n", "status_dle_eot"},
        {"image_band_height = 0\n", "image_band_height"},
        {"name = \"\"\n", "name"},
        {"image_command = \"esc_star\"\n", "image_command"},
    };
    for (const auto& [text, key] : cases) {
        write_file(tmp / "bad.toml", text);
        try {
            load_profile(tmp / "bad.toml");
            FAIL("accepted: " << text);
        } catch (const hcp::Error& e) {
            CHECK(e.code() == hcp::Errc::config_invalid);
            CHECK(std::string(e.what()).find(key) != std::string::npos);
        }
    }
    write_file(tmp / "syntax.toml", "name = \n");
    CHECK_THROWS_AS(load_profile(tmp / "syntax.toml"), hcp::Error);
}

TEST_CASE("A profile id cannot name a file outside the profile directory") {
    TempDir tmp;
    CHECK_THROWS_AS(load_profile(tmp.path(), "../etc/passwd"), hcp::Error);
    CHECK_THROWS_AS(load_profile(tmp.path(), "missing"), hcp::Error);
}
