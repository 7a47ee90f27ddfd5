#pragma once
// What main() gives the application: the options, the configuration and the links behind the
// screens. The application owns none of it.
#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "hcp/config/config.hpp"
#include "hcp/hub/hub_link.hpp"
#include "shell/i18n.hpp"
#include "shell/options.hpp"

namespace hcp::ui {

class HallFeed;
class TicketDesk;

struct AppServices {
    const Options& options;
    const hcp::Config* config = nullptr;  // null when the configuration failed to load
    std::string config_error;             // what failed, for the configuration-error screen
    I18n& i18n;
    hcp::HubLink* link = nullptr;  // null with a configuration error
    // Hub-side script commands (case …, hub …, disk …, expect-journal …): error text or empty.
    std::function<std::string(const std::vector<std::string>&)> hub_command;
    std::chrono::steady_clock::time_point started{};  // process start, for the first-frame figure
    // The queue for the hall display (role display): null when this process has no queue.
    HallFeed* hall = nullptr;
    // Where the ticket station (role ticket) takes tickets: null when this process has no queue.
    TicketDesk* desk = nullptr;
    // The embedded hub's upload backlog for the ticket station's maintenance screen; may be empty.
    std::function<std::string()> upload_summary;
};

}  // namespace hcp::ui
