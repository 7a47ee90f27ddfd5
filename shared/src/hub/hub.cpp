// The hub's core services. One mutex guards the store, the forward writer and the open
// requests; events are published while holding it so their order matches the store's.
#include "hcp/hub/hub.hpp"

#include <sys/statvfs.h>

#include <algorithm>
#include <set>

#include "hcp/base/utf8.hpp"
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
    if (!config.calendar.files.empty()) s.calendar = WorkCalendar::load_files(config.calendar.files);
    s.windows = config.windows;
    s.staff = config.staff;
    s.items = config.items;
    s.store.path = config.store.database;
    s.store.device_id = config.device.id;
    s.store.min_free_bytes = config.store.min_free_mb * 1024 * 1024;
    s.store.outbox_target = "platform";
    s.unrated = config.rating.unrated;
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

Result<ForwardOutcome, HubFailure> Hub::accept_forwarded(const Rating& rating) {
    std::lock_guard lock(m_mutex);
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

DefaultRatingRun Hub::record_due_defaults(TimePoint now) {
    std::lock_guard lock(m_mutex);
    // record_due_default_ratings counts what it recorded but does not name it; default
    // ratings carry tapped_at = now, so the new ones are the default ratings at `now` that
    // were not there before the run (a second run at the same instant publishes nothing).
    const auto defaults_at = [&] {
        std::vector<Rating> out;
        for (auto& r : m_store.ratings_between(now, now + std::chrono::milliseconds{1}))
            if (r.is_default) out.push_back(std::move(r));
        return out;
    };
    DefaultRatingRun run;
    try {
        std::set<std::string> before;
        for (const auto& r : defaults_at()) before.insert(r.id);
        run = record_due_default_ratings(m_store, RatingContext{m_setup.hall, m_setup.catalog}, m_setup.calendar,
                                         m_setup.unrated, now);
        if (run.recorded == 0) return run;
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

long long Hub::rating_count() const {
    std::lock_guard lock(m_mutex);
    return m_store.rating_count();
}

}  // namespace hcp
