#pragma once
// Helpers for the printer tests: fixed sample data, profiles from assets, ZXing decoding.
#define ZX_USE_UTF8 1
#include <ZXing/ReadBarcode.h>

#include <filesystem>
#include <string>
#include <vector>

#include "hcp/printer/render.hpp"
#include "hcp/printer/templates.hpp"
#include "hcp/token/token.hpp"
#include "test_support.hpp"

namespace hcp::printer::test {

inline Profile profile(const std::string& id) {
    return load_profile(hcp::test::assets_dir() / "printers", id);
}

inline std::filesystem::path golden_dir() {
    // From the configured source tree, not __FILE__: a compiler cache may compile with relative paths.
    return std::filesystem::path(HCP_TEST_DATA_DIR).parent_path() / "printer" / "golden";
}

// Previews land here so a person can look at them.
inline std::filesystem::path preview_dir() {
    const auto dir = std::filesystem::path(HCP_BUILD_ASSETS_DIR).parent_path() / "printer-previews";
    std::filesystem::create_directories(dir);
    return dir;
}

inline std::vector<std::string> decode_qr(const Page& page) {
    const ZXing::ImageView view(page.pixels.data(), page.width, page.height, ZXing::ImageFormat::Lum);
    ZXing::DecodeHints hints;
    hints.setFormats(ZXing::BarcodeFormat::QRCode);
    hints.setTryHarder(true);
    std::vector<std::string> out;
    for (const auto& r : ZXing::ReadBarcodes(view, hints))
        if (r.isValid()) out.push_back(r.text());
    return out;
}

inline hcp::token::HallKey sample_key() {
    std::array<std::uint8_t, 32> b{};
    for (size_t i = 0; i < b.size(); ++i) b[i] = static_cast<std::uint8_t>(i);
    return hcp::token::HallKey("150102001", hcp::SecretKey::from_bytes(b));
}

inline constexpr const char* kPrefix = "HTTPS://HCP.EXAMPLE.CN/R/";
inline constexpr std::int64_t kExpires = 1797897600;  // 2026-12-22 00:00 UTC

inline TicketData sample_ticket() {
    TicketData d;
    d.hall_name = "锡林浩特市政务服务中心";
    d.ticket_number = "A012";
    d.category_name = "社保医保";
    d.people_ahead = 5;
    d.eta_minutes = 15;
    d.time_text = "2026-11-22 09:15";
    const auto token =
        hcp::token::issue(sample_key(), {"150102001", "20261122A012", hcp::token::Stage::ticket, kExpires});
    d.qr_url = hcp::token::make_url(kPrefix, token);
    d.short_code = hcp::token::short_code(token);
    return d;
}

inline ReceiptData sample_receipt() {
    ReceiptData d;
    d.hall_name = "锡林浩特市政务服务中心";
    d.case_no = "20261122000123456789";
    d.item_name = "城乡居民基本养老保险参保登记";
    d.window_name = "8号窗口";
    d.staff_name = "王堃";
    d.staff_number = "0815";
    d.time_text = "2026-11-22 10:40";
    d.valid_until = "2026-12-22";
    const auto token =
        hcp::token::issue(sample_key(), {"150102001", d.case_no, hcp::token::Stage::completed, kExpires});
    d.qr_url = hcp::token::make_url(kPrefix, token);
    d.short_code = hcp::token::short_code(token);
    return d;
}

inline std::string as_string(const Bytes& b) {
    return std::string(b.begin(), b.end());
}

}  // namespace hcp::printer::test
