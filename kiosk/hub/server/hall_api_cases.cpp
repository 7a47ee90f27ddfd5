// The cases endpoints of the hall API (docs/hall-api.md "POST /api/v1/cases", "GET
// /api/v1/cases/{case_no}"): a business system reports a case event, which may open the rating
// on its window; a device or system looks a case up.
#include <cstdint>
#include <utility>

#include "hall_api_routes.hpp"

namespace hcp::api {

namespace {

// A string field: absent or null is "", another type is a problem (its key goes to `bad`).
std::optional<std::string> opt_string(const json& j, const char* key, std::string& bad) {
    auto it = j.find(key);
    if (it == j.end() || it->is_null()) return std::string();
    if (!it->is_string()) {
        bad = key;
        return std::nullopt;
    }
    return it->get<std::string>();
}

// The body of POST /cases as a CaseReport, or nullopt with the first field at fault in `bad`.
// Only types and ranges are checked here; the hub's rules check the rest (with Chinese).
std::optional<CaseReport> report_from_json(const json& j, std::string& bad) {
    CaseReport r;
    for (auto [key, out] : {std::pair{"case_no", &r.case_no}, std::pair{"item_code", &r.item_code},
                            std::pair{"item_name", &r.item_name}, std::pair{"department", &r.department},
                            std::pair{"staff_no", &r.staff_no}, std::pair{"staff_name", &r.staff_name}}) {
        auto v = opt_string(j, key, bad);
        if (!v) return std::nullopt;
        *out = *v;
    }
    auto kind = opt_string(j, "kind", bad);
    if (!kind) return std::nullopt;
    if (*kind == "immediate")
        r.kind = CaseKind::immediate;
    else if (*kind == "promised")
        r.kind = CaseKind::promised;
    else {
        bad = "kind";
        return std::nullopt;
    }
    auto stage = opt_string(j, "stage", bad);
    if (!stage || !parse_stage(*stage)) {
        bad = "stage";
        return std::nullopt;
    }
    r.stage = *parse_stage(*stage);
    auto w = j.find("window");
    if (w == j.end() || !w->is_number_integer()) {
        bad = "window";
        return std::nullopt;
    }
    auto wv = w->get<std::int64_t>();
    if (wv < 0 || wv > 999) {
        bad = "window";
        return std::nullopt;
    }
    r.window = static_cast<int>(wv);
    if (auto a = j.find("applicant"); a != j.end() && !a->is_null()) {
        if (!a->is_object()) {
            bad = "applicant";
            return std::nullopt;
        }
        auto n = opt_string(*a, "name", bad), p = opt_string(*a, "phone", bad), i = opt_string(*a, "id_no", bad);
        if (!n || !p || !i) {
            bad = "applicant." + bad;
            return std::nullopt;
        }
        r.applicant.name = PersonalField(PersonalKind::name, *n);
        r.applicant.phone = PersonalField(PersonalKind::phone, *p);
        r.applicant.id_number = PersonalField(PersonalKind::id_number, *i);
    }
    if (auto b = j.find("batch"); b != j.end() && !b->is_null()) {
        if (!b->is_array() || b->size() > kMaxBatchCases) {
            bad = "batch";
            return std::nullopt;
        }
        for (const auto& no : *b) {
            if (!no.is_string()) {
                bad = "batch";
                return std::nullopt;
            }
            r.batch.push_back(no.get<std::string>());
        }
    }
    if (auto t = j.find("theme"); t != j.end() && !t->is_null()) {
        if (!t->is_object()) {
            bad = "theme";
            return std::nullopt;
        }
        auto id = opt_string(*t, "id", bad);
        if (!id || id->empty()) {
            bad = "theme.id";
            return std::nullopt;
        }
        r.theme_id = *id;
        if (auto items = t->find("items"); items != t->end()) {
            if (!items->is_array() || items->size() > kMaxThemeItems) {
                bad = "theme.items";
                return std::nullopt;
            }
            for (const auto& it : *items) {
                if (!it.is_object()) {
                    bad = "theme.items";
                    return std::nullopt;
                }
                ThemeItem ti;
                auto c = opt_string(it, "case_no", bad), ic = opt_string(it, "item_code", bad),
                     in = opt_string(it, "item_name", bad);
                if (!c || !ic || !in) {
                    bad = "theme.items." + bad;
                    return std::nullopt;
                }
                ti.case_no = *c;
                ti.item_code = *ic;
                ti.item_name = *in;
                r.theme_items.push_back(std::move(ti));
            }
        }
    }
    return r;
}

}  // namespace

void register_cases_routes(httplib::Server& svr, RouteContext ctx) {
    auto c = std::make_shared<const RouteContext>(std::move(ctx));

    svr.Post("/api/v1/cases", [c](const httplib::Request& req, httplib::Response& res) {
        if (!c->require(req, res, false, true, false)) return;
        auto body = c->json_body(req, res);
        if (!body) return;
        std::string bad;
        auto report = report_from_json(*body, bad);
        if (!report) {
            send_error(res, 400, "invalid_field", "办件信息格式不正确（" + bad + "）。", bad + ": wrong type or value");
            return;
        }
        if (auto out = c->report_case(*report, res)) return send_json(res, 201, *out);
        // Below the disk reserve the refusal sends the citizen to the receipt's QR; the token
        // needs no storage, so the business system gets one to print (rating_url, short_code).
        if (res.status == 507) {
            json refusal = json::parse(res.body, nullptr, false);
            if (!refusal.is_object()) return;
            Case probe;
            probe.case_no = report->case_no;
            probe.stage = report->stage;
            c->add_receipt(refusal, probe);
            send_json(res, 507, refusal);
        }
    });

    svr.Get(R"(/api/v1/cases/([^/]+))", [c](const httplib::Request& req, httplib::Response& res) {
        if (!c->require(req, res, true, true, false)) return;
        const std::string no = req.matches[1];
        auto found = c->hub.find_case(no);
        if (!found) return send_error(res, 404, "unknown_case", std::string(message_zh(RuleViolation::unknown_case)));
        json rated = json::array();
        for (const auto& s : c->hub.rated_slots(no))
            rated.push_back({{"stage", std::string(to_string(s.stage))}, {"target", std::string(to_string(s.target))}});
        bool open = false;
        for (const auto& r : c->hub.open_requests(found->window))
            for (const auto& oc : r.cases) open = open || oc.case_no == no;
        send_json(res, 200, {{"case", case_json(*found, true)}, {"rated", rated}, {"rating_open", open}});
    });
}

}  // namespace hcp::api
