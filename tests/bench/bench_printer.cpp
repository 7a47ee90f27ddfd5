// Printing figures for ./dev bench: one line per figure, "name value unit".
#include <chrono>
#include <cstdio>
#include <filesystem>

#include "../printer/fake_printer.hpp"
#include "hcp/printer/encoder.hpp"
#include "hcp/printer/jobs.hpp"
#include "hcp/printer/render.hpp"
#include "hcp/printer/templates.hpp"
#include "hcp/token/token.hpp"

using namespace hcp::printer;
using Clock = std::chrono::steady_clock;

namespace {

template <class F>
double per_call_us(int n, F&& f) {
    const auto t0 = Clock::now();
    for (int i = 0; i < n; ++i) f();
    return std::chrono::duration<double, std::micro>(Clock::now() - t0).count() / n;
}

TicketData ticket(const hcp::token::HallKey& key) {
    TicketData d;
    d.hall_name = "锡林浩特市政务服务中心";
    d.ticket_number = "A012";
    d.category_name = "社保医保";
    d.people_ahead = 5;
    d.eta_minutes = 15;
    d.time_text = "2026-11-22 09:15";
    const auto token = hcp::token::issue(key, {"150102001", "20261122A012", hcp::token::Stage::ticket, 1797897600});
    d.qr_url = hcp::token::make_url("HTTPS://HCP.EXAMPLE.CN/R/", token);
    d.short_code = hcp::token::short_code(token);
    return d;
}

}  // namespace

int main() {
    const std::filesystem::path profiles = std::filesystem::path(HCP_SOURCE_ASSETS_DIR) / "printers";
    const Profile p80 = load_profile(profiles, "generic-80");
    Profile native = p80;
    native.qr_mode = QrMode::native;
    const hcp::token::HallKey key("150102001", hcp::SecretKey::random());
    const TicketData d = ticket(key);

    std::printf("printer.qr_encode %.1f us\n", per_call_us(2000, [&] { (void)qr_modules_with_quiet_zone(d.qr_url); }));
    const Encoder enc(p80);
    const Document doc = ticket_document(d, p80);
    std::printf("printer.ticket_document_to_bytes_80mm %.2f ms\n",
                per_call_us(50, [&] { (void)enc.encode(doc); }) / 1000);
    const Bytes raster = enc.encode(doc);
    const Bytes nat = Encoder(native).encode(ticket_document(d, native));
    std::printf("printer.ticket_bytes_raster_qr %zu bytes\n", raster.size());
    std::printf("printer.ticket_bytes_native_qr %zu bytes\n", nat.size());
    const Profile p58 = load_profile(profiles, "generic-58");
    std::printf("printer.ticket_bytes_raster_qr_58mm %zu bytes\n", Encoder(p58).encode(ticket_document(d, p58)).size());
    std::printf("printer.escpos2png_ticket_80mm %.2f ms\n", per_call_us(20, [&] { (void)render(raster, p80); }) / 1000);
    const std::string token =
        hcp::token::issue(key, {"150102001", "20261122000123456789", hcp::token::Stage::completed, 1797897600});
    std::printf("token.issue %.2f us\n", per_call_us(20000, [&] {
                    (void)hcp::token::issue(
                        key, {"150102001", "20261122000123456789", hcp::token::Stage::completed, 1797897600});
                }));
    std::printf("token.verify %.2f us\n",
                per_call_us(20000, [&] { (void)hcp::token::verify(token, {key}, 1797000000); }));
    const hcp::token::HallSigningKey ed_key("150102001", hcp::SecretKey::random());
    const std::vector<hcp::token::HallPublicKey> ed_pub{ed_key.public_key()};
    const hcp::token::Claims receipt_claims{"150102001", "20261122000123456789", hcp::token::Stage::completed,
                                            1797897600};
    const std::string ed_token = hcp::token::issue(ed_key, receipt_claims);
    std::printf("token.ed25519_issue %.2f us\n",
                per_call_us(5000, [&] { (void)hcp::token::issue(ed_key, receipt_claims); }));
    std::printf("token.ed25519_verify %.2f us\n",
                per_call_us(5000, [&] { (void)hcp::token::verify(ed_token, ed_pub, 1797000000); }));
    const std::string ed_url =
        hcp::token::make_url("HTTPS://HCP.EXAMPLE.CN/R/", ed_token, hcp::token::kMaxUrlLengthEd25519);
    std::printf("token.hmac_receipt_url_length %zu chars\n",
                hcp::token::make_url("HTTPS://HCP.EXAMPLE.CN/R/", token).size());
    std::printf("token.ed25519_receipt_url_length %zu chars\n", ed_url.size());
    std::printf("token.hmac_receipt_qr_modules %d modules\n",
                qr_modules_with_quiet_zone(hcp::token::make_url("HTTPS://HCP.EXAMPLE.CN/R/", token)));
    std::printf("token.ed25519_receipt_qr_modules %d modules\n", qr_modules_with_quiet_zone(ed_url));

    hcp::printer::test::FakePrinter fake;
    const auto dir = std::filesystem::temp_directory_path() / "hcp-bench-print-jobs";
    std::filesystem::remove_all(dir);
    {
        const int port = fake.port();
        JobManager jobs(dir, p80,
                        [port] { return make_transport(parse_transport("tcp:127.0.0.1:" + std::to_string(port))); });
        const int n = 50;
        int confirmed = 0;
        const auto t0 = Clock::now();
        for (int i = 0; i < n; ++i) {
            const auto j = jobs.wait(jobs.submit(raster, "bench"), std::chrono::seconds(10));
            confirmed += (j && j->state == JobState::confirmed) ? 1 : 0;
        }
        const double ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count() / n;
        std::printf("printer.ticket_tcp9100_loopback_confirmed %.2f ms\n", ms);
        std::printf("printer.ticket_tcp9100_loopback_confirmed_jobs %d of %d\n", confirmed, n);
    }
    std::filesystem::remove_all(dir);
    // Serial at 9600 baud 8N1 moves 960 bytes a second: what the bytes above cost on such a link.
    std::printf("printer.ticket_serial9600_raster_qr_estimate %.1f s\n", static_cast<double>(raster.size()) / 960.0);
    std::printf("printer.ticket_serial9600_native_qr_estimate %.1f s\n", static_cast<double>(nat.size()) / 960.0);
    return 0;
}
