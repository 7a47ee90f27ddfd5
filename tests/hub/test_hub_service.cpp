// HubService: the hub as a running service — hall API, uploader, maintenance — against the
// reference platform on loopback, with a fake clock for deadlines and purges.
#include <catch2/catch.hpp>

#include <fstream>
#include <thread>

#include "service_fixture.hpp"

using namespace hcp;
using namespace hcp::test;
using namespace std::chrono_literals;

namespace {

long long platform_count(ServiceWorld& w, const std::string& where) {
    return raw_int(w.dir / "platform.db", "SELECT count(*) FROM arrivals WHERE " + where);
}

}  // namespace

TEST_CASE("Ratings submitted through the hall API reach the platform exactly once", "[hub_service]") {
    ServiceWorld w;
    auto& svc = w.start();
    REQUIRE(svc.upload_configured());
    std::vector<std::string> ids;
    for (int i = 1; i <= 5; ++i) ids.push_back(w.report_and_rate("SVC-" + std::to_string(i), i == 3 ? 4 : 5));

    REQUIRE(ServiceWorld::eventually([&] { return w.drained(5); }));
    auto stats = w.platform->stats();
    CHECK(stats.accepted == 5);
    CHECK(stats.stored == 5);
    CHECK(stats.duplicates == 0);
    for (const auto& id : ids) CHECK(w.platform->arrivals_of(id) == 1);
    CHECK(w.platform->chain_events().empty());

    auto sync = w.sync_json();
    CHECK(sync["upload_configured"] == true);
    CHECK(sync["not_uploaded"] == 0);
    CHECK(sync["uploaded"] == 5);
    CHECK(sync["rejected"] == 0);
    CHECK(sync["last_error"].is_null());
    CHECK(sync["last_success_at"].is_string());
    CHECK(sync["oldest_pending_at"].is_null());
    CHECK(sync["summary_zh"].get<std::string>().find("全部") != std::string::npos);
    // Nothing is sent twice afterwards: a later rating adds exactly one arrival.
    ids.push_back(w.report_and_rate("SVC-6"));
    REQUIRE(ServiceWorld::eventually([&] { return w.drained(6); }));
    CHECK(w.platform->stats().accepted == 6);
    CHECK(w.platform->arrivals_of(ids.front()) == 1);
}

TEST_CASE("With the platform down the backlog grows and the admin sees it and it drains when the platform returns",
          "[hub_service]") {
    ServiceWorld w;
    auto& svc = w.start();
    w.report_and_rate("DOWN-0");
    REQUIRE(ServiceWorld::eventually([&] { return w.drained(1); }));
    const int port = w.platform_port;
    w.stop_platform();

    for (int i = 1; i <= 3; ++i) w.report_and_rate("DOWN-" + std::to_string(i));
    REQUIRE(ServiceWorld::eventually([&] { return !svc.sync_state().last_error.empty(); }));
    auto st = svc.sync_state();
    CHECK(st.not_uploaded == 3);
    CHECK(st.uploaded == 1);

    auto sync = w.sync_json();
    CHECK(sync["not_uploaded"] == 3);
    CHECK(sync["last_error"].is_string());
    CHECK(sync["last_error_at"].is_string());
    CHECK(sync["oldest_pending_at"].is_string());
    CHECK(sync["oldest_pending_age_seconds"].get<long long>() >= 0);
    CHECK(sync["summary_zh"].get<std::string>().find("3 条") != std::string::npos);
    // Health shows the counts without a token, and no error text.
    auto health = w.client().Get("/api/v1/health");
    REQUIRE(health);
    auto h = json::parse(health->body);
    CHECK(h["not_uploaded"] == 3);
    CHECK(h["upload_configured"] == true);
    CHECK(h["version"] == HCP_VERSION);
    CHECK(health->body.find("last_error") == std::string::npos);

    // The admin can age it with the clock: 3 h 12 min later the summary says so.
    w.advance(3h + 12min);
    CHECK(svc.summary_zh().find("3 小时 12 分钟") != std::string::npos);
    CHECK(w.sync_json()["oldest_pending_age"] == "3 h 12 min");

    w.start_platform(port);
    // Drained: every rating acked and the success noted (two steps of the uploader).
    REQUIRE(ServiceWorld::eventually([&] { return w.drained(4); }));
    CHECK(w.platform->stats().accepted == 3);  // this platform process: the three that waited
    CHECK(w.platform->stats().stored == 4);    // its database: every rating, once
    CHECK(w.platform->chain_events().empty());
    CHECK(w.sync_json()["last_error"].is_null());
}

TEST_CASE("The maintenance pass records default ratings past the deadline and they are uploaded flagged default",
          "[hub_service]") {
    ServiceWorld w;
    auto& svc = w.start();
    REQUIRE(ServiceWorld::eventually([&] { return svc.last_maintenance().runs >= 1; }));  // the pass at start
    w.post_case(case_body("DEF-1", 2));
    w.post_case(case_body("DEF-2", 3));
    w.report_and_rate("RATED-1");  // rated: no default for it
    REQUIRE(ServiceWorld::eventually([&] { return w.drained(1); }));
    const long long before_id = svc.hub().events().last_id();

    // Now: not due (the Tai'an rule needs 1 + 4 working days).
    auto now_run = svc.maintain_now();
    CHECK(now_run.unrated.defaults_recorded == 0);
    CHECK(now_run.unrated.waiting_for_reminder == 2);

    // The demo hall reminds by a call list: 20 days later the reminders are due, nobody called,
    // and Tai'an's default ("提醒后超过4个工作日") waits for a reminder that really happened.
    w.advance(std::chrono::hours{24 * 20});
    auto waiting = svc.maintain_now();
    CHECK(waiting.unrated.reminders_filed == 2);
    CHECK(waiting.unrated.defaults_recorded == 0);
    CHECK(waiting.unrated.waiting_for_reminder == 2);
    auto book = ReminderBook::open(w.config.store.database);
    CHECK(book.counts()[ReminderState::pending] == 2);
    // Staff call both citizens; the default counts 4 working days from the call.
    CHECK(book.mark_called("DEF-1", w.clock()));
    CHECK(book.mark_called("DEF-2", w.clock()));
    CHECK_FALSE(book.mark_called("DEF-2", w.clock()));  // once
    w.advance(std::chrono::hours{24 * 3});
    CHECK(svc.maintain_now().unrated.defaults_recorded == 0);  // 3 days: not yet 4 working days
    w.advance(std::chrono::hours{24 * 12});  // ≥ 4 working days whatever the date (春节 is 9 days)
    auto run = svc.maintain_now();
    CHECK(run.unrated.defaults_recorded == 2);
    CHECK(run.errors.empty());
    CHECK(svc.hub().rating_count() == 3);
    // Published like any rating: the terminals' screens close, the uploader wakes.
    auto events = svc.hub().events().since(before_id, {});
    int stored = 0;
    for (const auto& e : events.events)
        if (e.type == HubEventType::rating_stored) ++stored;
    CHECK(stored == 2);
    CHECK(svc.hub().open_requests(3).empty());
    REQUIRE(ServiceWorld::eventually([&] { return w.drained(3); }));
    CHECK(platform_count(w, "is_default = 1") == 2);
    CHECK(platform_count(w, "is_default = 0") == 1);
    // A second pass at the same instant records and publishes nothing more.
    const long long after_id = svc.hub().events().last_id();
    auto again = svc.maintain_now();
    CHECK(again.unrated.defaults_recorded == 0);
    CHECK(svc.hub().events().last_id() == after_id);
    CHECK(again.runs > run.runs);
    CHECK(w.log().find("recorded 2 default ratings") != std::string::npos);
}

TEST_CASE("Personal data is purged purge_after_days after the platform accepted the rating", "[hub_service]") {
    ServiceWorld w;
    auto& svc = w.start();
    w.report_and_rate("PII-1");
    REQUIRE(ServiceWorld::eventually([&] { return w.drained(1); }));
    CHECK_FALSE(svc.hub().find_case("PII-1")->applicant.name.empty());

    w.advance(std::chrono::hours{24 * 29});
    auto early = svc.maintain_now();
    CHECK(early.purged_cases == 0);
    CHECK_FALSE(svc.hub().find_case("PII-1")->applicant.name.empty());

    w.advance(std::chrono::hours{24 * 2});  // +31 d
    auto run = svc.maintain_now();
    CHECK(run.purged_cases == 1);
    CHECK(run.errors.empty());
    auto purged = svc.hub().find_case("PII-1");
    REQUIRE(purged);
    CHECK(purged->applicant.name.empty());
    CHECK(purged->applicant.phone.empty());
    CHECK(purged->applicant.id_number.empty());
    CHECK(svc.hub().find_case("PII-1")->item.name == "基本医疗保险参保信息变更登记");  // only personal data
    CHECK(svc.hub().rating_count() == 1);                                              // ratings never touched
    CHECK(w.log().find("erased personal data of 1 cases") != std::string::npos);
    CHECK(w.log().find("张三丰") == std::string::npos);  // no personal data in the log
}

TEST_CASE("The case reply carries a receipt QR that verifies with the hall's key", "[hub_service]") {
    ServiceWorld w;
    w.start();
    const auto at = w.clock();
    auto reply = w.post_case(case_body("370921-20261008-0001"));
    INFO(w.log());
    REQUIRE(reply["rating_url"].is_string());
    const std::string url = reply["rating_url"];
    CHECK(url.rfind(w.config.receipt_qr.url_prefix, 0) == 0);
    CHECK(token::is_qr_alphanumeric(url));
    const std::int64_t now_s = std::chrono::duration_cast<std::chrono::seconds>(at.time_since_epoch()).count();
    std::vector<token::HallKey> keys{token::HallKey(w.config.hall.code, *w.qr_key)};
    auto v = token::verify(url, keys, now_s, w.config.hall.code);
    REQUIRE(v);
    CHECK(v.value().subject == "370921-20261008-0001");
    CHECK(v.value().stage == token::Stage::completed);
    const std::int64_t expected = now_s + 30LL * 86400;
    CHECK(v.value().expires_at <= expected);
    CHECK(v.value().expires_at > expected - 120);
    CHECK(reply["short_code"] == token::short_code(url.substr(w.config.receipt_qr.url_prefix.size())));
    CHECK(reply["rating_url_expires_at"].is_string());
    // Expired after valid_days; another hall's key does not verify it.
    CHECK_FALSE(token::verify(url, keys, expected + 61, w.config.hall.code));
    std::vector<token::HallKey> other{token::HallKey(w.config.hall.code, SecretKey::random())};
    CHECK_FALSE(token::verify(url, other, now_s, w.config.hall.code));

    // A 承诺件 reported at acceptance gets a token for the acceptance stage.
    auto promised = case_body("370921-20261008-0002");
    promised["kind"] = "promised";
    promised["stage"] = "accepted";
    auto r2 = w.post_case(promised);
    auto v2 = token::verify(r2["rating_url"].get<std::string>(), keys, now_s, w.config.hall.code);
    REQUIRE(v2);
    CHECK(v2.value().stage == token::Stage::accepted);

    // A case number the token cannot carry: null, with the reason in the log.
    auto r3 = w.post_case(case_body("LONG-CASE-NUMBER-0123456789-ABCDEF"));
    CHECK(r3["rating_url"].is_null());
    CHECK(r3["short_code"].is_null());
    CHECK(w.log().find("no receipt QR for case LONG-CASE-NUMBER-0123456789-ABCDEF") != std::string::npos);
}

TEST_CASE("Without the receipt QR key the case reply has a null rating_url and the log says what to do",
          "[hub_service]") {
    ServiceSettings s;
    s.qr_key = false;
    s.upload = false;
    ServiceWorld w(s);
    auto& svc = w.start();
    CHECK_FALSE(svc.upload_configured());
    auto reply = w.post_case(case_body("NOQR-1"));
    CHECK(reply["rating_url"].is_null());
    CHECK(reply["case"]["case_no"] == "NOQR-1");
    const std::string log = w.log();
    CHECK(log.find("receipt QR off") != std::string::npos);
    CHECK(log.find("hcpctl key create") != std::string::npos);
    // Without [upload] the ratings wait in the outbox and the admin is told why.
    w.report_and_rate("NOQR-2");
    auto sync = w.sync_json();
    CHECK(sync["upload_configured"] == false);
    CHECK(sync["not_uploaded"] == 1);
    CHECK(sync["summary_zh"].get<std::string>().find("未配置上传") != std::string::npos);
}

TEST_CASE("A hub with upload configured but no usable hall secret refuses to start and says what to do",
          "[hub_service]") {
    SECTION("missing") {
        ServiceSettings s;
        s.hall_secret = false;
        ServiceWorld w(s);
        auto r = w.try_start();
        REQUIRE_FALSE(r);
        CHECK(r.error().cause == HubStartErrc::upload_secret);
        CHECK(r.error().detail.find("platform.secret") != std::string::npos);
        CHECK(r.error().message_zh.find("密钥") != std::string::npos);
        CHECK(r.error().message_zh.find("chmod 600") != std::string::npos);
        CHECK_FALSE(std::filesystem::exists(w.dir / "hub.db"));  // refused before anything was opened
    }
    SECTION("readable by others") {
        ServiceWorld w;
        std::filesystem::permissions(w.dir / "platform.secret", std::filesystem::perms::others_read,
                                     std::filesystem::perm_options::add);
        auto r = w.try_start();
        REQUIRE_FALSE(r);
        CHECK(r.error().cause == HubStartErrc::upload_secret);
        CHECK(r.error().detail.find("chmod 600") != std::string::npos);
        CHECK_FALSE(std::filesystem::exists(w.dir / "hub.db"));
    }
    SECTION("not 64 hex digits") {
        ServiceWorld w;
        write_private(w.dir / "platform.secret", "not-a-secret\n");
        auto r = w.try_start();
        REQUIRE_FALSE(r);
        CHECK(r.error().cause == HubStartErrc::upload_secret);
    }
}

TEST_CASE("A hub whose upload profile is not installed refuses to start", "[hub_service]") {
    ServiceSettings s;
    s.profile = "atlantis";
    ServiceWorld w(s);
    auto r = w.try_start();
    REQUIRE_FALSE(r);
    CHECK(r.error().cause == HubStartErrc::upload_profile);
    CHECK(r.error().detail.find("atlantis.json") != std::string::npos);
    CHECK_FALSE(std::filesystem::exists(w.dir / "hub.db"));
}

TEST_CASE("A hub whose API address is taken refuses to start and releases everything", "[hub_service]") {
    ServiceWorld w;
    auto& first = w.start();
    ServiceWorld other;
    HubServiceOptions o = other.options();
    HallApiConfig api = hall_api_config(other.config);
    api.listen_port = *first.api_port();
    o.api = api;
    auto r = HubService::start(other.config, other.store_key, o);
    REQUIRE_FALSE(r);
    CHECK(r.error().cause == HubStartErrc::api_bind);
    CHECK(r.error().message_zh.find("[api].listen") != std::string::npos);
    // The first hub still serves.
    auto health = w.client().Get("/api/v1/health");
    REQUIRE(health);
    CHECK(health->status == 200);
}

TEST_CASE("GET sync needs a token and stop ends the API and the maintenance thread", "[hub_service]") {
    ServiceWorld w;
    auto& svc = w.start();
    auto anon = w.client().Get("/api/v1/sync");
    REQUIRE(anon);
    CHECK(anon->status == 401);
    auto dev = w.client(kWindow2Token).Get("/api/v1/sync");
    REQUIRE(dev);
    CHECK(dev->status == 200);
    const int port = *svc.api_port();
    const auto runs = svc.maintain_now().runs;
    svc.stop();
    svc.stop();  // idempotent
    httplib::Client c("127.0.0.1", port);
    c.set_connection_timeout(1, 0);
    CHECK_FALSE(c.Get("/api/v1/health"));
    CHECK(svc.maintain_now().runs == runs);  // returns at once after stop
    CHECK(w.log().find("stopped") != std::string::npos);
}

namespace {

// Overwrites every page of an SQLite file but the first (the header and the schema) with zeros.
void zero_pages_after_first(const std::filesystem::path& db) {
    std::fstream f(db, std::ios::in | std::ios::out | std::ios::binary);
    unsigned char header[18] = {};
    f.read(reinterpret_cast<char*>(header), sizeof header);
    const size_t raw = header[16] * 256u + header[17];
    const size_t page = raw == 1 ? 65536 : raw;  // 1 stands for 65536 in the header
    const auto size = std::filesystem::file_size(db);
    const std::string zeros(page, '\0');
    for (size_t off = page; off + page <= size; off += page) {
        f.seekp(static_cast<std::streamoff>(off));
        f.write(zeros.data(), static_cast<std::streamsize>(zeros.size()));
    }
}

}  // namespace

TEST_CASE("A hub refuses to serve a damaged store and names the command that restores it", "[hub_service]") {
    ServiceWorld w;
    w.start();
    w.report_and_rate("C-1");
    w.report_and_rate("C-2");
    w.service.reset();  // the last connection closes: the WAL is folded into the file
    SECTION("chain heads emptied") {
        raw_exec(w.dir / "hub.db", "DELETE FROM chain_heads");
        auto r = w.try_start();
        REQUIRE_FALSE(r);
        CHECK(r.error().cause == HubStartErrc::store_damaged);
        CHECK(r.error().detail.find("no chain head") != std::string::npos);
        CHECK(r.error().message_zh.find("hcpctl restore") != std::string::npos);
        CHECK(r.error().message_zh.find("hcpctl verify") != std::string::npos);
    }
    SECTION("zeroed pages") {
        zero_pages_after_first(w.dir / "hub.db");
        auto r = w.try_start();
        REQUIRE_FALSE(r);
        CHECK(r.error().cause == HubStartErrc::store_damaged);
        CHECK(r.error().message_zh.find("hcpctl restore") != std::string::npos);
    }
    SECTION("a rating slot without its rating") {
        raw_exec(w.dir / "hub.db",
                 "INSERT INTO rating_slots(case_no, stage, target, rating_id) VALUES ('C-9', 'completed', 'item', "
                 "'no-such-rating')");
        auto r = w.try_start();
        REQUIRE_FALSE(r);
        CHECK(r.error().cause == HubStartErrc::store_damaged);
        CHECK(r.error().detail.find("rating slot") != std::string::npos);
    }
    SECTION("an intact store starts") {
        CHECK(w.try_start());
    }
}

TEST_CASE("Health says so when the store can no longer take a rating", "[hub_service]") {
    ServiceWorld w;
    w.start();
    w.report_and_rate("C-1");
    auto before = json::parse(w.client().Get("/api/v1/health")->body);
    CHECK(before["status"] == "ok");
    CHECK(before["store"] == "ok");
    // The hub's connections may hold the file for a moment: retry (bounded) while it is busy.
    for (int i = 0;; ++i) {
        try {
            raw_exec(w.dir / "hub.db", "PRAGMA busy_timeout = 5000; DELETE FROM chain_heads");
            break;
        } catch (const std::exception&) {
            if (i == 50) throw;
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
    }
    auto after = json::parse(w.client().Get("/api/v1/health")->body);
    CHECK(after["status"] == "store_error");
    CHECK(after["store"] == "cannot_rate");
}

TEST_CASE("Below the disk reserve a reported case is refused with a receipt QR the citizen can still rate by",
          "[hub_service]") {
    ServiceWorld w;
    w.config.store.min_free_mb = 1LL << 40;  // an exabyte: no disk has that much free
    w.start();
    const auto at = w.clock();
    auto r = w.client(kSystemToken).Post("/api/v1/cases", case_body("370921-20261008-0507").dump(), "application/json");
    REQUIRE(r);
    CHECK(r->status == 507);
    const json reply = json::parse(r->body);
    CHECK(reply["error"]["code"] == "disk_nearly_full");
    CHECK(reply["error"]["message"].get<std::string>().find("二维码") != std::string::npos);
    REQUIRE(reply["rating_url"].is_string());
    CHECK(reply["short_code"].is_string());
    const std::int64_t now_s = std::chrono::duration_cast<std::chrono::seconds>(at.time_since_epoch()).count();
    std::vector<token::HallKey> keys{token::HallKey(w.config.hall.code, *w.qr_key)};
    auto v = token::verify(reply["rating_url"].get<std::string>(), keys, now_s, w.config.hall.code);
    REQUIRE(v);
    CHECK(v.value().subject == "370921-20261008-0507");
    CHECK(v.value().stage == token::Stage::completed);
    CHECK_FALSE(w.service->hub().find_case("370921-20261008-0507"));  // nothing stored
}

TEST_CASE("A notice imported while the hub runs is used at the next pass, and a broken one is refused",
          "[hub_service]") {
    ServiceWorld w;
    // 2026-12-07, whatever day the test runs: 2027 is 60 days ahead and has no notice.
    w.advance(
        std::chrono::duration_cast<std::chrono::milliseconds>(*parse_iso8601("2026-12-07T10:00:00+08:00") - w.clock()));
    auto& svc = w.start();
    svc.maintain_now();
    CHECK(svc.calendar_status().provisional_years == std::vector<int>{2027});
    CHECK(svc.hub().calendar().basis(2027) == YearBasis::statutory);
    auto health = json::parse(w.client().Get("/api/v1/health")->body);
    CHECK(health["calendar"]["provisional_years"] == json::array({2027}));
    CHECK(health["calendar"]["fix"] == "hcpctl calendar import NOTICE.txt");
    CHECK(w.log().find("calendar warning") != std::string::npos);

    // The hall imports the notice: the next pass reloads, no restart, no signal.
    std::filesystem::create_directories(w.dir / "calendars");
    write_file(w.dir / "calendars" / "cn-2027.toml",
               "[calendar]\nname = \"2027\"\nsource = \"test\"\nyears = [2027]\n[[holiday]]\nname = \"春节\"\n"
               "first = 2027-02-05\nlast = 2027-02-12\nmakeup_workdays = [2027-02-14]\n");
    auto run = svc.maintain_now();
    CHECK(run.calendar_reloaded);
    CHECK(svc.hub().calendar().basis(2027) == YearBasis::notice);
    CHECK_FALSE(svc.hub().calendar().is_working_day(
        Date{std::chrono::year{2027}, std::chrono::February, std::chrono::day{10}}));
    CHECK(svc.calendar_status().provisional_years.empty());
    CHECK(w.log().find("calendar reloaded") != std::string::npos);

    // A broken file: the previous calendar stays, the log and health say so.
    write_file(w.dir / "calendars" / "cn-2028.toml", "[calendar]\nyears = [2028\n");
    auto broken = svc.maintain_now();
    CHECK_FALSE(broken.calendar_reloaded);
    CHECK(svc.hub().calendar().basis(2027) == YearBasis::notice);
    health = json::parse(w.client().Get("/api/v1/health")->body);
    CHECK(health["calendar"]["reload_failed"] == true);
    // SIGHUP's path: forced, and fine again once the file is gone.
    std::filesystem::remove(w.dir / "calendars" / "cn-2028.toml");
    CHECK(svc.reload_calendar().calendar_reloaded);
    CHECK(json::parse(w.client().Get("/api/v1/health")->body)["calendar"]["reload_failed"] == false);
}

TEST_CASE("Reminders leave the hub once through an SMS gateway, and a 锡林郭勒 hall records no default",
          "[hub_service]") {
    ServiceSettings s;
    s.extra =
        "[reminder]\nchannel = \"sms\"\n[reminder.sms]\nurl = \"{PLATFORM}/sim/sms\"\n"
        "body = '{{\"mobile\":\"{phone}\",\"content\":\"{text}\",\"outId\":\"{reminder_id}\"}}'\n"
        "success_field = \"code\"\nsuccess_value = \"OK\"\ntimeout_seconds = 2\n";
    ServiceWorld w(s);
    // The hall is under 000 (锡林郭勒盟): a reminder, never a default rating.
    w.config.rating.unrated = UnratedPolicy::xilinguole();
    auto& svc = w.start();
    w.post_case(case_body("SMS-1", 2));
    w.post_case(case_body("SMS-2", 3));
    w.advance(std::chrono::hours{2});
    auto run = svc.maintain_now();
    CHECK(run.unrated.reminders_filed == 2);
    CHECK(run.reminders.sent == 2);
    w.advance(std::chrono::hours{24 * 60});
    auto later = svc.maintain_now();
    CHECK(later.unrated.defaults_recorded == 0);
    CHECK(later.reminders.sent == 0);  // once
    CHECK(svc.hub().rating_count() == 0);
    auto got = w.platform->reminders();
    REQUIRE(got.size() == 2);
    for (const auto& r : got) {
        CHECK(r.times == 1);
        CHECK(r.text.find(w.config.hall.name) != std::string::npos);
    }
    // No phone number in the hub's log.
    CHECK(w.log().find("1381") == std::string::npos);
    CHECK(w.log().find("reminders: 2 sent") != std::string::npos);
}
