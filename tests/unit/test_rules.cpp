// The rating rules of DESIGN §5, table-driven; every row names the policy text it comes from
// (../shared/reference/policy/).
#include <catch2/catch.hpp>

#include <map>
#include <set>

#include "hcp/domain/rules.hpp"
#include "test_support.hpp"

using namespace hcp;
using namespace std::chrono;

namespace {

const OptionCatalog& catalog() {
    static const OptionCatalog c = OptionCatalog::load_file(test::assets_dir() / "catalog/cn-004.toml");
    return c;
}

const WorkCalendar& calendar() {
    static const WorkCalendar c = WorkCalendar::load_file(test::assets_dir() / "calendars/cn-2026.toml");
    return c;
}

TimePoint at(int y, unsigned m, unsigned d, int hh, int mm = 0) {
    return china_midnight(Date{year{y}, month{m}, day{d}}) + hours{hh} + minutes{mm};
}

Case window_case(std::string no, CaseKind kind, bool completed) {
    Case c;
    c.case_no = std::move(no);
    c.item = {"11150102MB1234567X4000117051000", "城乡居民养老保险参保登记", "人社局"};
    c.kind = kind;
    c.stage = completed ? Stage::completed : Stage::accepted;
    c.window = 3;
    c.staff = {"1024", "刘敏"};
    c.accepted_at = at(2026, 10, 8, 9);
    if (completed) c.completed_at = at(2026, 10, 8, 9, 20);
    return c;
}

// An in-memory world for the rules: cases and taken slots.
struct World {
    std::map<std::string, Case> cases;
    std::vector<RatingSlot> taken;

    void add(Case c) { cases[c.case_no] = std::move(c); }
    RuleContext context() {
        return RuleContext{
            catalog(),
            [this](const std::string& no) -> std::optional<Case> {
                auto it = cases.find(no);
                if (it == cases.end()) return std::nullopt;
                return it->second;
            },
            [this](const std::string& batch) {
                std::vector<Case> out;
                for (const auto& [no, c] : cases)
                    if (c.batch_id == batch) out.push_back(c);
                return out;
            },
            [this](const RatingSlot& s) { return std::find(taken.begin(), taken.end(), s) != taken.end(); }};
    }
    RuleCheck check(const RatingDraft& d) {
        auto ctx = context();
        auto r = check_rating(d, ctx);
        if (r) taken.insert(taken.end(), r.slots.begin(), r.slots.end());
        return r;
    }
};

RatingDraft draft(std::vector<std::string> cases, Level level, Stage stage = Stage::completed,
                  RatingTarget target = RatingTarget::both, Channel channel = Channel::window_rater) {
    RatingDraft d;
    d.case_nos = std::move(cases);
    d.level = level;
    d.stage = stage;
    d.target = target;
    d.channel = channel;
    d.tapped_at = at(2026, 10, 8, 9, 21);
    return d;
}

}  // namespace

TEST_CASE("Rules: five levels, 3 stars and up are 好评, 2 and below are 差评 (policy/001 二(三), 002 第十条)") {
    struct Row {
        int stars;
        const char* label;
        bool bad;
    };
    const Row rows[] = {{5, "非常满意", false},
                        {4, "满意", false},
                        {3, "基本满意", false},
                        {2, "不满意", true},
                        {1, "非常不满意", true}};
    for (const auto& row : rows) {
        CAPTURE(row.stars);
        auto level = level_from_int(row.stars);
        REQUIRE(level);
        CHECK(label_zh(*level) == row.label);
        CHECK(is_bad(*level) == row.bad);
        CHECK(to_int(*level) == row.stars);
    }
    CHECK_FALSE(level_from_int(0));
    CHECK_FALSE(level_from_int(6));
    CHECK_FALSE(level_from_int(-1));
}

TEST_CASE("Rules: a 差评 needs an option or text, a 好评 needs neither (policy/004 附件1, 001 二(三))") {
    struct Row {
        const char* why;
        Level level;
        std::vector<std::string> options;
        std::string text;
        std::optional<RuleViolation> expected;
    };
    const std::vector<Row> rows = {
        {"好评 submitted directly", Level::very_satisfied, {}, "", std::nullopt},
        {"基本满意 is still 好评", Level::basically_satisfied, {}, "", std::nullopt},
        {"好评 may carry praise text", Level::satisfied, {}, "窗口人员很耐心", std::nullopt},
        {"差评 with one option", Level::dissatisfied, {"101"}, "", std::nullopt},
        {"差评 with text only (其他 is 自主填写)", Level::very_dissatisfied, {}, "材料被要求提交三次", std::nullopt},
        {"差评 with options from several dimensions", Level::dissatisfied, {"103", "303", "405"}, "", std::nullopt},
        {"差评 with nothing", Level::dissatisfied, {}, "", RuleViolation::bad_rating_needs_reason},
        {"差评 with blank text", Level::very_dissatisfied, {}, "  \n\t", RuleViolation::bad_rating_needs_reason},
        {"差评 with ideographic spaces only",
         Level::dissatisfied,
         {},
         "\xE3\x80\x80\xE3\x80\x80",
         RuleViolation::bad_rating_needs_reason},
        {"好评 with 差评 options", Level::satisfied, {"101"}, "", RuleViolation::options_on_good_rating},
        {"unknown option code", Level::dissatisfied, {"999"}, "", RuleViolation::unknown_option},
        {"option code injection",
         Level::dissatisfied,
         {"101'; DROP TABLE ratings;--"},
         "",
         RuleViolation::unknown_option},
        {"text over the limit",
         Level::dissatisfied,
         {},
         std::string(kMaxRatingTextBytes + 1, 'x'),
         RuleViolation::text_too_long},
        {"text with control characters",
         Level::dissatisfied,
         {},
         std::string("bad\x01text"),
         RuleViolation::text_invalid},
        {"text with invalid UTF-8", Level::dissatisfied, {}, std::string("\xff\xfe"), RuleViolation::text_invalid},
    };
    for (const auto& row : rows) {
        CAPTURE(row.why);
        World w;
        w.add(window_case("C1", CaseKind::immediate, true));
        auto d = draft({"C1"}, row.level);
        d.option_codes = row.options;
        d.text = row.text;
        auto r = w.check(d);
        CHECK(r.violation == row.expected);
    }
}

TEST_CASE("Rules: one rating per case, stage and target (policy/000 第十八条, 001 二(四)1)") {
    World w;
    w.add(window_case("C1", CaseKind::immediate, true));
    auto first = w.check(draft({"C1"}, Level::satisfied));
    REQUIRE(first);
    CHECK(first.slots.size() == 2);  // item and staff
    auto again = w.check(draft({"C1"}, Level::very_dissatisfied));
    CHECK(again.violation == RuleViolation::already_rated);
    CHECK(std::string(message_zh(RuleViolation::already_rated)).find("已经评价") != std::string::npos);
    // Rating only the item again is the same slot.
    auto item_only = w.check(draft({"C1"}, Level::satisfied, Stage::completed, RatingTarget::item, Channel::qr_code));
    CHECK(item_only.violation == RuleViolation::already_rated);
}

TEST_CASE("Rules: 即办件 and 承诺件 stages (policy/000 第十八条, 001 二(四)1)") {
    struct Row {
        const char* why;
        CaseKind kind;
        bool completed;
        Stage stage;
        RatingTarget target;
        std::optional<RuleViolation> expected;
    };
    const Row rows[] = {
        {"即办件 rated once after completion", CaseKind::immediate, true, Stage::completed, RatingTarget::both,
         std::nullopt},
        {"即办件 not rated at acceptance", CaseKind::immediate, false, Stage::accepted, RatingTarget::staff,
         RuleViolation::immediate_rated_at_acceptance},
        {"即办件 not rated before completion", CaseKind::immediate, false, Stage::completed, RatingTarget::both,
         RuleViolation::stage_not_open},
        {"承诺件: staff rated at acceptance", CaseKind::promised, false, Stage::accepted, RatingTarget::staff,
         std::nullopt},
        {"承诺件: the item is not rated at acceptance", CaseKind::promised, false, Stage::accepted, RatingTarget::item,
         RuleViolation::staff_only_at_acceptance},
        {"承诺件: item and staff at completion", CaseKind::promised, true, Stage::completed, RatingTarget::both,
         std::nullopt},
        {"承诺件: not rated as completed before completion", CaseKind::promised, false, Stage::completed,
         RatingTarget::both, RuleViolation::stage_not_open},
    };
    for (const auto& row : rows) {
        CAPTURE(row.why);
        World w;
        w.add(window_case("C1", row.kind, row.completed));
        auto r = w.check(draft({"C1"}, Level::satisfied, row.stage, row.target));
        CHECK(r.violation == row.expected);
    }
}

TEST_CASE("Rules: a 承诺件 may be rated at acceptance and again at completion (policy/000 第十八条)") {
    World w;
    w.add(window_case("C1", CaseKind::promised, false));
    REQUIRE(w.check(draft({"C1"}, Level::satisfied, Stage::accepted, RatingTarget::staff)));
    CHECK(w.check(draft({"C1"}, Level::satisfied, Stage::accepted, RatingTarget::staff)).violation ==
          RuleViolation::already_rated);
    auto c = w.cases["C1"];
    c.stage = Stage::completed;
    c.completed_at = at(2026, 10, 15, 10);
    w.add(c);
    CHECK(w.check(draft({"C1"}, Level::very_satisfied, Stage::completed, RatingTarget::both, Channel::qr_code)));
}

TEST_CASE("Rules: self-service terminals rate the item only (policy/000 第三章 评价指标, 第十六条)") {
    World w;
    auto c = window_case("S1", CaseKind::immediate, true);
    c.window = 0;
    c.staff = {};
    w.add(c);
    CHECK(w.check(draft({"S1"}, Level::satisfied, Stage::completed, RatingTarget::both, Channel::self_service))
              .violation == RuleViolation::self_service_item_only);
    CHECK(w.check(draft({"S1"}, Level::satisfied, Stage::completed, RatingTarget::staff, Channel::self_service))
              .violation == RuleViolation::self_service_item_only);
    // A case handled without a window has no staff to rate, whatever the channel.
    CHECK(w.check(draft({"S1"}, Level::satisfied, Stage::completed, RatingTarget::both, Channel::qr_code)).violation ==
          RuleViolation::no_staff_to_rate);
    CHECK(w.check(draft({"S1"}, Level::satisfied, Stage::completed, RatingTarget::item, Channel::self_service)));
}

TEST_CASE("Rules: the target a terminal offers follows case kind, stage and channel (policy/000 第三章)") {
    auto immediate = window_case("C1", CaseKind::immediate, true);
    auto promised_open = window_case("C2", CaseKind::promised, false);
    auto self = window_case("C3", CaseKind::immediate, true);
    self.window = 0;
    self.staff = {};
    CHECK(allowed_target(immediate, Stage::completed, Channel::window_rater) == RatingTarget::both);
    CHECK(allowed_target(immediate, Stage::accepted, Channel::window_rater) == std::nullopt);
    CHECK(allowed_target(immediate, Stage::completed, Channel::self_service) == RatingTarget::item);
    CHECK(allowed_target(promised_open, Stage::accepted, Channel::window_rater) == RatingTarget::staff);
    CHECK(allowed_target(promised_open, Stage::completed, Channel::window_rater) == std::nullopt);
    CHECK(allowed_target(self, Stage::completed, Channel::qr_code) == RatingTarget::item);
}

TEST_CASE("Rules: one rating of a 批量业务 applies to every case of the batch (policy/001 二(四)2, 002 第十四条)") {
    World w;
    for (auto no : {"B1", "B2", "B3"}) {
        auto c = window_case(no, CaseKind::immediate, true);
        c.batch_id = "BATCH-7";
        w.add(c);
    }
    w.add(window_case("X1", CaseKind::immediate, true));
    auto r = w.check(draft({"B2"}, Level::satisfied));
    REQUIRE(r);
    CHECK(r.case_nos == std::vector<std::string>{"B1", "B2", "B3"});
    CHECK(r.slots.size() == 6);
    // Any other case of the batch is now rated too.
    CHECK(w.check(draft({"B3"}, Level::satisfied)).violation == RuleViolation::already_rated);
    // A batch and an unrelated case cannot be rated together.
    World w2 = w;
    w2.taken.clear();
    CHECK(w2.check(draft({"B1", "X1"}, Level::satisfied)).violation == RuleViolation::mixed_cases);
}

TEST_CASE("Rules: 主题式 cases take one overall rating or one rating each (policy/001 二(四)3, 002 第十四条)") {
    auto theme_world = [] {
        World w;
        for (auto no : {"T1", "T2", "T3"}) {
            auto c = window_case(no, CaseKind::immediate, true);
            c.theme_id = "一件事-开办餐饮店";
            w.add(c);
        }
        w.add(window_case("X1", CaseKind::immediate, true));
        return w;
    };
    SECTION("overall rating covers all linked items") {
        World w = theme_world();
        auto r = w.check(draft({"T1", "T2", "T3"}, Level::very_satisfied));
        REQUIRE(r);
        CHECK(r.case_nos.size() == 3);
        CHECK(w.check(draft({"T2"}, Level::satisfied)).violation == RuleViolation::already_rated);
    }
    SECTION("each item rated alone") {
        World w = theme_world();
        CHECK(w.check(draft({"T1"}, Level::very_satisfied)));
        CHECK(w.check(draft({"T2"}, Level::dissatisfied, Stage::completed, RatingTarget::both)).violation ==
              RuleViolation::bad_rating_needs_reason);
        auto d = draft({"T2"}, Level::dissatisfied);
        d.option_codes = {"305"};
        CHECK(w.check(d));
    }
    SECTION("cases outside the theme are refused") {
        World w = theme_world();
        CHECK(w.check(draft({"T1", "X1"}, Level::satisfied)).violation == RuleViolation::mixed_cases);
    }
}

TEST_CASE("Rules: unknown or missing cases are refused with a plain message") {
    World w;
    CHECK(w.check(draft({}, Level::satisfied)).violation == RuleViolation::no_case);
    CHECK(w.check(draft({"NOPE"}, Level::satisfied)).violation == RuleViolation::unknown_case);
    for (int v = 0; v <= static_cast<int>(RuleViolation::no_staff_to_rate); ++v) {
        auto violation = static_cast<RuleViolation>(v);
        CAPTURE(to_string(violation));
        CHECK_FALSE(message_zh(violation).empty());
        CHECK(to_string(violation) != "unknown");
    }
}

TEST_CASE("Rules: Tai'an unrated deadlines — reminder after 1 working day, 满意 after 4 more (policy/001 二(四)4)") {
    auto p = UnratedPolicy::taian();
    CHECK(p.default_level == Level::satisfied);
    struct Row {
        const char* why;
        TimePoint completed;
        TimePoint reminder;
        TimePoint deflt;
    };
    const Row rows[] = {
        // Wednesday → Thursday reminder → 4 working days later is the next Wednesday.
        {"ordinary week", at(2026, 11, 4, 10), at(2026, 11, 5, 10), at(2026, 11, 11, 10)},
        // 2026-09-30 (Wed) before 国庆: reminder 10-08 (Thu), then 10-09, 10-10 (Sat 调休 worked), 10-12, 10-13.
        {"across 国庆 2026", at(2026, 9, 30, 15), at(2026, 10, 8, 15), at(2026, 10, 13, 15)},
        // 2026-02-13 (Fri) before 春节: 02-14 (Sat) is a 调休 working day.
        {"across 春节 2026", at(2026, 2, 13, 11), at(2026, 2, 14, 11), at(2026, 2, 27, 11)},
    };
    for (const auto& row : rows) {
        CAPTURE(row.why);
        auto d = unrated_deadlines(row.completed, calendar(), p);
        CHECK(format_iso8601(d.reminder_due) == format_iso8601(row.reminder));
        REQUIRE(d.default_due);
        CHECK(format_iso8601(*d.default_due) == format_iso8601(row.deflt));
    }
}

TEST_CASE("Rules: Gansu unrated deadlines — reminder after 24 h, 基本满意 after 5 working days (policy/002 第十四条)") {
    auto p = UnratedPolicy::gansu();
    CHECK(p.default_level == Level::basically_satisfied);
    // Completed Wednesday 2026-09-30 15:00: reminder 24 h later on the holiday itself;
    // 5 working days from completion: 10-08, 10-09, 10-10 (Sat 调休), 10-12, 10-13.
    auto d = unrated_deadlines(at(2026, 9, 30, 15), calendar(), p);
    CHECK(format_iso8601(d.reminder_due) == "2026-10-01T15:00:00+08:00");
    REQUIRE(d.default_due);
    CHECK(format_iso8601(*d.default_due) == "2026-10-13T15:00:00+08:00");
}

TEST_CASE("Rules: every region's preset, one row each — reminder, default, and the line hcpctl check prints") {
    struct Row {
        const char* preset;
        const char* source;
        const char* reminder;              // completed Wednesday 2026-09-30 15:00, before 国庆
        std::optional<const char*> deflt;  // nullopt: no default rating
        const char* explained;
    };
    const Row rows[] = {
        {"xilinguole", "000 第十九条", "2026-09-30T16:00:00+08:00", std::nullopt,
         "提醒：办结后 1 小时；默认：不作默认评价"},
        {"taian", "001 二(四)4", "2026-10-08T15:00:00+08:00", "2026-10-13T15:00:00+08:00",
         "提醒：办结后 1 个工作日；默认：提醒发出后 4 个工作日 满意（提醒未能发出则不作默认评价）"},
        {"gansu", "002 第十四条", "2026-10-01T15:00:00+08:00", "2026-10-13T15:00:00+08:00",
         "提醒：办结后 24 小时；默认：办结后 5 个工作日 基本满意"},
        {"county", "003 二", "2026-09-30T15:00:00+08:00", "2026-10-13T15:00:00+08:00",
         "提醒：办结时；默认：办结后 5 个工作日 基本满意"},
    };
    for (const auto& row : rows) {
        CAPTURE(row.preset, row.source);
        auto p = UnratedPolicy::named(row.preset);
        REQUIRE(p);
        CHECK(p->preset == row.preset);
        CHECK(explain_zh(*p) == row.explained);
        auto d = unrated_deadlines(at(2026, 9, 30, 15), calendar(), *p);
        CHECK(format_iso8601(d.reminder_due) == row.reminder);
        if (row.deflt) {
            REQUIRE(d.default_due);
            CHECK(format_iso8601(*d.default_due) == *row.deflt);
        } else {
            CHECK_FALSE(d.default_due);
            CHECK_FALSE(p->default_level);
        }
    }
    CHECK_FALSE(UnratedPolicy::named("beijing"));
}

TEST_CASE("Rules: counted from the reminder, the default waits for the reminder really sent") {
    const auto p = UnratedPolicy::taian();
    const auto completed = at(2026, 11, 4, 10);  // Wednesday
    // Sent late, on Monday 11-09 09:00: 4 working days from then.
    auto sent = unrated_deadlines(completed, calendar(), p, ReminderFact{at(2026, 11, 9, 9), false});
    REQUIRE(sent.default_due);
    CHECK(format_iso8601(*sent.default_due) == "2026-11-13T09:00:00+08:00");
    // Not sent yet, or never (wait): no default.
    CHECK_FALSE(unrated_deadlines(completed, calendar(), p, ReminderFact{}).default_due);
    CHECK_FALSE(unrated_deadlines(completed, calendar(), p, ReminderFact{std::nullopt, true}).default_due);
    // count_from_due: from when it was due (Thursday 11-05 10:00).
    auto q = p;
    q.if_not_sent = UnratedPolicy::IfReminderNotSent::count_from_due;
    auto given_up = unrated_deadlines(completed, calendar(), q, ReminderFact{std::nullopt, true});
    REQUIRE(given_up.default_due);
    CHECK(format_iso8601(*given_up.default_due) == "2026-11-11T10:00:00+08:00");
}
