#pragma once
// The printer's own small settings file (owned by the printing layer until the keys move into
// the main config): a [printer] table. Paths are taken as written (relative = to the cwd).
//
//   [printer]
//   profile = "generic-80"                     # id in assets/printers, or a path ending .toml
//   transport = "tcp:192.168.1.50:9100"        # file:, tcp:, device:, serial:, cups:
//   jobs_dir = "/var/lib/hcp-kiosk/print-jobs"
//   hall_code = "150102001"
//   qr_url_prefix = "HTTPS://HCP.EXAMPLE.CN/R/"
//   token_key_file = "/etc/hcp-kiosk/qr-token.key"
//   qr_valid_days = 30
#include <filesystem>
#include <optional>
#include <string>

namespace hcp::printer {

struct PrinterSettings {
    std::string profile = "generic-safe";
    std::optional<std::string> transport;
    std::filesystem::path jobs_dir = "var/print-jobs";
    std::string hall_code;
    std::string qr_url_prefix = "HTTPS://HCP.EXAMPLE.CN/R/";
    std::optional<std::filesystem::path> token_key_file;
    int qr_valid_days = 30;
};

// Throws hcp::Error(Errc::config_invalid) with file:line and the key for unknown keys, wrong
// types, a lowercase or non-alphanumeric URL prefix, an invalid transport, or days outside 1..3650.
PrinterSettings load_printer_settings(const std::filesystem::path& file);

}  // namespace hcp::printer
