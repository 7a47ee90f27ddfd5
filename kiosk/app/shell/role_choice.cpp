#include "shell/role_choice.hpp"

#include "display/display_role.hpp"
#include "rating/rating_role.hpp"
#include "ticket/ticket_role.hpp"

namespace hcp::ui {

RoleKind choose_role(const hcp::Config* config, const Options& options) {
    if (options.role) {
        if (*options.role == "selfservice") return RoleKind::self_service;
        if (*options.role == "display") return RoleKind::display;
        if (*options.role == "ticket") return RoleKind::ticket;
        return RoleKind::rater;
    }
    if (config == nullptr) return RoleKind::rater;
    const auto has = [&](hcp::DeviceRole r) { return config->device.roles.count(r) != 0; };
    if (has(hcp::DeviceRole::rater)) return RoleKind::rater;
    if (has(hcp::DeviceRole::selfservice)) return RoleKind::self_service;
    if (has(hcp::DeviceRole::display)) return RoleKind::display;
    if (has(hcp::DeviceRole::ticket)) return RoleKind::ticket;
    return RoleKind::rater;
}

std::unique_ptr<Role> make_role(const RoleContext& ctx) {
    const AppServices& s = ctx.services;
    const RoleKind kind = choose_role(s.config, s.options);
    std::string error = s.config_error;
    if (s.config != nullptr && kind == RoleKind::display && s.hall == nullptr) {
        error =
            "叫号屏需要排队服务：本机运行中心（device.roles 含 hub，并配置 [[category]]），或设置 device.hub_url "
            "连接中心。请联系管理员";
    }
    if (s.config != nullptr && kind == RoleKind::ticket && (s.desk == nullptr || s.hall == nullptr)) {
        error =
            "取号机需要排队服务：本机运行中心（device.roles 含 hub，并配置 [[category]]），或设置 device.hub_url "
            "连接中心。请联系管理员";
    }
    if (s.config == nullptr || s.link == nullptr || !error.empty()) {
        return std::make_unique<RatingRole>(ctx, kind == RoleKind::self_service, error);
    }
    switch (kind) {
        case RoleKind::display: return std::make_unique<DisplayRole>(ctx);
        case RoleKind::ticket: return std::make_unique<TicketRole>(ctx);
        case RoleKind::rater: return std::make_unique<RatingRole>(ctx, false, std::string());
        case RoleKind::self_service: return std::make_unique<RatingRole>(ctx, true, std::string());
    }
    return std::make_unique<RatingRole>(ctx, false, std::string());
}

}  // namespace hcp::ui
