#pragma once
// The ticket station's maintenance screen (after the admin PIN): version, device, hall, printer
// status, the hub's upload backlog when the hub runs in this process, free disk. Read-only;
// the only way out is back to the start screen (nothing else leaves the app).
#include <filesystem>
#include <functional>
#include <string>

#include "shell/screen.hpp"

namespace hcp::ui {

class TicketPrinter;
class TicketStation;

class TicketMaintenanceScreen final : public Screen {
public:
    // `upload_summary` may be empty (no hub in this process); `data_dir` is where free space is measured.
    TicketMaintenanceScreen(TicketStation& station, const TicketPrinter& printer,
                            std::function<std::string()> upload_summary, std::filesystem::path data_dir)
        : m_station(station),
          m_printer(printer),
          m_upload_summary(std::move(upload_summary)),
          m_data_dir(std::move(data_dir)) {}
    void enter() override;
    void draw(Ui& ui) override;

private:
    TicketStation& m_station;
    const TicketPrinter& m_printer;
    std::function<std::string()> m_upload_summary;
    std::filesystem::path m_data_dir;
    std::string m_printer_line, m_upload_line, m_disk_line;  // read once on enter
};

}  // namespace hcp::ui
