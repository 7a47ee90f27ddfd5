// GET /api/v1/sync (docs/hall-api.md): what the admin sees about the upload to the provincial
// platform — counts, the oldest rating waiting, the last error and success, and a summary.
#include <algorithm>
#include <memory>
#include <utility>

#include "hall_api_routes.hpp"

namespace hcp::api {

namespace {

json time_or_null(const std::optional<TimePoint>& t) {
    return t ? json(format_iso8601(*t)) : json(nullptr);
}

json sync_json(const HubSyncStatus& st) {
    const SyncState& s = st.sync;
    json out = {{"upload_configured", st.upload_configured},
                {"not_uploaded", s.not_uploaded},
                {"uploaded", s.uploaded},
                {"rejected", s.rejected},
                {"oldest_pending_at", time_or_null(s.oldest_not_uploaded)},
                {"oldest_pending_age_seconds", nullptr},
                {"oldest_pending_age", nullptr},
                {"last_error", s.last_error.empty() ? json(nullptr) : json(s.last_error)},
                {"last_error_at", time_or_null(s.last_error_at)},
                {"last_success_at", time_or_null(s.last_success_at)},
                {"summary_zh", s.summary_zh(st.now)},
                {"summary", s.summary(st.now)},
                {"at", format_iso8601(st.now)}};
    if (s.oldest_not_uploaded) {
        auto age = std::max(std::chrono::milliseconds{0}, st.now - *s.oldest_not_uploaded);
        out["oldest_pending_age_seconds"] = std::chrono::duration_cast<std::chrono::seconds>(age).count();
        out["oldest_pending_age"] = format_age(age);
    }
    if (!st.upload_configured)
        out["summary_zh"] = s.summary_zh(st.now) + "（未配置上传平台：评价保存在本机，配置 [upload] 后上传）";
    return out;
}

}  // namespace

void register_sync_routes(httplib::Server& svr, RouteContext ctx) {
    auto c = std::make_shared<const RouteContext>(std::move(ctx));

    svr.Get("/api/v1/sync", [c](const httplib::Request& req, httplib::Response& res) {
        if (!c->require(req, res, true, true, false)) return;
        // 503 only for a server run without a sync source (tests); a hub always has one.
        if (c->services.status == nullptr) return send_error(res, 503, "sync_unavailable", "此服务未提供上传状态。");
        std::optional<HubSyncStatus> st;
        try {
            st = c->services.status->sync_status();
        } catch (const std::exception& e) {
            return send_error(res, 500, "storage_error", "暂时无法读取上传状态，请稍后重试。", e.what());
        }
        send_json(res, 200, sync_json(*st));
    });
}

}  // namespace hcp::api
