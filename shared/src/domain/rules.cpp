#include "hcp/domain/rules.hpp"
#include "hcp/domain/reminder_channel.hpp"

#include <algorithm>

#include "hcp/base/utf8.hpp"

namespace hcp {

std::string_view to_string(RuleViolation v) noexcept {
    switch (v) {
        case RuleViolation::no_case: return "no_case";
        case RuleViolation::unknown_case: return "unknown_case";
        case RuleViolation::bad_rating_needs_reason: return "bad_rating_needs_reason";
        case RuleViolation::options_on_good_rating: return "options_on_good_rating";
        case RuleViolation::unknown_option: return "unknown_option";
        case RuleViolation::text_too_long: return "text_too_long";
        case RuleViolation::text_invalid: return "text_invalid";
        case RuleViolation::self_service_item_only: return "self_service_item_only";
        case RuleViolation::stage_not_open: return "stage_not_open";
        case RuleViolation::immediate_rated_at_acceptance: return "immediate_rated_at_acceptance";
        case RuleViolation::staff_only_at_acceptance: return "staff_only_at_acceptance";
        case RuleViolation::already_rated: return "already_rated";
        case RuleViolation::mixed_cases: return "mixed_cases";
        case RuleViolation::no_staff_to_rate: return "no_staff_to_rate";
    }
    return "unknown";
}

std::string_view message_zh(RuleViolation v) noexcept {
    switch (v) {
        case RuleViolation::no_case: return "没有可评价的办件，请在窗口办结后再评价。";
        case RuleViolation::unknown_case: return "没有找到这笔办件，请向窗口工作人员确认办件编号。";
        case RuleViolation::bad_rating_needs_reason: return "请至少选择一项不满意的原因，或者写下您的意见，再提交。";
        case RuleViolation::options_on_good_rating: return "满意的评价不需要选择差评原因，请取消所选原因后再提交。";
        case RuleViolation::unknown_option: return "所选原因已不在当前评价目录中，请重新选择。";
        case RuleViolation::text_too_long: return "意见太长了，请精简到500字以内再提交。";
        case RuleViolation::text_invalid: return "意见中含有无法识别的字符，请删除后再提交。";
        case RuleViolation::self_service_item_only: return "自助终端只对办理的事项进行评价。";
        case RuleViolation::stage_not_open: return "这笔办件还没有办结，办结后即可评价。";
        case RuleViolation::immediate_rated_at_acceptance: return "即办件在办结后评价一次，请在办结后评价。";
        case RuleViolation::staff_only_at_acceptance: return "承诺件受理时只评价窗口服务人员，事项请在办结后评价。";
        case RuleViolation::already_rated: return "这笔办件已经评价过了，感谢您的参与，无需重复评价。";
        case RuleViolation::mixed_cases: return "一次只能评价一笔办件、一批批量业务或一个主题的办件，请分开评价。";
        case RuleViolation::no_staff_to_rate: return "这笔办件不是在窗口办理的，只能对事项进行评价。";
    }
    return "";
}

namespace {

bool is_blank(std::string_view text) {
    // ASCII whitespace and U+3000 IDEOGRAPHIC SPACE do not count as an opinion.
    size_t i = 0;
    while (i < text.size()) {
        char c = text[i];
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
            ++i;
        } else if (text.substr(i, 3) == "\xE3\x80\x80") {
            i += 3;
        } else {
            return false;
        }
    }
    return true;
}

bool clean_text(std::string_view text) {
    // Newlines and tabs are allowed in an opinion; other control characters are not.
    return utf8::is_clean(text, "\t\r\n");
}

RuleCheck refuse(RuleViolation v, std::string detail) {
    RuleCheck r;
    r.violation = v;
    r.detail = std::move(detail);
    return r;
}

}  // namespace

std::optional<RatingTarget> allowed_target(const Case& c, Stage stage, Channel channel) noexcept {
    const bool has_staff = c.window > 0 && !c.staff.number.empty();
    const bool completed = c.completed_at.has_value() && c.stage == Stage::completed;
    if (stage == Stage::accepted) {
        // 即办件 is rated once, after completion; 承诺件 may rate the staff at acceptance.
        if (c.kind == CaseKind::immediate || channel == Channel::self_service || !has_staff) return std::nullopt;
        if (channel == Channel::system_default) return std::nullopt;
        return RatingTarget::staff;
    }
    if (!completed) return std::nullopt;
    if (channel == Channel::self_service || !has_staff) return RatingTarget::item;
    return RatingTarget::both;
}

RuleCheck check_rating(const RatingDraft& draft, const RuleContext& ctx) {
    if (draft.case_nos.empty()) return refuse(RuleViolation::no_case, "draft names no case");

    // Self-service terminals rate the item only (policy/000 第三章 评价指标; DESIGN §5.4).
    if (draft.channel == Channel::self_service && draft.target != RatingTarget::item)
        return refuse(RuleViolation::self_service_item_only, std::string(to_string(draft.target)));

    // Resolve the cases.
    std::vector<Case> named;
    for (const auto& no : draft.case_nos) {
        auto c = ctx.find_case(no);
        if (!c) return refuse(RuleViolation::unknown_case, "case " + no);
        if (std::none_of(named.begin(), named.end(), [&](const Case& x) { return x.case_no == c->case_no; }))
            named.push_back(std::move(*c));
    }

    // 批量业务: one rating applies to every case of the batch (policy/001 二(四)2, 002 第十四条).
    // 主题式: several named cases must share one theme (overall rating, policy/001 二(四)3).
    std::vector<Case> applied;
    const auto& first = named.front();
    if (first.batch_id) {
        for (const auto& c : named)
            if (c.batch_id != first.batch_id) return refuse(RuleViolation::mixed_cases, "cases from different batches");
        applied = ctx.batch_members(*first.batch_id);
        if (applied.empty()) applied = named;
    } else if (named.size() > 1) {
        for (const auto& c : named)
            if (c.batch_id || !c.theme_id || c.theme_id != first.theme_id)
                return refuse(RuleViolation::mixed_cases, "cases neither one batch nor one theme");
        applied = named;
    } else {
        applied = named;
    }

    // Stage and target for each case (policy/000 第十八条, 001 二(四)1).
    for (const auto& c : applied) {
        if (draft.stage == Stage::accepted) {
            if (c.kind == CaseKind::immediate)
                return refuse(RuleViolation::immediate_rated_at_acceptance, "case " + c.case_no);
            if (draft.target != RatingTarget::staff)
                return refuse(RuleViolation::staff_only_at_acceptance, "case " + c.case_no);
        } else if (!c.completed_at || c.stage != Stage::completed) {
            return refuse(RuleViolation::stage_not_open, "case " + c.case_no);
        }
        if (covers_staff(draft.target) && (c.window <= 0 || c.staff.number.empty()))
            return refuse(RuleViolation::no_staff_to_rate, "case " + c.case_no);
    }

    // One rating per (case, stage, target) (policy/000 第十八条 "可进行一次评价").
    RuleCheck result;
    for (const auto& c : applied) {
        result.case_nos.push_back(c.case_no);
        if (covers_item(draft.target)) result.slots.push_back({c.case_no, draft.stage, RatingTarget::item});
        if (covers_staff(draft.target)) result.slots.push_back({c.case_no, draft.stage, RatingTarget::staff});
    }
    for (const auto& slot : result.slots) {
        if (ctx.slot_taken(slot))
            return refuse(RuleViolation::already_rated,
                          "case " + slot.case_no + " " + std::string(to_string(slot.target)));
    }

    // Level and reasons (policy/004 附件1; policy/001 附件2: 差评 opens the option list).
    // Checked last, so a citizen who already rated is told that first.
    if (is_bad(draft.level)) {
        if (draft.option_codes.empty() && is_blank(draft.text))
            return refuse(RuleViolation::bad_rating_needs_reason, "差评 without option or text");
    } else if (!draft.option_codes.empty()) {
        return refuse(RuleViolation::options_on_good_rating, "好评 with 差评 options");
    }
    for (const auto& code : draft.option_codes) {
        if (ctx.catalog.find(code) == nullptr) return refuse(RuleViolation::unknown_option, "option " + code);
    }
    if (draft.text.size() > kMaxRatingTextBytes)
        return refuse(RuleViolation::text_too_long, std::to_string(draft.text.size()) + " bytes");
    if (!clean_text(draft.text)) return refuse(RuleViolation::text_invalid, "control characters");

    return result;
}

std::string_view to_string(ReminderChannelKind c) noexcept {
    switch (c) {
        case ReminderChannelKind::platform: return "platform";
        case ReminderChannelKind::sms: return "sms";
        case ReminderChannelKind::call_list: return "call_list";
    }
    return "unknown";
}

std::optional<ReminderChannelKind> parse_reminder_channel(std::string_view s) noexcept {
    for (auto c : {ReminderChannelKind::platform, ReminderChannelKind::sms, ReminderChannelKind::call_list})
        if (to_string(c) == s) return c;
    return std::nullopt;
}

UnratedPolicy UnratedPolicy::xilinguole() {
    // policy/000 第十九条: 对已办结服务事项，服务对象未现场做出评价的，"好差评"系统发送短信至服务对象.
    // No default rating anywhere in 000. "未现场" is read as: once the terminal's rating time
    // has passed; one hour leaves it well behind without delaying the SMS into the evening.
    UnratedPolicy p;
    p.preset = "xilinguole";
    p.reminder_unit = ReminderUnit::hours;
    p.reminder_after = 1;
    p.default_after_working_days = 0;
    p.default_from = DefaultFrom::completion;
    p.default_level = std::nullopt;
    return p;
}

UnratedPolicy UnratedPolicy::taian() {
    // policy/001 二(四)4: 1个工作日内未评价 → 提醒短信; 提醒后超过4个工作日 → 默认满意 (四颗星).
    // "提醒后" counts from the reminder sent; without one the citizen was not told, so no default.
    UnratedPolicy p;
    p.preset = "taian";
    p.reminder_unit = ReminderUnit::working_days;
    p.reminder_after = 1;
    p.default_after_working_days = 4;
    p.default_from = DefaultFrom::reminder;
    p.default_level = Level::satisfied;
    p.if_not_sent = IfReminderNotSent::wait;
    return p;
}

UnratedPolicy UnratedPolicy::gansu() {
    // policy/002 第十四条: 24小时内未评价 → 短信提醒; 5个工作日内未评价 → 默认基本满意.
    UnratedPolicy p;
    p.preset = "gansu";
    p.reminder_unit = ReminderUnit::hours;
    p.reminder_after = 24;
    p.default_after_working_days = 5;
    p.default_from = DefaultFrom::completion;
    p.default_level = Level::basically_satisfied;
    return p;
}

UnratedPolicy UnratedPolicy::county() {
    // policy/003 二: 服务事项办理完毕后系统以短信方式提醒…可在接受服务后 5 个工作日内进行评价。超时未评价的，
    // 系统将默认为"基本满意". The reminder goes at completion (0 hours: the next maintenance pass).
    UnratedPolicy p;
    p.preset = "county";
    p.reminder_unit = ReminderUnit::hours;
    p.reminder_after = 0;
    p.default_after_working_days = 5;
    p.default_from = DefaultFrom::completion;
    p.default_level = Level::basically_satisfied;
    return p;
}

std::optional<UnratedPolicy> UnratedPolicy::named(std::string_view preset) {
    if (preset == "xilinguole") return xilinguole();
    if (preset == "taian") return taian();
    if (preset == "gansu") return gansu();
    if (preset == "county") return county();
    return std::nullopt;
}

std::string explain_zh(const UnratedPolicy& p) {
    std::string out = "提醒：";
    if (p.reminder_after == 0)
        out += "办结时";
    else if (p.reminder_unit == UnratedPolicy::ReminderUnit::hours)
        out += "办结后 " + std::to_string(p.reminder_after) + " 小时";
    else
        out += "办结后 " + std::to_string(p.reminder_after) + " 个工作日";
    out += "；默认：";
    if (!p.default_level) return out + "不作默认评价";
    if (p.default_from == UnratedPolicy::DefaultFrom::completion)
        out += "办结后 ";
    else
        out += "提醒发出后 ";
    out += std::to_string(p.default_after_working_days) + " 个工作日 " + std::string(label_zh(*p.default_level));
    if (p.default_from == UnratedPolicy::DefaultFrom::reminder)
        out += p.if_not_sent == UnratedPolicy::IfReminderNotSent::wait ? "（提醒未能发出则不作默认评价）"
                                                                       : "（提醒未能发出则从应提醒时起算）";
    return out;
}

UnratedDeadlines unrated_deadlines(TimePoint completed_at, const WorkCalendar& calendar, const UnratedPolicy& policy,
                                   const std::optional<ReminderFact>& reminder) {
    UnratedDeadlines d;
    if (policy.reminder_unit == UnratedPolicy::ReminderUnit::hours) {
        d.reminder_due = completed_at + std::chrono::hours{policy.reminder_after};
    } else {
        d.reminder_due = calendar.add_working_days(completed_at, policy.reminder_after);
    }
    if (!policy.default_level) return d;
    std::optional<TimePoint> from = completed_at;
    if (policy.default_from == UnratedPolicy::DefaultFrom::reminder) {
        if (!reminder)
            from = d.reminder_due;  // planning: sent when due
        else if (reminder->sent_at)
            from = *reminder->sent_at;
        else if (reminder->given_up && policy.if_not_sent == UnratedPolicy::IfReminderNotSent::count_from_due)
            from = d.reminder_due;
        else
            from = std::nullopt;  // waits for the reminder
    }
    if (!from) return d;
    d.default_counted_from = *from;
    d.default_due = calendar.add_working_days(*from, policy.default_after_working_days);
    return d;
}

}  // namespace hcp
