#pragma once
// Which role a terminal shows, and the role object for it. A device may list several roles in
// device.roles (the township box: hub, rater, display, ticket); the screen shows one of them.
#include <memory>

#include "hcp/config/config.hpp"
#include "shell/options.hpp"
#include "shell/role.hpp"

namespace hcp::ui {

enum class RoleKind { rater, self_service, display, ticket };

// --role when given. Else from device.roles, first match: rater; selfservice; display;
// ticket. A device with none of them (a hub alone) or no configuration shows the rating role.
RoleKind choose_role(const hcp::Config* config, const Options& options);

// The role chosen, ready to draw. A display needs services.hall and a ticket station
// services.desk and services.hall; without them, or without a configuration, the rating role
// shows the configuration-error screen saying what is missing.
std::unique_ptr<Role> make_role(const RoleContext& ctx);

}  // namespace hcp::ui
