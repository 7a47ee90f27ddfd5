#include "hcp/hub_client/hub_json.hpp"

#include <cstdint>
#include <limits>
#include <type_traits>

namespace hcp::api {

namespace {

template <class T>
bool get_to(const json& j, const char* key, T& out) {
    auto it = j.find(key);
    if (it == j.end()) return false;
    if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>) {
        // nlohmann converts 1.5 to 1 and wraps 2^64-1 into -1: integers from the wire must be
        // integers and fit, or the field counts as wrong.
        if (it->is_number_unsigned()) {
            const auto v = it->template get<std::uint64_t>();
            if (v > static_cast<std::uint64_t>(std::numeric_limits<T>::max())) return false;
            out = static_cast<T>(v);
            return true;
        }
        if (!it->is_number_integer()) return false;
        const auto v = it->template get<std::int64_t>();
        if (v < 0 ? (!std::is_signed_v<T> || v < static_cast<std::int64_t>(std::numeric_limits<T>::min()))
                  : static_cast<std::uint64_t>(v) > static_cast<std::uint64_t>(std::numeric_limits<T>::max()))
            return false;
        out = static_cast<T>(v);
        return true;
    }
    try {
        out = it->template get<T>();
        return true;
    } catch (const json::exception&) {
        return false;
    }
}

std::string str(const json& j, const char* key) {
    std::string s;
    get_to(j, key, s);
    return s;
}

std::int64_t ms(TimePoint t) {
    return t.time_since_epoch().count();
}

}  // namespace

json case_json(const Case& c, bool with_masked_applicant) {
    json j = {{"case_no", c.case_no},
              {"item", {{"code", c.item.code}, {"name", c.item.name}, {"department", c.item.department}}},
              {"kind", std::string(to_string(c.kind))},
              {"stage", std::string(to_string(c.stage))},
              {"window", c.window},
              {"staff", {{"number", c.staff.number}, {"name", c.staff.name}}},
              {"batch_id", c.batch_id ? json(*c.batch_id) : json(nullptr)},
              {"theme_id", c.theme_id ? json(*c.theme_id) : json(nullptr)},
              {"accepted_at", format_iso8601(c.accepted_at)},
              {"completed_at", c.completed_at ? json(format_iso8601(*c.completed_at)) : json(nullptr)}};
    if (with_masked_applicant)
        j["applicant"] = {{"name", c.applicant.name.masked()},
                          {"phone", c.applicant.phone.masked()},
                          {"id_no", c.applicant.id_number.masked()}};
    return j;
}

std::optional<Case> case_from_json(const json& j) {
    if (!j.is_object()) return std::nullopt;
    Case c;
    c.case_no = str(j, "case_no");
    if (c.case_no.empty()) return std::nullopt;
    if (auto it = j.find("item"); it != j.end() && it->is_object())
        c.item = ServiceItem{str(*it, "code"), str(*it, "name"), str(*it, "department")};
    c.kind = parse_case_kind(str(j, "kind")).value_or(CaseKind::other);
    c.stage = parse_stage(str(j, "stage")).value_or(Stage::accepted);
    get_to(j, "window", c.window);
    if (auto it = j.find("staff"); it != j.end() && it->is_object())
        c.staff = Staff{str(*it, "number"), str(*it, "name")};
    if (auto it = j.find("batch_id"); it != j.end() && it->is_string()) c.batch_id = it->get<std::string>();
    if (auto it = j.find("theme_id"); it != j.end() && it->is_string()) c.theme_id = it->get<std::string>();
    if (auto t = parse_iso8601(str(j, "accepted_at"))) c.accepted_at = *t;
    if (auto it = j.find("completed_at"); it != j.end() && it->is_string())
        if (auto t = parse_iso8601(it->get<std::string>())) c.completed_at = *t;
    return c;
}

json request_json(const RatingRequest& r) {
    json cases = json::array();
    for (const auto& c : r.cases) cases.push_back(case_json(c, false));
    return {{"cases", cases},
            {"stage", std::string(to_string(r.stage))},
            {"target", std::string(to_string(r.target))},
            {"channel", std::string(to_string(r.channel))},
            {"window", r.window},
            {"theme", r.theme},
            {"opened_event_id", r.opened_event_id}};
}

std::optional<RatingRequest> request_from_json(const json& j) {
    if (!j.is_object()) return std::nullopt;
    RatingRequest r;
    auto it = j.find("cases");
    if (it == j.end() || !it->is_array() || it->empty()) return std::nullopt;
    for (const auto& c : *it) {
        auto parsed = case_from_json(c);
        if (!parsed) return std::nullopt;
        r.cases.push_back(std::move(*parsed));
    }
    auto stage = parse_stage(str(j, "stage"));
    auto target = parse_rating_target(str(j, "target"));
    auto channel = parse_channel(str(j, "channel"));
    if (!stage || !target || !channel) return std::nullopt;
    r.stage = *stage;
    r.target = *target;
    r.channel = *channel;
    get_to(j, "window", r.window);
    get_to(j, "theme", r.theme);
    r.opened_event_id = str(j, "opened_event_id");
    return r;
}

json event_json(const HubEvent& e) {
    json j = {{"id", e.id},
              {"type", std::string(to_string(e.type))},
              {"window", e.window},
              {"stage", std::string(to_string(e.stage))},
              {"case_nos", e.case_nos},
              {"at", format_iso8601(e.at)}};
    if (e.request) j["request"] = request_json(*e.request);
    if (!e.rating_id.empty()) j["rating_id"] = e.rating_id;
    if (e.call)
        j["call"] = {{"number", e.call->number},
                     {"category", e.call->category},
                     {"window", e.call->window},
                     {"window_name", e.call->window_name},
                     {"action", e.call->action}};
    if (e.receipt)
        j["receipt"] = {{"job_id", e.receipt->job_id},
                        {"printed", e.receipt->printed},
                        {"reason_zh", e.receipt->printed ? json(nullptr) : json(e.receipt->reason_zh)}};
    return j;
}

json draft_json(const RatingDraft& d) {
    return {{"case_nos", d.case_nos},
            {"stage", std::string(to_string(d.stage))},
            {"target", std::string(to_string(d.target))},
            {"level", to_int(d.level)},
            {"option_codes", d.option_codes},
            {"text", d.text},
            {"channel", std::string(to_string(d.channel))},
            {"tapped_at", format_iso8601(d.tapped_at)},
            {"is_public", d.is_public}};
}

std::optional<RatingDraft> draft_from_json(const json& j, std::string& field, std::string& why) {
    auto fail = [&](const char* f, const char* w) -> std::optional<RatingDraft> {
        field = f;
        why = w;
        return std::nullopt;
    };
    if (!j.is_object()) return fail("body", "must be a JSON object");
    RatingDraft d;
    if (!get_to(j, "case_nos", d.case_nos) || d.case_nos.empty() || d.case_nos.size() > kMaxBatchCases)
        return fail("case_nos", "must be a non-empty array of case numbers (at most 50)");
    for (const auto& no : d.case_nos)
        if (no.empty() || no.size() > kMaxCaseNoBytes) return fail("case_nos", "holds an invalid case number");
    std::string s;
    if (!get_to(j, "stage", s) || !parse_stage(s)) return fail("stage", "must be accepted or completed");
    d.stage = *parse_stage(s);
    if (!get_to(j, "target", s) || !parse_rating_target(s)) return fail("target", "must be item, staff or both");
    d.target = *parse_rating_target(s);
    int level = 0;
    if (!get_to(j, "level", level) || !level_from_int(level)) return fail("level", "must be an integer 1..5");
    d.level = *level_from_int(level);
    if (j.contains("option_codes")) {
        if (!get_to(j, "option_codes", d.option_codes) || d.option_codes.size() > 50)
            return fail("option_codes", "must be an array of at most 50 option codes");
        for (const auto& c : d.option_codes)
            if (c.empty() || c.size() > kMaxCodeBytes) return fail("option_codes", "holds an invalid code");
    }
    if (j.contains("text") && !get_to(j, "text", d.text)) return fail("text", "must be a string");
    if (j.contains("channel")) {
        if (!get_to(j, "channel", s) || !parse_channel(s)) return fail("channel", "is not a known channel");
        d.channel = *parse_channel(s);
    }
    d.tapped_at = now();
    if (j.contains("tapped_at")) {
        std::optional<TimePoint> t;
        if (!get_to(j, "tapped_at", s) || !(t = parse_iso8601(s))) return fail("tapped_at", "must be an ISO 8601 time");
        d.tapped_at = *t;
    }
    if (j.contains("is_public") && !get_to(j, "is_public", d.is_public))
        return fail("is_public", "must be true or false");
    return d;
}

json rating_json(const Rating& r) {
    return {{"id", r.id},
            {"device_id", r.device_id},
            {"seq", r.seq},
            {"case_nos", r.case_nos},
            {"stage", std::string(to_string(r.stage))},
            {"target", std::string(to_string(r.target))},
            {"level", to_int(r.level)},
            {"option_codes", r.option_codes},
            {"option_labels", r.option_labels},
            {"text", r.text},
            {"channel", std::string(to_string(r.channel))},
            {"tapped_at_ms", ms(r.tapped_at)},
            {"catalog_id", r.catalog_id},
            {"catalog_version", r.catalog_version},
            {"is_public", r.is_public},
            {"is_default", r.is_default},
            {"hall_code", r.hall_code},
            {"area_code", r.area_code},
            {"item_code", r.item_code},
            {"item_name", r.item_name},
            {"kind", std::string(to_string(r.kind))},
            {"window", r.window},
            {"staff_number", r.staff_number},
            {"staff_name", r.staff_name},
            {"prev_hash", r.prev_hash},
            {"hash", r.hash},
            {"mac", r.mac}};
}

std::optional<Rating> rating_from_json(const json& j, std::string& why) {
    if (!j.is_object()) {
        why = "forwarded rating must be an object";
        return std::nullopt;
    }
    Rating r;
    std::string stage, target, channel, kind;
    int level = 0;
    std::int64_t tapped = 0;
    bool ok = get_to(j, "id", r.id) && get_to(j, "device_id", r.device_id) && get_to(j, "seq", r.seq) &&
              get_to(j, "case_nos", r.case_nos) && get_to(j, "stage", stage) && get_to(j, "target", target) &&
              get_to(j, "level", level) && get_to(j, "option_codes", r.option_codes) &&
              get_to(j, "option_labels", r.option_labels) && get_to(j, "text", r.text) &&
              get_to(j, "channel", channel) && get_to(j, "tapped_at_ms", tapped) &&
              get_to(j, "catalog_id", r.catalog_id) && get_to(j, "catalog_version", r.catalog_version) &&
              get_to(j, "is_public", r.is_public) && get_to(j, "is_default", r.is_default) &&
              get_to(j, "hall_code", r.hall_code) && get_to(j, "area_code", r.area_code) &&
              get_to(j, "item_code", r.item_code) && get_to(j, "item_name", r.item_name) && get_to(j, "kind", kind) &&
              get_to(j, "window", r.window) && get_to(j, "staff_number", r.staff_number) &&
              get_to(j, "staff_name", r.staff_name) && get_to(j, "prev_hash", r.prev_hash) &&
              get_to(j, "hash", r.hash) && get_to(j, "mac", r.mac);
    auto st = parse_stage(stage);
    auto tg = parse_rating_target(target);
    auto ch = parse_channel(channel);
    auto kd = parse_case_kind(kind);
    auto lv = level_from_int(level);
    if (!ok || !st || !tg || !ch || !kd || !lv) {
        why = "forwarded rating is missing a field or has a wrong type";
        return std::nullopt;
    }
    r.stage = *st;
    r.target = *tg;
    r.channel = *ch;
    r.kind = *kd;
    r.level = *lv;
    r.tapped_at = TimePoint{std::chrono::milliseconds{tapped}};
    return r;
}

json error_json(std::string_view code, std::string_view message, std::string_view detail) {
    json e = {{"code", code}, {"message", message}};
    if (!detail.empty()) e["detail"] = detail;
    return {{"error", e}};
}

namespace {

std::optional<TimePoint> time_of(const json& j, const char* key) {
    auto it = j.find(key);
    if (it == j.end() || !it->is_string()) return std::nullopt;
    return parse_iso8601(it->get<std::string>());
}

Staff staff_of(const json& j, const char* key) {
    auto it = j.find(key);
    if (it == j.end() || !it->is_object()) return {};
    return Staff{str(*it, "number"), str(*it, "name")};
}

}  // namespace

std::optional<WaitEstimate> estimate_from_json(const json& j) {
    if (!j.is_object()) return std::nullopt;
    WaitEstimate e;
    long long average = 0, eta = 0;
    if (!get_to(j, "people_ahead", e.people_ahead) || !get_to(j, "eta_seconds", eta) || e.people_ahead < 0 || eta < 0)
        return std::nullopt;
    get_to(j, "windows_open", e.windows_open);
    get_to(j, "windows_counted", e.windows_counted);
    get_to(j, "window_capacity", e.window_capacity);
    long long until_free = 0;
    get_to(j, "until_window_free_seconds", until_free);
    e.until_window_free = std::chrono::seconds(until_free);
    get_to(j, "average_service_seconds", average);
    get_to(j, "cold_start", e.cold_start);
    e.average_service = std::chrono::seconds(average);
    e.wait = std::chrono::seconds(eta);
    return e;
}

std::optional<QueueTicket> ticket_from_json(const json& j) {
    if (!j.is_object()) return std::nullopt;
    QueueTicket t;
    t.number = str(j, "number");
    t.category = str(j, "category");
    if (t.number.empty() || t.category.empty()) return std::nullopt;
    t.issued_category = str(j, "issued_category");
    t.business_day = str(j, "business_day");
    get_to(j, "priority", t.priority);
    if (auto s = parse_ticket_state(str(j, "state")))
        t.state = *s;
    else
        return std::nullopt;
    get_to(j, "window", t.window);
    t.staff = staff_of(j, "staff");
    if (auto at = time_of(j, "issued_at"))
        t.issued_at = *at;
    else
        return std::nullopt;
    t.called_at = time_of(j, "called_at");
    t.serving_at = time_of(j, "serving_at");
    t.finished_at = time_of(j, "finished_at");
    get_to(j, "skips", t.skips);
    get_to(j, "recalls", t.recalls);
    get_to(j, "transfers", t.transfers);
    return t;
}

std::optional<QueueSnapshot> snapshot_from_json(const json& j) {
    if (!j.is_object()) return std::nullopt;
    QueueSnapshot s;
    if (auto at = time_of(j, "at"))
        s.at = *at;
    else
        return std::nullopt;
    s.business_day = str(j, "business_day");
    auto cats = j.find("categories");
    auto wins = j.find("windows");
    auto calls = j.find("last_calls");
    if (cats == j.end() || !cats->is_array() || wins == j.end() || !wins->is_array() || calls == j.end() ||
        !calls->is_array())
        return std::nullopt;
    for (const auto& c : *cats) {
        if (!c.is_object()) return std::nullopt;
        QueueSnapshot::CategoryLine line;
        line.code = str(c, "code");
        line.name = str(c, "name");
        const std::string prefix = str(c, "prefix");
        if (line.code.empty() || prefix.size() != 1 || !get_to(c, "waiting", line.waiting) || line.waiting < 0)
            return std::nullopt;
        line.prefix = prefix.front();
        get_to(c, "waiting_priority", line.waiting_priority);
        get_to(c, "held", line.held);
        get_to(c, "taking_tickets", line.taking_tickets);
        get_to(c, "issued_today", line.issued_today);
        if (auto it = c.find("new_ticket"); it != c.end())
            if (auto e = estimate_from_json(*it)) line.new_ticket = *e;
        line.policy_zh = str(c, "policy_zh");
        s.categories.push_back(std::move(line));
    }
    for (const auto& w : *wins) {
        if (!w.is_object()) return std::nullopt;
        QueueSnapshot::WindowLine line;
        if (!get_to(w, "window", line.window) || line.window <= 0) return std::nullopt;
        line.name = str(w, "name");
        get_to(w, "open", line.open);
        line.staff = staff_of(w, "staff");
        if (auto it = w.find("current"); it != w.end() && it->is_object()) line.current = ticket_from_json(*it);
        get_to(w, "held", line.held);
        s.windows.push_back(std::move(line));
    }
    for (const auto& c : *calls) {
        if (!c.is_object()) return std::nullopt;
        QueueSnapshot::CallLine line;
        line.number = str(c, "number");
        line.category = str(c, "category");
        if (line.number.empty() || !get_to(c, "window", line.window)) return std::nullopt;
        if (auto a = parse_queue_action(str(c, "action"))) line.action = *a;
        if (auto at = time_of(c, "at")) line.at = *at;
        s.last_calls.push_back(std::move(line));
    }
    return s;
}

}  // namespace hcp::api
