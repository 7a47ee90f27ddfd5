// The ratings endpoints of the hall API (docs/hall-api.md "POST /api/v1/ratings", "POST
// /api/v1/not-rated"): a remote terminal submits a rating made on it, forwards one it stored
// while the hub was away, or says the applicant left without rating.
#include <memory>
#include <utility>

#include "hall_api_routes.hpp"

namespace hcp::api {

namespace {

// A display's or a ticket station's token (with roles written in the tokens file) does not rate.
bool may_rate(const Caller& who, httplib::Response& res) {
    if (who.roles.count(DeviceRole::rater) != 0 || who.roles.count(DeviceRole::selfservice) != 0) return true;
    send_error(res, 403, "forbidden", "此终端不能提交评价。", "device " + who.id + " has no rater or selfservice role");
    return false;
}

// The text reaches the rules' own check (which answers with the Chinese message); here only
// the JSON layer's limit keeps absurd input out.
bool detail_text_ok(const std::string& text) {
    return text.size() <= 4 * kMaxRatingTextBytes;
}

}  // namespace

void register_ratings_routes(httplib::Server& svr, RouteContext ctx) {
    auto c = std::make_shared<const RouteContext>(std::move(ctx));

    svr.Post("/api/v1/ratings", [c](const httplib::Request& req, httplib::Response& res) {
        auto who = c->require(req, res, true, false, false);
        if (!who || !may_rate(*who, res)) return;
        auto body = c->json_body(req, res);
        if (!body) return;
        if (auto fwd = body->find("forwarded"); fwd != body->end()) {
            std::string why;
            auto rating = rating_from_json(*fwd, why);
            if (!rating) return send_error(res, 400, "invalid_field", "转发的评价数据不完整。", why);
            auto r = c->hub.accept_forwarded(*rating, ForwardSender{who->id, who->window});
            if (!r) return send_hub_failure(res, r.error());
            const bool dup = r.value() == ForwardOutcome::duplicate;
            return send_json(res, dup ? 200 : 201,
                             {{"rating_id", rating->id}, {"outcome", dup ? "duplicate" : "stored"}});
        }
        std::string field, why;
        auto draft = draft_from_json(*body, field, why);
        if (!draft)
            return send_error(res, 400, "invalid_field", "评价数据格式不正确（" + field + "）。", field + ": " + why);
        if (!detail_text_ok(draft->text))
            return send_error(res, 422, std::string(to_string(RuleViolation::text_invalid)),
                              std::string(message_zh(RuleViolation::text_invalid)));
        auto r = c->hub.submit_rating(*draft, Submitter{who->window});
        if (!r) return send_hub_failure(res, r.error());
        send_json(res, 201,
                  {{"rating_id", r.value().id},
                   {"seq", r.value().seq},
                   {"device_id", r.value().device_id},
                   {"outcome", "stored"}});
    });

    svr.Post("/api/v1/not-rated", [c](const httplib::Request& req, httplib::Response& res) {
        auto who = c->require(req, res, true, false, false);
        if (!who || !may_rate(*who, res)) return;
        auto body = c->json_body(req, res);
        if (!body) return;
        const auto it = body->find("case_no");
        const std::string no = it != body->end() && it->is_string() ? it->get<std::string>() : std::string();
        if (no.empty() || no.size() > kMaxCaseNoBytes)
            return send_error(res, 400, "invalid_field", "缺少办件编号（case_no）。");
        // The window is the device's own, whatever the body says.
        if (!c->hub.record_not_rated(no, who->window))
            return send_error(res, 404, "not_open", "这笔办件当前没有在本窗口开放评价。");
        send_json(res, 200, {{"case_no", no}, {"recorded", "not_rated"}});
    });
}

}  // namespace hcp::api
