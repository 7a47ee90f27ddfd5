#pragma once
// What the printing layer needs from the main configuration (docs/config.md): [printer]
// (profile, transport, jobs folder), [receipt_qr] (URL prefix, token key file, validity) and
// the hall code the QR tokens bind.
#include <filesystem>
#include <optional>
#include <string>

#include "hcp/config/config.hpp"

namespace hcp::printer {

struct PrinterSettings {
    std::string profile = "generic-safe";
    std::optional<std::string> transport;  // as written; nullopt: the device has no printer
    std::filesystem::path jobs_dir = "var/print-jobs";
    std::string hall_code;
    std::string hall_name;  // [hall].name, printed at the top of tickets and receipts
    std::string qr_url_prefix = "HTTPS://HCP.EXAMPLE.CN/R/";
    std::optional<std::filesystem::path> token_key_file;
    int qr_valid_days = 30;
};

// From a validated configuration; never throws. A device without [printer] gets the settings
// for previews and files (no transport).
PrinterSettings printer_settings(const Config& config);

}  // namespace hcp::printer
