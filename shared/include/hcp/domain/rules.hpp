#pragma once
// The rating rules of DESIGN §5, as pure functions over domain values.
//
// Sources (../shared/reference/policy/): 000 锡林郭勒盟, 001 泰安市, 002 甘肃省, 003 county plan,
// 004 融安县 差评 handling. Each rule names its source in tests/unit/test_rules.cpp.
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hcp/domain/calendar.hpp"
#include "hcp/domain/catalog.hpp"
#include "hcp/domain/domain.hpp"

namespace hcp {

// Why a rating is refused. Each cause has a plain Chinese message for the citizen or staff.
enum class RuleViolation {
    no_case,                        // the draft names no case
    unknown_case,                   // a named case is not known
    bad_rating_needs_reason,        // 差评 without an option or text (004 附件1, 001 附件2)
    options_on_good_rating,         // 差评 options chosen on a 好评
    unknown_option,                 // option code not in the catalog
    text_too_long,                  // free text above the limit
    text_invalid,                   // free text with control characters or invalid UTF-8
    self_service_item_only,         // self-service rates the item only (000 第三章)
    stage_not_open,                 // the case has not reached the stage being rated
    immediate_rated_at_acceptance,  // 即办件 is rated once, after completion (000, 001)
    staff_only_at_acceptance,       // 承诺件 at acceptance: staff only (000)
    already_rated,                  // (case, stage, target) already rated (one rating per service)
    mixed_cases,                    // cases that are neither one batch nor one theme
    no_staff_to_rate,               // staff rated on a case handled without a window (self-service, online)
};

std::string_view to_string(RuleViolation v) noexcept;
// Plain Chinese, says what to do.
std::string_view message_zh(RuleViolation v) noexcept;

inline constexpr size_t kMaxRatingTextBytes = 1500;  // ≈ 500 Chinese characters

// A (case, stage, target) slot. target here is item or staff, never both.
struct RatingSlot {
    std::string case_no;
    Stage stage = Stage::completed;
    RatingTarget target = RatingTarget::item;
    friend bool operator==(const RatingSlot&, const RatingSlot&) = default;
};

struct RuleCheck {
    std::optional<RuleViolation> violation;
    std::string detail;                 // which case/option, for logs (no personal data)
    std::vector<std::string> case_nos;  // the cases the rating applies to (batch expanded)
    std::vector<RatingSlot> slots;      // slots the rating occupies
    explicit operator bool() const noexcept { return !violation.has_value(); }
};

// Everything the rules need besides the draft itself.
struct RuleContext {
    const OptionCatalog& catalog;
    // Looks up a case by number.
    std::function<std::optional<Case>(const std::string& case_no)> find_case;
    // All cases carrying a batch id (批量业务).
    std::function<std::vector<Case>(const std::string& batch_id)> batch_members;
    // True when the slot already holds a rating.
    std::function<bool(const RatingSlot&)> slot_taken;
};

// Checks a draft against the rules and, on success, returns the cases and slots it covers.
// A draft naming any case of a batch applies to the whole batch (001 二(四)2, 002 第十四条).
// A draft naming several cases of one theme is the theme's overall rating; naming one is a
// per-item rating (001 二(四)3, 002 第十四条).
RuleCheck check_rating(const RatingDraft& draft, const RuleContext& ctx);

// The targets a terminal offers for a case at a stage (window terminal vs self-service).
// Empty when the case may not be rated there now.
std::optional<RatingTarget> allowed_target(const Case& c, Stage stage, Channel channel) noexcept;

// Unrated completed cases: when to remind, and whether and when to record a default rating on
// the citizen's behalf (DESIGN §5 rule 6). Each region's rule is a preset (docs/rules.md):
//   xilinguole  000 第十九条: 未现场做出评价的 → 短信提醒; no default rating at all;
//   taian       001 二(四)4: 1个工作日内未评价 → 提醒短信; 提醒后超过4个工作日 → 满意;
//   gansu       002 第十四条: 24小时内未评价 → 短信提醒; 5个工作日内未评价 → 基本满意;
//   county      003 (某县实施意见): 办理完毕后 → 短信提醒; 5 个工作日内未评价 → 基本满意.
struct UnratedPolicy {
    enum class ReminderUnit { hours, working_days };
    enum class DefaultFrom { completion, reminder };
    // Counted from the reminder, the default waits until the reminder was really sent. When it
    // cannot be sent (no phone, the gateway refused it for good): `wait` records no default (the
    // citizen was never told), `count_from_due` counts from when the reminder was due.
    enum class IfReminderNotSent { wait, count_from_due };

    std::string preset;  // the preset's name, empty for explicit values
    ReminderUnit reminder_unit = ReminderUnit::working_days;
    int reminder_after = 1;  // 0 = at completion; Tai'an: 1 working day; Gansu: 24 hours
    int default_after_working_days = 4;
    DefaultFrom default_from = DefaultFrom::reminder;
    std::optional<Level> default_level = Level::satisfied;  // nullopt: no default rating (000)
    IfReminderNotSent if_not_sent = IfReminderNotSent::wait;

    static UnratedPolicy xilinguole();  // policy/000 第十九条
    static UnratedPolicy taian();       // policy/001 二(四)4
    static UnratedPolicy gansu();       // policy/002 第十四条
    static UnratedPolicy county();      // policy/003 二、评价内容
    // The preset of that name ("xilinguole", "taian", "gansu", "county"), nullopt otherwise.
    static std::optional<UnratedPolicy> named(std::string_view preset);
};

// One line of plain Chinese: "提醒：办结后 1 个工作日；默认：提醒发出后 4 个工作日 满意".
std::string explain_zh(const UnratedPolicy& policy);

// What became of a case's reminder, as the reminder outbox knows it.
struct ReminderFact {
    std::optional<TimePoint> sent_at;  // when the channel accepted it
    bool given_up = false;             // it will not be sent (no phone, refused for good)
};

struct UnratedDeadlines {
    TimePoint reminder_due{};
    // When the default rating is due; nullopt when the policy records none, or while it waits for
    // a reminder that was not sent.
    std::optional<TimePoint> default_due;
    TimePoint default_counted_from{};  // the start of the default's count (for calendar warnings)
};

// `reminder`: nullopt plans as if the reminder goes out when due (previews, the demo); a fact
// from the reminder outbox makes the count start at the real sending (DefaultFrom::reminder).
UnratedDeadlines unrated_deadlines(TimePoint completed_at, const WorkCalendar& calendar, const UnratedPolicy& policy,
                                   const std::optional<ReminderFact>& reminder = std::nullopt);

}  // namespace hcp
