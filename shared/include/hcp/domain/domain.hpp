#pragma once
// Domain model of DESIGN §4. Plain value types: no I/O, no SQLite, no UI.
// Internal values are canonical; platform codes are mapped at the upload edge.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hcp/base/personal.hpp"
#include "hcp/base/time.hpp"

namespace hcp {

// Five satisfaction levels; the number is the star count (5 = 非常满意 … 1 = 非常不满意).
enum class Level : int {
    very_dissatisfied = 1,    // 非常不满意
    dissatisfied = 2,         // 不满意
    basically_satisfied = 3,  // 基本满意
    satisfied = 4,            // 满意
    very_satisfied = 5,       // 非常满意
};
std::optional<Level> level_from_int(int stars) noexcept;
int to_int(Level level) noexcept;
// 差评 = 不满意 or 非常不满意; 好评 = the other three.
bool is_bad(Level level) noexcept;
std::string_view label_zh(Level level) noexcept;

// 办件类型, GB/T 39046 semantics.
enum class CaseKind { immediate /*即办件*/, promised /*承诺件*/, other /*其他*/ };
// 评价阶段.
enum class Stage { accepted /*受理*/, completed /*办结*/ };
// What a rating judges: the service item (事项), the staff member (服务人员), or both.
enum class RatingTarget { item, staff, both };
// 评价渠道 (canonical; the per-province pf codes are mapped on upload).
enum class Channel {
    window_rater,    // 窗口评价器
    self_service,    // 自助终端
    qr_code,         // 二维码 (receipt or ticket)
    system_default,  // 系统默认评价
    web,             // 政务服务网 / PC
    mobile_app,      // 移动端
    phone,           // 电话 (12345)
    sms,             // 短信
};
enum class DeviceRole { hub, ticket, rater, selfservice, display };
enum class HallLevel { province, city, county, township, village };
// `held` (挂起) is last so that the values of the other states stay as they were stored.
enum class TicketState { waiting, called, serving, done, no_show, transferred, cancelled, held };

std::string_view to_string(CaseKind v) noexcept;
std::string_view to_string(Stage v) noexcept;
std::string_view to_string(RatingTarget v) noexcept;
std::string_view to_string(Channel v) noexcept;
std::string_view to_string(DeviceRole v) noexcept;
std::string_view to_string(HallLevel v) noexcept;
std::string_view to_string(TicketState v) noexcept;
std::string_view label_zh(CaseKind v) noexcept;
std::string_view label_zh(Stage v) noexcept;
std::string_view label_zh(Channel v) noexcept;

std::optional<CaseKind> parse_case_kind(std::string_view s) noexcept;
std::optional<Stage> parse_stage(std::string_view s) noexcept;
std::optional<RatingTarget> parse_rating_target(std::string_view s) noexcept;
std::optional<Channel> parse_channel(std::string_view s) noexcept;
std::optional<DeviceRole> parse_device_role(std::string_view s) noexcept;
std::optional<HallLevel> parse_hall_level(std::string_view s) noexcept;
std::optional<TicketState> parse_ticket_state(std::string_view s) noexcept;

// True when target covers the item / the staff member.
bool covers_item(RatingTarget t) noexcept;
bool covers_staff(RatingTarget t) noexcept;

struct Hall {
    std::string code;       // hall code assigned by the platform
    std::string name;       // 大厅名称
    std::string area_code;  // 12-digit 行政区划代码
    HallLevel level = HallLevel::county;
};

struct Staff {
    std::string number;  // 工号
    std::string name;
    friend bool operator==(const Staff&, const Staff&) = default;
};

struct ServiceItem {
    std::string code;        // national 实施编码
    std::string name;        // 事项名称
    std::string department;  // 实施部门
    friend bool operator==(const ServiceItem&, const ServiceItem&) = default;
};

// 业务类别 on the ticket station.
struct ServiceCategory {
    std::string code;
    std::string name;
    std::string group;            // first menu level of the ticket station (个人 / 企业); may be empty
    char prefix = 'A';            // ticket prefix
    std::vector<int> windows;     // windows serving it
    int priority_ratio = 3;       // N normal tickets : 1 priority ticket
    int max_wait_minutes = 60;    // aging: a ticket waiting this long is served first
    int daily_cap = 0;            // 0 = no cap
    std::string opens = "09:00";  // HH:MM, China time
    std::string closes = "17:00";
    std::vector<std::string> items;  // 实施编码 of the items handled under this category
};

struct Window {
    int number = 0;
    std::string name;
    std::vector<std::string> categories;
};

struct Ticket {
    std::string number;  // prefix + sequence, e.g. A012
    std::string category;
    TicketState state = TicketState::waiting;
    bool priority = false;
    TimePoint issued_at{};
    std::optional<TimePoint> called_at, serving_at, finished_at;
};

// 办件.
struct Case {
    std::string case_no;  // 办件编号
    ServiceItem item;
    CaseKind kind = CaseKind::immediate;
    Stage stage = Stage::accepted;
    int window = 0;  // 0 = self-service / no window
    Staff staff;
    Applicant applicant;
    std::optional<std::string> batch_id;  // 批量业务: several cases, one rating
    std::optional<std::string> theme_id;  // 主题式/一件事
    TimePoint accepted_at{};
    std::optional<TimePoint> completed_at;
};

// What a terminal submits. The store turns it into a Rating.
struct RatingDraft {
    std::vector<std::string> case_nos;  // one case, a batch, or the linked cases of a theme
    Stage stage = Stage::completed;
    RatingTarget target = RatingTarget::both;
    Level level = Level::very_satisfied;
    std::vector<std::string> option_codes;  // 差评 options from the catalog
    std::string text;                       // free text (其他)
    Channel channel = Channel::window_rater;
    TimePoint tapped_at{};  // device time of the tap; never changes on resend
    bool is_public = true;
    bool is_default = false;  // 系统默认评价
};

// A stored rating, one link of its device's tamper-evident chain.
struct Rating {
    std::string id;  // UUID v4, also the upload idempotency key
    std::string device_id;
    long long seq = 0;  // per-device gapless sequence, from 1
    std::vector<std::string> case_nos;
    Stage stage = Stage::completed;
    RatingTarget target = RatingTarget::both;
    Level level = Level::very_satisfied;
    std::vector<std::string> option_codes;
    std::vector<std::string> option_labels;
    std::string text;
    Channel channel = Channel::window_rater;
    TimePoint tapped_at{};
    std::string catalog_id;
    int catalog_version = 0;
    bool is_public = true;
    bool is_default = false;
    // Context copied from the case(s) at rating time so the record stands alone.
    std::string hall_code;
    std::string area_code;
    std::string item_code;
    std::string item_name;
    CaseKind kind = CaseKind::immediate;
    int window = 0;
    std::string staff_number;
    std::string staff_name;
    // Chain.
    std::string prev_hash;  // hex SHA-256 of the previous rating of this device (64 zeros for seq 1)
    std::string hash;       // hex SHA-256 over prev_hash and the canonical record
    std::string mac;        // hex HMAC-SHA256 of hash under the device chain key
};

enum class OutboxState { pending, sent, acked, rejected };
std::string_view to_string(OutboxState v) noexcept;
std::optional<OutboxState> parse_outbox_state(std::string_view s) noexcept;

struct OutboxEntry {
    std::string rating_id;
    std::string target;  // "platform" or "hub"
    int attempts = 0;
    TimePoint next_attempt_at{};
    std::string last_error;
    OutboxState state = OutboxState::pending;
};

}  // namespace hcp
