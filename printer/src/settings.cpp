#include "hcp/printer/settings.hpp"

namespace hcp::printer {

PrinterSettings printer_settings(const Config& config) {
    PrinterSettings s;
    if (config.printer) {
        s.profile = config.printer->profile;
        s.transport = config.printer->transport_text;
        s.jobs_dir = config.printer->jobs_dir;
    } else {
        s.jobs_dir = config.paths.data / "print-jobs";
    }
    s.hall_code = config.hall.code;
    s.hall_name = config.hall.name;
    s.qr_url_prefix = config.receipt_qr.url_prefix;
    s.token_key_file = config.receipt_qr.key_file;
    s.qr_valid_days = config.receipt_qr.valid_days;
    return s;
}

}  // namespace hcp::printer
