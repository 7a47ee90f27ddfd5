#include "hcp/domain/domain.hpp"

#include "hcp/base/name_table.hpp"

namespace hcp {

namespace {

constexpr NameTable<CaseKind, 3> kCaseKinds{
    {{CaseKind::immediate, "immediate"}, {CaseKind::promised, "promised"}, {CaseKind::other, "other"}}};
constexpr NameTable<Stage, 2> kStages{{{Stage::accepted, "accepted"}, {Stage::completed, "completed"}}};
constexpr NameTable<RatingTarget, 3> kTargets{
    {{RatingTarget::item, "item"}, {RatingTarget::staff, "staff"}, {RatingTarget::both, "both"}}};
constexpr NameTable<Channel, 8> kChannels{{{Channel::window_rater, "window_rater"},
                                           {Channel::self_service, "self_service"},
                                           {Channel::qr_code, "qr_code"},
                                           {Channel::system_default, "system_default"},
                                           {Channel::web, "web"},
                                           {Channel::mobile_app, "mobile_app"},
                                           {Channel::phone, "phone"},
                                           {Channel::sms, "sms"}}};
constexpr NameTable<DeviceRole, 5> kRoles{{{DeviceRole::hub, "hub"},
                                           {DeviceRole::ticket, "ticket"},
                                           {DeviceRole::rater, "rater"},
                                           {DeviceRole::selfservice, "selfservice"},
                                           {DeviceRole::display, "display"}}};
constexpr NameTable<HallLevel, 5> kHallLevels{{{HallLevel::province, "province"},
                                               {HallLevel::city, "city"},
                                               {HallLevel::county, "county"},
                                               {HallLevel::township, "township"},
                                               {HallLevel::village, "village"}}};
constexpr NameTable<TicketState, 8> kTicketStates{{{TicketState::waiting, "waiting"},
                                                   {TicketState::called, "called"},
                                                   {TicketState::serving, "serving"},
                                                   {TicketState::done, "done"},
                                                   {TicketState::no_show, "no_show"},
                                                   {TicketState::transferred, "transferred"},
                                                   {TicketState::cancelled, "cancelled"},
                                                   {TicketState::held, "held"}}};
constexpr NameTable<OutboxState, 4> kOutboxStates{{{OutboxState::pending, "pending"},
                                                   {OutboxState::sent, "sent"},
                                                   {OutboxState::acked, "acked"},
                                                   {OutboxState::rejected, "rejected"}}};

}  // namespace

std::optional<Level> level_from_int(int stars) noexcept {
    if (stars < 1 || stars > 5) return std::nullopt;
    return static_cast<Level>(stars);
}

int to_int(Level level) noexcept {
    return static_cast<int>(level);
}

bool is_bad(Level level) noexcept {
    return to_int(level) <= 2;
}

std::string_view label_zh(Level level) noexcept {
    switch (level) {
        case Level::very_satisfied: return "非常满意";
        case Level::satisfied: return "满意";
        case Level::basically_satisfied: return "基本满意";
        case Level::dissatisfied: return "不满意";
        case Level::very_dissatisfied: return "非常不满意";
    }
    return "";
}

std::string_view to_string(CaseKind v) noexcept {
    return name_of(kCaseKinds, v);
}
std::string_view to_string(Stage v) noexcept {
    return name_of(kStages, v);
}
std::string_view to_string(RatingTarget v) noexcept {
    return name_of(kTargets, v);
}
std::string_view to_string(Channel v) noexcept {
    return name_of(kChannels, v);
}
std::string_view to_string(DeviceRole v) noexcept {
    return name_of(kRoles, v);
}
std::string_view to_string(HallLevel v) noexcept {
    return name_of(kHallLevels, v);
}
std::string_view to_string(TicketState v) noexcept {
    return name_of(kTicketStates, v);
}
std::string_view to_string(OutboxState v) noexcept {
    return name_of(kOutboxStates, v);
}

std::optional<CaseKind> parse_case_kind(std::string_view s) noexcept {
    return parse_from(kCaseKinds, s);
}
std::optional<Stage> parse_stage(std::string_view s) noexcept {
    return parse_from(kStages, s);
}
std::optional<RatingTarget> parse_rating_target(std::string_view s) noexcept {
    return parse_from(kTargets, s);
}
std::optional<Channel> parse_channel(std::string_view s) noexcept {
    return parse_from(kChannels, s);
}
std::optional<DeviceRole> parse_device_role(std::string_view s) noexcept {
    return parse_from(kRoles, s);
}
std::optional<HallLevel> parse_hall_level(std::string_view s) noexcept {
    return parse_from(kHallLevels, s);
}
std::optional<TicketState> parse_ticket_state(std::string_view s) noexcept {
    return parse_from(kTicketStates, s);
}
std::optional<OutboxState> parse_outbox_state(std::string_view s) noexcept {
    return parse_from(kOutboxStates, s);
}

std::string_view label_zh(CaseKind v) noexcept {
    switch (v) {
        case CaseKind::immediate: return "即办件";
        case CaseKind::promised: return "承诺件";
        case CaseKind::other: return "其他";
    }
    return "";
}

std::string_view label_zh(Stage v) noexcept {
    return v == Stage::accepted ? "受理" : "办结";
}

std::string_view label_zh(Channel v) noexcept {
    switch (v) {
        case Channel::window_rater: return "窗口评价器";
        case Channel::self_service: return "自助终端";
        case Channel::qr_code: return "二维码";
        case Channel::system_default: return "系统默认评价";
        case Channel::web: return "政务服务网";
        case Channel::mobile_app: return "移动端";
        case Channel::phone: return "电话";
        case Channel::sms: return "短信";
    }
    return "";
}

bool covers_item(RatingTarget t) noexcept {
    return t != RatingTarget::staff;
}
bool covers_staff(RatingTarget t) noexcept {
    return t != RatingTarget::item;
}

}  // namespace hcp
