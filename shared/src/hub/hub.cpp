// The hub's core services. One mutex guards the store, the forward writer and the open
// requests; events are published while holding it so their order matches the store's.
#include "hcp/hub/hub.hpp"

#include <sys/statvfs.h>

#include <algorithm>
#include <set>

#include "hcp/base/utf8.hpp"
#include "hcp/domain/calendar_sources.hpp"
#include "hcp/sql/sqlite.hpp"

namespace hcp {

std::string_view to_string(HubErrc e) noexcept {
    switch (e) {
        case HubErrc::invalid_field: return "invalid_field";
        case HubErrc::unknown_window: return "unknown_window";
        case HubErrc::unknown_case: return "unknown_case";
        case HubErrc::wrong_window: return "wrong_window";
        case HubErrc::conflict: return "conflict";
        case HubErrc::already_rated: return "already_rated";
        case HubErrc::forbidden: return "forbidden";
        case HubErrc::out_of_order: return "out_of_order";
        case HubErrc::rule_violation: return "rule_violation";
        case HubErrc::disk_nearly_full: return "disk_nearly_full";
        case HubErrc::storage_error: return "storage_error";
    }
    return "unknown";
}

HubSetup HubSetup::from_config(const Config& config) {
    HubSetup s;
    s.hall = config.hall;
    s.catalog = OptionCatalog::load_file(config.rating.catalog);
    s.calendar = load_hall_calendar(config.calendar).calendar;
    s.windows = config.windows;
    s.staff = config.staff;
    s.items = config.items;
    s.store.path = config.store.database;
    s.store.device_id = config.device.id;
    s.store.min_free_bytes = config.store.min_free_mb * 1024 * 1024;
    s.store.outbox_target = "platform";
    s.unrated = config.rating.unrated;
    s.reminder_channel = config.reminder.channel;
    return s;
}

namespace {

HubFailure invalid(const std::string& field, const std::string& what) {
    HubFailure f;
    f.cause = HubErrc::invalid_field;
    f.field = field;
    f.message = field + ": " + what;
    f.message_zh = "办件信息不完整或格式不正确（" + field + "），请业务系统检查后重新提交。";
    return f;
}

// Case numbers end up in URLs (/api/v1/cases/{case_no}) and file names of exports: printable
// ASCII without space, slash, '?', '#', '%'.
bool valid_case_no(std::string_view s) {
    if (s.empty() || s.size() > kMaxCaseNoBytes) return false;
    return std::all_of(s.begin(), s.end(), [](char ch) {
        auto c = static_cast<unsigned char>(ch);
        return c > 0x20 && c < 0x7f && c != '/' && c != '?' && c != '#' && c != '%' && c != '\\';
    });
}

std::optional<HubFailure> check_text(const std::string& field, const std::string& value, bool required, size_t max) {
    if (value.empty()) {
        if (required) return invalid(field, "is required");
        return std::nullopt;
    }
    if (value.size() > max) return invalid(field, "is longer than " + std::to_string(max) + " bytes");
    if (!utf8::is_clean(value)) return invalid(field, "is not valid UTF-8 text (or has control characters)");
    return std::nullopt;
}

std::optional<HubFailure> validate(const CaseReport& r) {
    if (r.case_no.empty()) return invalid("case_no", "is required");
    if (!valid_case_no(r.case_no))
        return invalid("case_no", "must be 1-64 printable ASCII characters without space, / ? # % or \\");
    if (auto f = check_text("item_code", r.item_code, true, kMaxCodeBytes)) return f;
    if (auto f = check_text("item_name", r.item_name, true, kMaxNameBytes)) return f;
    if (auto f = check_text("department", r.department, false, kMaxNameBytes)) return f;
    if (r.window < 0 || r.window > 999) return invalid("window", "must be 0 (self-service) or 1..999");
    const bool at_window = r.window != 0;
    if (auto f = check_text("staff_no", r.staff_no, at_window, kMaxCodeBytes)) return f;
    if (auto f = check_text("staff_name", r.staff_name, at_window, kMaxNameBytes)) return f;
    if (auto f = check_text("applicant.name", r.applicant.name.reveal(), false, kMaxApplicantFieldBytes)) return f;
    if (auto f = check_text("applicant.phone", r.applicant.phone.reveal(), false, kMaxApplicantFieldBytes)) return f;
    if (auto f = check_text("applicant.id_no", r.applicant.id_number.reveal(), false, kMaxApplicantFieldBytes))
        return f;
    if (r.batch.size() > kMaxBatchCases)
        return invalid("batch", "has more than " + std::to_string(kMaxBatchCases) + " cases");
    std::set<std::string> seen{r.case_no};
    for (const auto& no : r.batch) {
        if (!valid_case_no(no)) return invalid("batch", "holds an invalid case number");
        if (!seen.insert(no).second) return invalid("batch", "names a case twice: " + no);
    }
    if (r.theme_items.size() > kMaxThemeItems)
        return invalid("theme", "has more than " + std::to_string(kMaxThemeItems) + " items");
    if (!r.theme_items.empty() && !r.theme_id) return invalid("theme.id", "is required with theme items");
    if (r.theme_id) {
        if (!valid_case_no(*r.theme_id)) return invalid("theme.id", "must be 1-64 printable ASCII characters");
        if (!r.batch.empty()) return invalid("theme", "a case cannot be both a batch and a theme");
    }
    for (const auto& t : r.theme_items) {
        if (!valid_case_no(t.case_no)) return invalid("theme.items.case_no", "is missing or invalid");
        if (!seen.insert(t.case_no).second) return invalid("theme.items", "names a case twice: " + t.case_no);
        if (auto f = check_text("theme.items.item_code", t.item_code, true, kMaxCodeBytes)) return f;
        if (auto f = check_text("theme.items.item_name", t.item_name, true, kMaxNameBytes)) return f;
    }
    if (r.kind == CaseKind::immediate && r.stage == Stage::accepted) {
        // 即办件 are accepted and completed at once; an acceptance report is stored but opens nothing.
    }
    return std::nullopt;
}

std::vector<RatingSlot> slots_of(const std::string& case_no, Stage stage, RatingTarget target) {
    std::vector<RatingSlot> out;
    if (covers_item(target)) out.push_back({case_no, stage, RatingTarget::item});
    if (covers_staff(target)) out.push_back({case_no, stage, RatingTarget::staff});
    return out;
}

}  // namespace

std::optional<RatingRequest> make_rating_request(const std::vector<Case>& cases, Stage stage, bool theme) {
    if (cases.empty()) return std::nullopt;
    const Case& first = cases.front();
    const Channel channel = first.window == 0 ? Channel::self_service : Channel::window_rater;
    auto target = allowed_target(first, stage, channel);
    if (!target) return std::nullopt;
    RatingRequest req;
    req.cases = cases;
    // Terminals never need applicant data: strip it so it cannot reach a screen or a log.
    for (auto& c : req.cases) c.applicant = Applicant{};
    req.stage = stage;
    req.target = *target;
    req.channel = channel;
    req.window = first.window;
    req.theme = theme;
    return req;
}

Hub::Hub(HubSetup setup, const SecretKey& key)
    : m_setup(std::move(setup)),
      m_store(Store::open(m_setup.store, key)),
      m_reminders(ReminderBook::open(m_setup.store.path)),
      m_forward(std::make_unique<ForwardStore>(m_setup.store.path)),
      m_bus(m_setup.event_buffer) {}

Hub::~Hub() {
    m_bus.close();
}

bool Hub::window_known(int window) const {
    if (window == 0) return true;
    return std::any_of(m_setup.windows.begin(), m_setup.windows.end(),
                       [&](const Window& w) { return w.number == window; });
}

Result<CaseReply, HubFailure> Hub::report_case(const CaseReport& report) {
    if (auto f = validate(report)) return *f;
    if (!window_known(report.window)) {
        HubFailure f;
        f.cause = HubErrc::unknown_window;
        f.field = "window";
        f.message = "window " + std::to_string(report.window) + " is not configured in this hall";
        f.message_zh = "窗口号不存在，请检查业务系统中的窗口设置。";
        return f;
    }
    const TimePoint at = report.at.value_or(now());
    std::lock_guard lock(m_mutex);
    if (auto full = disk_reserve_failure()) return *full;
    try {
        auto existing = m_store.find_case(report.case_no);
        if (existing && existing->stage == Stage::completed && report.stage == Stage::accepted) {
            HubFailure f;
            f.cause = HubErrc::conflict;
            f.field = "stage";
            f.message = "case " + report.case_no + " is already completed; it cannot go back to accepted";
            f.message_zh = "该办件已办结，不能再次受理。";
            return f;
        }
        Case c = existing.value_or(Case{});
        c.case_no = report.case_no;
        c.item = ServiceItem{report.item_code, report.item_name, report.department};
        c.kind = report.kind;
        c.stage = report.stage;
        c.window = report.window;
        c.staff = Staff{report.staff_no, report.staff_name};
        if (!report.applicant.name.empty() || !report.applicant.phone.empty() || !report.applicant.id_number.empty())
            c.applicant = report.applicant;
        // A report repeated (a business system resending, the case reported again after it was
        // rated) keeps the first time of each stage: a moved completed_at would put the
        // completion after its rating and restart the unrated-case deadlines.
        if (!existing) c.accepted_at = at;
        if (report.stage == Stage::completed && !c.completed_at) c.completed_at = at;
        if (!report.batch.empty()) c.batch_id = c.batch_id.value_or(report.case_no);
        if (report.theme_id) c.theme_id = report.theme_id;

        std::vector<Case> cases{c};
        for (const auto& no : report.batch) {
            Case m = c;
            m.case_no = no;
            if (auto old = m_store.find_case(no)) m.accepted_at = old->accepted_at;
            cases.push_back(std::move(m));
        }
        for (const auto& t : report.theme_items) {
            Case m = c;
            m.case_no = t.case_no;
            m.item = ServiceItem{t.item_code, t.item_name, report.department};
            if (auto old = m_store.find_case(t.case_no)) m.accepted_at = old->accepted_at;
            cases.push_back(std::move(m));
        }
        // Theme members reported earlier (each item's own report) belong to the request too.
        for (const auto& saved : cases) m_store.save_case(saved);

        CaseReply reply;
        reply.c = c;
        for (const auto& saved : cases) reply.case_nos.push_back(saved.case_no);

        auto req = make_rating_request(cases, report.stage, report.theme_id.has_value() && cases.size() > 1);
        bool all_taken = false;
        if (req) {
            all_taken = true;
            for (const auto& s : slots_of(c.case_no, req->stage, req->target))
                if (!m_store.slot_taken(s)) all_taken = false;
        }
        if (req && !all_taken) {
            // One request at a time per terminal: a new case replaces what was open there.
            auto& open = m_open[c.window];
            for (const auto& old : open) {
                // The same case reported again replaces its own request without a cancellation.
                if (old.cases.front().case_no == c.case_no) continue;
                HubEvent cancel;
                cancel.type = HubEventType::rating_cancelled;
                cancel.window = c.window;
                cancel.stage = old.stage;
                for (const auto& oc : old.cases) cancel.case_nos.push_back(oc.case_no);
                m_bus.publish(std::move(cancel));
            }
            open.clear();
            HubEvent ev;
            ev.type = HubEventType::rating_requested;
            ev.window = c.window;
            ev.stage = req->stage;
            ev.case_nos = reply.case_nos;
            ev.request = *req;
            // The id is known only after publish; the stored copy carries it for terminals.
            long long next = m_bus.last_id() + 1;
            ev.request->opened_event_id = std::to_string(next);
            req->opened_event_id = ev.request->opened_event_id;
            reply.event_id = m_bus.publish(std::move(ev));
            open.push_back(*req);
            reply.rating_opened = true;
            reply.opened_window = c.window;
            reply.target = req->target;
        } else {
            HubEvent ev;
            ev.type = HubEventType::case_updated;
            ev.window = c.window;
            ev.stage = report.stage;
            ev.case_nos = reply.case_nos;
            m_bus.publish(std::move(ev));
        }
        return reply;
    } catch (const sql::SqliteError& e) {
        HubFailure f;
        f.cause = e.disk_full() ? HubErrc::disk_nearly_full : HubErrc::storage_error;
        f.message = std::string("store: ") + e.what();
        f.message_zh = e.disk_full()
                           ? RecordFailure{RecordFailureCause::disk_nearly_full, std::nullopt, {}}.message_zh()
                           : "办件未能保存，请稍后重试。";
        return f;
    } catch (const Error& e) {
        HubFailure f;
        f.cause = HubErrc::storage_error;
        f.message = std::string("store: ") + e.what();
        f.message_zh = "办件未能保存，请稍后重试。";
        return f;
    }
}

HubFailure Hub::from_record_failure(const RecordFailure& rf) const {
    HubFailure f;
    f.violation = rf.violation;
    f.message = rf.detail;
    f.message_zh = rf.message_zh();
    switch (rf.cause) {
        case RecordFailureCause::rule_violation:
            f.cause = HubErrc::rule_violation;
            if (rf.violation == RuleViolation::already_rated) f.cause = HubErrc::already_rated;
            if (rf.violation == RuleViolation::unknown_case || rf.violation == RuleViolation::no_case)
                f.cause = HubErrc::unknown_case;
            if (rf.violation)
                f.message = std::string(to_string(*rf.violation)) + (rf.detail.empty() ? "" : ": " + rf.detail);
            break;
        case RecordFailureCause::disk_nearly_full: f.cause = HubErrc::disk_nearly_full; break;
        case RecordFailureCause::storage_error: f.cause = HubErrc::storage_error; break;
    }
    return f;
}

std::optional<HubFailure> Hub::disk_reserve_failure() const {
    // The same test the store makes before a rating (statvfs of the database's folder), made
    // before anything of a request is written: a case report touches several rows in several
    // statements, and a full disk must refuse it whole rather than meet SQLITE_FULL halfway.
    const auto& path = m_setup.store.path;
    const auto dir = path.parent_path().empty() ? std::filesystem::path(".") : path.parent_path();
    struct statvfs st {};
    if (::statvfs(dir.c_str(), &st) != 0) return std::nullopt;  // unknown: let SQLite decide
    const long long free = static_cast<long long>(st.f_bavail) * static_cast<long long>(st.f_frsize);
    if (free >= m_setup.store.min_free_bytes) return std::nullopt;
    HubFailure f;
    f.cause = HubErrc::disk_nearly_full;
    f.message = "disk nearly full: " + std::to_string(free) + " bytes free, reserve " +
                std::to_string(m_setup.store.min_free_bytes) + "; nothing stored";
    f.message_zh = RecordFailure{RecordFailureCause::disk_nearly_full, std::nullopt, {}}.message_zh();
    return f;
}

void Hub::close_cases(int window, const std::vector<std::string>& case_nos) {
    auto it = m_open.find(window);
    if (it == m_open.end()) return;
    auto& open = it->second;
    for (auto& req : open) {
        std::erase_if(req.cases, [&](const Case& c) {
            return std::find(case_nos.begin(), case_nos.end(), c.case_no) != case_nos.end();
        });
    }
    std::erase_if(open, [](const RatingRequest& r) { return r.cases.empty(); });
}

Result<Rating, HubFailure> Hub::submit_rating(const RatingDraft& draft, const Submitter& who) {
    std::lock_guard lock(m_mutex);
    try {
        if (draft.case_nos.empty()) {
            HubFailure f;
            f.cause = HubErrc::invalid_field;
            f.field = "case_nos";
            f.violation = RuleViolation::no_case;
            f.message = "a rating names at least one case";
            f.message_zh = std::string(message_zh(RuleViolation::no_case));
            return f;
        }
        if (auto full = disk_reserve_failure()) return *full;
        if (who.window) {
            // DESIGN §5.7: a terminal accepts a rating only while the case is open on it.
            const auto& open = m_open[*who.window];
            for (const auto& no : draft.case_nos) {
                bool is_open = std::any_of(open.begin(), open.end(), [&](const RatingRequest& r) {
                    return std::any_of(r.cases.begin(), r.cases.end(), [&](const Case& c) { return c.case_no == no; });
                });
                if (is_open) continue;
                auto c = m_store.find_case(no);
                if (!c) {
                    HubFailure f;
                    f.cause = HubErrc::unknown_case;
                    f.violation = RuleViolation::unknown_case;
                    f.message = "unknown case " + no;
                    f.message_zh = std::string(message_zh(RuleViolation::unknown_case));
                    return f;
                }
                // Rated already? Say that first (docs/rules.md: order of checks).
                for (const auto& s : slots_of(no, draft.stage, draft.target)) {
                    if (m_store.slot_taken(s)) {
                        HubFailure f;
                        f.cause = HubErrc::already_rated;
                        f.violation = RuleViolation::already_rated;
                        f.message = "case " + no + " is already rated at this stage";
                        f.message_zh = std::string(message_zh(RuleViolation::already_rated));
                        return f;
                    }
                }
                HubFailure f;
                f.cause = HubErrc::wrong_window;
                f.message = "case " + no + " is not open for rating on window " + std::to_string(*who.window);
                f.message_zh = "这笔办件当前没有在本窗口开放评价，请向窗口工作人员确认。";
                return f;
            }
        }
        auto rec = m_store.record_rating(draft, RatingContext{m_setup.hall, m_setup.catalog});
        if (!rec) return from_record_failure(rec.error());
        const Rating& r = rec.value();
        // Rated elsewhere (the receipt QR, another device, the business system) while open on
        // its window's terminal: that screen is withdrawn rather than left waiting for a tap.
        bool open_there = false;
        if (!who.window || *who.window != r.window)
            if (auto it = m_open.find(r.window); it != m_open.end())
                for (const auto& open_req : it->second)
                    for (const auto& open_case : open_req.cases)
                        open_there = open_there || std::find(r.case_nos.begin(), r.case_nos.end(), open_case.case_no) !=
                                                       r.case_nos.end();
        close_cases(r.window, r.case_nos);
        if (who.window && *who.window != r.window) close_cases(*who.window, r.case_nos);
        if (open_there) {
            HubEvent cancel;
            cancel.type = HubEventType::rating_cancelled;
            cancel.window = r.window;
            cancel.stage = r.stage;
            cancel.case_nos = r.case_nos;
            m_bus.publish(std::move(cancel));
        }
        HubEvent ev;
        ev.type = HubEventType::rating_stored;
        ev.window = r.window;
        ev.stage = r.stage;
        ev.case_nos = r.case_nos;
        ev.rating_id = r.id;
        m_bus.publish(std::move(ev));
        return rec.value();
    } catch (const Error& e) {
        HubFailure f;
        f.cause = HubErrc::storage_error;
        f.message = std::string("store: ") + e.what();
        f.message_zh = "评价未能保存，请稍后重试或联系大厅工作人员。";
        return f;
    }
}

bool Hub::record_not_rated(const std::string& case_no, int window) {
    std::lock_guard lock(m_mutex);
    auto it = m_open.find(window);
    if (it == m_open.end()) return false;
    auto& open = it->second;
    auto req = std::find_if(open.begin(), open.end(), [&](const RatingRequest& r) {
        return std::any_of(r.cases.begin(), r.cases.end(), [&](const Case& c) { return c.case_no == case_no; });
    });
    if (req == open.end()) return false;
    HubEvent ev;
    ev.type = HubEventType::not_rated;
    ev.window = window;
    ev.stage = req->stage;
    for (const auto& c : req->cases) ev.case_nos.push_back(c.case_no);
    open.erase(req);
    m_bus.publish(std::move(ev));
    return true;
}

std::optional<HubFailure> Hub::forwarded_content_failure(const Rating& r, const ForwardSender& sender) const {
    auto refuse = [](HubErrc cause, std::string en, std::string zh) {
        HubFailure f;
        f.cause = cause;
        f.field = cause == HubErrc::invalid_field ? "rating" : "";
        f.message = std::move(en);
        f.message_zh = std::move(zh);
        return f;
    };
    const std::string forged_zh = "转发的评价与本大厅的办件记录不一致，已拒收。";
    if (r.device_id != sender.device_id)
        return refuse(HubErrc::forbidden, "device " + sender.device_id + " may forward only its own ratings",
                      "只能转发本机记录的评价。");
    if (r.device_id == m_store.device_id())
        return refuse(HubErrc::forbidden, "the hub's own device id cannot be forwarded", "只能转发本机记录的评价。");
    // The wire format allows any integer: bound everything the store and the chain compute with.
    constexpr long long kMaxSeq = 1LL << 53;
    if (r.seq < 1 || r.seq > kMaxSeq)
        return refuse(HubErrc::invalid_field, "seq out of range", "评价数据不完整或已被改动，无法接收。");
    if (!level_from_int(to_int(r.level)))
        return refuse(HubErrc::invalid_field, "level out of range", "评价数据不完整或已被改动，无法接收。");
    const auto tapped_ms = r.tapped_at.time_since_epoch().count();
    constexpr long long kYear2000Ms = 946684800000LL;
    const auto latest =
        std::chrono::duration_cast<std::chrono::milliseconds>((now() + std::chrono::hours(24)).time_since_epoch())
            .count();
    if (tapped_ms < kYear2000Ms || tapped_ms > latest)
        return refuse(HubErrc::invalid_field, "tapped_at out of range (before 2000 or more than a day ahead)",
                      "评价时间不正确，无法接收。");
    if (r.is_default || (r.channel != Channel::window_rater && r.channel != Channel::self_service))
        return refuse(HubErrc::forbidden, "a terminal forwards only ratings tapped on it (no default, QR or web)",
                      forged_zh);
    if (sender.window == 0 && r.channel != Channel::self_service)
        return refuse(HubErrc::forbidden, "a self-service device forwards only self-service ratings", forged_zh);
    if (r.hall_code != m_setup.hall.code || r.area_code != m_setup.hall.area_code)
        return refuse(HubErrc::invalid_field, "hall_code or area_code is not this hall's", forged_zh);
    // What the hub itself would record for this draft (Store::record_rating); the rules see the
    // slots as free here, the store decides already_rated inside its transaction.
    RatingDraft draft;
    draft.case_nos = r.case_nos;
    draft.stage = r.stage;
    draft.target = r.target;
    draft.level = r.level;
    draft.option_codes = r.option_codes;
    draft.text = r.text;
    draft.channel = r.channel;
    draft.tapped_at = r.tapped_at;
    draft.is_public = r.is_public;
    RuleContext rules{m_setup.catalog, [&](const std::string& no) { return m_store.find_case(no); },
                      [&](const std::string& batch) { return m_store.batch_members(batch); },
                      [](const RatingSlot&) { return false; }};
    RuleCheck check = check_rating(draft, rules);
    if (!check) {
        HubFailure f;
        f.cause = check.violation == RuleViolation::unknown_case ? HubErrc::unknown_case : HubErrc::rule_violation;
        f.violation = check.violation;
        f.message = "forwarded rating breaks a rule: " + check.detail;
        f.message_zh = std::string(message_zh(*check.violation));
        return f;
    }
    if (check.case_nos != r.case_nos)
        return refuse(HubErrc::invalid_field, "case_nos differ from the cases the rating covers", forged_zh);
    const auto first = m_store.find_case(check.case_nos.front());
    if (!first) return refuse(HubErrc::unknown_case, "unknown case", forged_zh);
    if (sender.window != 0 && first->window != sender.window)
        return refuse(HubErrc::wrong_window,
                      "case of window " + std::to_string(first->window) + " forwarded by a device of window " +
                          std::to_string(sender.window),
                      "这笔办件不属于本窗口，无法接收评价。");
    std::vector<std::string> labels;
    std::vector<std::string> codes;
    for (const auto& code : r.option_codes) {
        if (std::find(codes.begin(), codes.end(), code) != codes.end()) continue;
        codes.push_back(code);
        labels.push_back(m_setup.catalog.find(code)->label);
    }
    const bool staff = covers_staff(r.target);
    const bool same = r.window == first->window && r.item_code == first->item.code && r.item_name == first->item.name &&
                      r.kind == first->kind && r.staff_number == (staff ? first->staff.number : std::string()) &&
                      r.staff_name == (staff ? first->staff.name : std::string()) &&
                      r.catalog_id == m_setup.catalog.id() && r.catalog_version == m_setup.catalog.version() &&
                      r.option_codes == codes && r.option_labels == labels;
    if (!same)
        return refuse(HubErrc::invalid_field,
                      "window, item, kind, staff, catalog or option labels differ from the hub's record of the case",
                      forged_zh);
    return std::nullopt;
}

Result<ForwardOutcome, HubFailure> Hub::accept_forwarded(const Rating& rating, const ForwardSender& sender) {
    std::lock_guard lock(m_mutex);
    if (auto bad = forwarded_content_failure(rating, sender)) return *bad;
    if (auto full = disk_reserve_failure()) return *full;
    auto res = m_forward->insert_forwarded(rating, "platform");
    if (!res) {
        HubFailure f;
        f.message = res.error().detail;
        switch (res.error().cause) {
            case ForwardFailureCause::invalid:
                f.cause = HubErrc::invalid_field;
                f.field = "rating";
                f.message_zh = "评价数据不完整或已被改动，无法接收。";
                break;
            case ForwardFailureCause::unknown_case:
                f.cause = HubErrc::unknown_case;
                f.violation = RuleViolation::unknown_case;
                f.message_zh = std::string(message_zh(RuleViolation::unknown_case));
                break;
            case ForwardFailureCause::out_of_order:
                f.cause = HubErrc::out_of_order;
                f.message_zh = "评价需按记录顺序转发，请稍后重试。";
                break;
            case ForwardFailureCause::already_rated:
                f.cause = HubErrc::already_rated;
                f.violation = RuleViolation::already_rated;
                f.message_zh = std::string(message_zh(RuleViolation::already_rated));
                break;
            case ForwardFailureCause::storage_error:
                f.cause = HubErrc::storage_error;
                f.message_zh = "评价未能保存，请稍后重试。";
                break;
        }
        return f;
    }
    if (res.value() == ForwardOutcome::inserted) {
        close_cases(rating.window, rating.case_nos);
        HubEvent ev;
        ev.type = HubEventType::rating_stored;
        ev.window = rating.window;
        ev.stage = rating.stage;
        ev.case_nos = rating.case_nos;
        ev.rating_id = rating.id;
        m_bus.publish(std::move(ev));
    }
    return res.value();
}

std::optional<Case> Hub::find_case(const std::string& case_no) const {
    std::lock_guard lock(m_mutex);
    return m_store.find_case(case_no);
}

std::vector<RatingRequest> Hub::open_requests(int window) const {
    std::lock_guard lock(m_mutex);
    auto it = m_open.find(window);
    return it == m_open.end() ? std::vector<RatingRequest>{} : it->second;
}

std::vector<RatingSlot> Hub::rated_slots(const std::string& case_no) const {
    std::lock_guard lock(m_mutex);
    std::vector<RatingSlot> out;
    for (Stage st : {Stage::accepted, Stage::completed})
        for (RatingTarget t : {RatingTarget::item, RatingTarget::staff}) {
            RatingSlot s{case_no, st, t};
            if (m_store.slot_taken(s)) out.push_back(s);
        }
    return out;
}

UnratedRun Hub::process_unrated(TimePoint now) {
    std::lock_guard lock(m_mutex);
    // process_unrated_cases counts what it recorded but does not name it; default ratings carry
    // tapped_at = now, so the new ones are the default ratings at `now` that were not there
    // before the run (a second run at the same instant publishes nothing).
    const auto defaults_at = [&] {
        std::vector<Rating> out;
        for (auto& r : m_store.ratings_between(now, now + std::chrono::milliseconds{1}))
            if (r.is_default) out.push_back(std::move(r));
        return out;
    };
    UnratedRun run;
    try {
        std::set<std::string> before;
        for (const auto& r : defaults_at()) before.insert(r.id);
        run = process_unrated_cases(m_store, m_reminders, RatingContext{m_setup.hall, m_setup.catalog},
                                    m_setup.calendar, m_setup.unrated, m_setup.reminder_channel, now);
        if (run.defaults_recorded == 0) return run;
        for (const auto& r : defaults_at()) {
            if (before.count(r.id) != 0) continue;
            close_cases(r.window, r.case_nos);
            HubEvent ev;
            ev.type = HubEventType::rating_stored;
            ev.window = r.window;
            ev.stage = r.stage;
            ev.case_nos = r.case_nos;
            ev.rating_id = r.id;
            m_bus.publish(std::move(ev));
        }
    } catch (const Error& e) {
        run.failures.push_back(std::string("store: ") + e.what());
    }
    return run;
}

void Hub::set_calendar(WorkCalendar calendar) {
    std::lock_guard lock(m_mutex);
    m_setup.calendar = std::move(calendar);
}

WorkCalendar Hub::calendar() const {
    std::lock_guard lock(m_mutex);
    return m_setup.calendar;
}

long long Hub::rating_count() const {
    std::lock_guard lock(m_mutex);
    return m_store.rating_count();
}

std::vector<std::string> Hub::store_damage(Store::Check depth) const {
    std::lock_guard lock(m_mutex);
    return m_store.damage(depth);
}

}  // namespace hcp
