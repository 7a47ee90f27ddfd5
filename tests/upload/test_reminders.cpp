// Reminders of unrated cases: the reminder book's discipline (filed once, claimed with a lease,
// sent once, unknown after a cut), the SMS gateway described as data and the platform channel,
// both against the reference platform, with its faults.
#include <catch2/catch.hpp>

#include <httplib.h>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <map>
#include <random>
#include <thread>

#include "hcp/remind/sender.hpp"
#include "hcp/store/unrated.hpp"
#include "upload_test_util.hpp"

using namespace hcp;
using namespace hcp::test;
using namespace std::chrono_literals;
using Catch::Matchers::Contains;

namespace {

constexpr const char* kPhone = "13812341234";

void write_private(const std::filesystem::path& p, const std::string& content) {
    write_file(p, content);
    std::filesystem::permissions(p, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
}

struct ReminderWorld {
    UploadWorld up{0};
    ReminderBook book = ReminderBook::open(up.db);
    TimePoint t0 = base_time();

    // n unrated cases, each with a reminder filed on `channel`.
    void file(int n, ReminderChannelKind channel, const std::string& phone = kPhone) {
        std::vector<std::pair<std::string, TimePoint>> due;
        for (int i = 0; i < n; ++i) {
            const std::string no = "R-" + std::to_string(i);
            Case c = save_completed_case(*up.store, no, t0);
            c.applicant.phone = PersonalField(PersonalKind::phone, phone);
            up.store->save_case(c);
            due.emplace_back(no, t0 + 24h);
        }
        REQUIRE(book.file(due, channel, t0 + 24h) == n);
    }

    std::optional<ReminderMessage> compose(const ReminderRow& row) const {
        auto c = up.store->find_case(row.case_no);
        if (!c) return std::nullopt;
        ReminderMessage m;
        m.reminder_id = row.id;
        m.case_no = row.case_no;
        m.phone = c->applicant.phone.reveal();
        m.hall_name = "某县政务服务中心";
        m.hall_code = "HALL-1";
        m.item_name = c->item.name;
        m.url = "HTTPS://HCP.EXAMPLE/R/ABC";
        m.text = "请评价：" + m.url;
        m.due_at = row.due_at;
        return m;
    }

    SmsGatewayConfig gateway() const {
        SmsGatewayConfig g;
        g.url = up.platform->base_url() + "/sim/sms";
        g.body = R"({{"mobile":"{phone}","content":"{text}","outId":"{reminder_id}","case_no":"{case_no}"}})";
        g.success_field = "code";
        g.success_value = "OK";
        g.timeout_seconds = 1;
        return g;
    }

    ReminderDelivery deliver(ReminderChannel& ch, ReminderChannelKind kind, TimePoint at, int max_attempts = 3) {
        ReminderConfig cfg;
        cfg.max_attempts = max_attempts;
        cfg.retry_minutes = 1;
        return deliver_due_reminders(
            book, ch, kind, cfg, [&](const ReminderRow& r) { return compose(r); }, at);
    }
};

}  // namespace

TEST_CASE("Reminders: a case is reminded once, ever, and the facts feed the default count") {
    ReminderWorld w;
    w.file(2, ReminderChannelKind::sms);
    CHECK(w.book.file({{"R-0", w.t0 + 48h}}, ReminderChannelKind::sms, w.t0 + 48h) == 0);
    CHECK(w.book.counts()[ReminderState::pending] == 2);
    auto facts = w.book.facts();
    REQUIRE(facts.count("R-0") == 1);
    CHECK_FALSE(facts["R-0"].sent_at);
    CHECK_FALSE(facts["R-0"].given_up);
}

TEST_CASE("Reminders: the SMS gateway gets each reminder once, the phone in the request only") {
    ReminderWorld w;
    w.file(3, ReminderChannelKind::sms);
    auto ch = make_sms_channel(w.gateway());
    auto d = w.deliver(*ch, ReminderChannelKind::sms, w.t0 + 25h);
    CHECK(d.sent == 3);
    CHECK(d.errors.empty());
    auto got = w.up.platform->reminders();
    REQUIRE(got.size() == 3);
    for (const auto& r : got) {
        CHECK(r.times == 1);
        CHECK(r.channel == "sms");
        CHECK(r.phone_masked == "138****1234");
        CHECK_THAT(r.text, Contains("HTTPS://HCP.EXAMPLE/R/ABC"));
    }
    CHECK(w.book.counts()[ReminderState::sent] == 3);
    CHECK(*w.book.facts()["R-1"].sent_at == w.t0 + 25h);
    // Nothing is due any more: a second pass sends nothing.
    CHECK(w.deliver(*ch, ReminderChannelKind::sms, w.t0 + 26h).sent == 0);
    CHECK(w.up.platform->reminders().size() == 3);
}

TEST_CASE("Reminders: a gateway that is down is tried once per pass, with backoff, then given up") {
    ReminderWorld w;
    w.file(2, ReminderChannelKind::sms);
    sim::Faults f;
    f.error_rate = 1.0;  // HTTP 500: certainly not sent
    w.up.platform->set_faults(f);
    auto ch = make_sms_channel(w.gateway());
    auto first = w.deliver(*ch, ReminderChannelKind::sms, w.t0 + 25h);
    CHECK(first.retried == 1);  // stops at the first failure: the other waits for the next pass
    CHECK(first.sent == 0);
    auto row = w.book.find("R-0");
    REQUIRE(row);
    CHECK(row->state == ReminderState::pending);
    CHECK(row->next_attempt_at > w.t0 + 25h);  // backoff
    CHECK_THAT(row->last_error, Contains("HTTP 500"));
    // Past the backoff, twice more: max_attempts = 3 → failed, visible, never sent.
    for (int i = 0; i < 4; ++i) w.deliver(*ch, ReminderChannelKind::sms, w.t0 + 30h + std::chrono::hours{i * 10});
    CHECK(w.book.find("R-0")->state == ReminderState::failed);
    CHECK(w.book.facts()["R-0"].given_up);
    for (const auto& e : first.errors) CHECK(e.find(kPhone) == std::string::npos);
    CHECK(w.up.platform->reminders().empty());
}

TEST_CASE("Reminders: an answer lost after sending is never resent by a gateway that cannot deduplicate") {
    ReminderWorld w;
    w.file(1, ReminderChannelKind::sms);
    sim::Faults f;
    f.reset_rate = 1.0;  // stored, then the connection dies mid-reply
    w.up.platform->set_faults(f);
    auto ch = make_sms_channel(w.gateway());
    auto d = w.deliver(*ch, ReminderChannelKind::sms, w.t0 + 25h);
    CHECK(d.unknown == 1);
    CHECK(w.book.find("R-0")->state == ReminderState::unknown);
    w.up.platform->set_faults({});
    CHECK(w.deliver(*ch, ReminderChannelKind::sms, w.t0 + 48h).sent == 0);
    REQUIRE(w.up.platform->reminders().size() == 1);
    CHECK(w.up.platform->reminders()[0].times == 1);  // the citizen got one SMS
}

TEST_CASE("Reminders: a gateway configured idempotent gets the lost one again and drops the duplicate") {
    ReminderWorld w;
    w.file(1, ReminderChannelKind::sms);
    auto g = w.gateway();
    g.idempotent = true;
    sim::Faults f;
    f.reset_rate = 1.0;
    w.up.platform->set_faults(f);
    auto ch = make_sms_channel(g);
    CHECK(w.deliver(*ch, ReminderChannelKind::sms, w.t0 + 25h).retried == 1);
    w.up.platform->set_faults({});
    CHECK(w.deliver(*ch, ReminderChannelKind::sms, w.t0 + 48h).sent == 1);
    CHECK(w.book.find("R-0")->state == ReminderState::sent);
}

TEST_CASE("Reminders: a number the gateway refuses is failed at once, with the gateway's code") {
    ReminderWorld w;
    w.file(1, ReminderChannelKind::sms, "10012345678");
    auto ch = make_sms_channel(w.gateway());
    auto d = w.deliver(*ch, ReminderChannelKind::sms, w.t0 + 25h);
    CHECK(d.failed == 1);
    auto row = w.book.find("R-0");
    CHECK(row->state == ReminderState::failed);
    CHECK_THAT(row->last_error, Contains("isv.MOBILE_NUMBER_ILLEGAL"));
    CHECK(row->last_error.find("10012345678") == std::string::npos);
}

TEST_CASE("Reminders: a case without a phone number is marked so and nothing is sent") {
    ReminderWorld w;
    w.file(1, ReminderChannelKind::sms, "");
    auto ch = make_sms_channel(w.gateway());
    CHECK(w.deliver(*ch, ReminderChannelKind::sms, w.t0 + 25h).no_phone == 1);
    CHECK(w.book.find("R-0")->state == ReminderState::no_phone);
    CHECK(w.up.platform->reminders().empty());
}

TEST_CASE("Reminders: the platform channel is signed like an upload and deduplicated by id") {
    ReminderWorld w;
    w.file(2, ReminderChannelKind::platform);
    auto ch = make_platform_channel(w.up.config(), test_hall_secret(), "HALL-1", "hub-01");
    CHECK(ch->idempotent());
    auto d = w.deliver(*ch, ReminderChannelKind::platform, w.t0 + 25h);
    CHECK(d.sent == 2);
    auto got = w.up.platform->reminders();
    REQUIRE(got.size() == 2);
    CHECK(got[0].channel == "platform");
    CHECK(got[0].phone_masked == "138****1234");
    // A wrong hall secret: 401, retried later, nothing stored.
    save_completed_case(*w.up.store, "OTHER", w.t0);
    CHECK(w.book.file({{"OTHER", w.t0}}, ReminderChannelKind::platform, w.t0) == 1);
    auto wrong = make_platform_channel(w.up.config(), SecretKey::random(), "HALL-1", "hub-01");
    auto bad = w.deliver(*wrong, ReminderChannelKind::platform, w.t0 + 25h);
    CHECK(bad.retried == 1);
    CHECK(w.up.platform->stats().auth_failures == 1);
}

TEST_CASE("Reminders: rows cut off mid-send are unknown after a restart, or due again when idempotent") {
    ReminderWorld w;
    w.file(2, ReminderChannelKind::sms);
    REQUIRE(w.book.claim(ReminderChannelKind::sms, false, w.t0 + 25h, w.t0 + 26h));
    REQUIRE(w.book.claim(ReminderChannelKind::sms, false, w.t0 + 25h, w.t0 + 26h));
    CHECK(w.book.recover_in_flight(false, w.t0 + 30h) == 2);
    CHECK(w.book.counts()[ReminderState::unknown] == 2);
    ReminderWorld v;
    v.file(1, ReminderChannelKind::sms);
    REQUIRE(v.book.claim(ReminderChannelKind::sms, true, v.t0 + 25h, v.t0 + 26h));
    CHECK(v.book.recover_in_flight(true, v.t0 + 30h) == 1);
    CHECK(v.book.find("R-0")->state == ReminderState::pending);
}

TEST_CASE("Reminders: templates escape each value for where it lands, and sign what the gateway asks") {
    ReminderMessage m;
    m.phone = "13812341234";
    m.text = "请评价 \"引号\" & 100%";
    m.reminder_id = "id-1";
    CHECK(render_reminder_template(R"({{"t":"{text}"}})", m, TemplateEscape::json, "", "", "", "") ==
          R"({"t":"请评价 \"引号\" & 100%"})");
    CHECK(render_reminder_template("t={text}&m={phone}", m, TemplateEscape::form, "", "", "", "") ==
          "t=%E8%AF%B7%E8%AF%84%E4%BB%B7%20%22%E5%BC%95%E5%8F%B7%22%20%26%20100%25&m=13812341234");
    CHECK(render_reminder_template("{unknown}{secret}", m, TemplateEscape::none, "", "", "", "") ==
          "{unknown}{secret}");

    // A gateway that wants md5(app_key + secret) in a header: capture what arrives.
    TempDir dir;
    write_private(dir / "sms.secret", "sms-secret\n");
    httplib::Server capture;
    std::map<std::string, std::string> seen;
    std::mutex mu;
    capture.Post("/send", [&](const httplib::Request& req, httplib::Response& res) {
        std::lock_guard lk(mu);
        seen["sign"] = req.get_header_value("X-Sign");
        seen["key"] = req.get_header_value("X-Key");
        seen["body"] = req.body;
        res.set_content(R"({"result":{"code":0}})", "application/json");
    });
    const int port = capture.bind_to_any_port("127.0.0.1");
    std::thread server([&] { capture.listen_after_bind(); });
    SmsGatewayConfig g;
    g.url = "http://127.0.0.1:" + std::to_string(port) + "/send";
    g.body_kind = SmsGatewayConfig::Body::form;
    g.body = "mobile={phone}&msg={text}";
    g.headers = {"X-Key: {app_key}", "X-Sign: {sign}"};
    g.app_key = "appkey-1";
    g.secret_file = dir / "sms.secret";
    g.signature = SmsGatewayConfig::Signature::md5;
    g.sign_template = "{app_key}{secret}";
    g.success_field = "result.code";
    g.success_value = "0";
    auto ch = make_sms_channel(g);
    auto r = ch->send(m);
    capture.stop();
    server.join();
    CHECK(r.cause == SendCause::accepted);
    CHECK(seen["sign"] == "d29c48be15a8c7a3006d1b9ac1afcce4");  // md5("appkey-1sms-secret")
    CHECK(seen["key"] == "appkey-1");
    CHECK_THAT(seen["body"], Contains("mobile=13812341234"));
}

TEST_CASE("Reminders: a gateway secret readable by others refuses to build the channel") {
    TempDir dir;
    write_file(dir / "sms.secret", "sms-secret\n");
    std::filesystem::permissions(dir / "sms.secret", std::filesystem::perms::others_read,
                                 std::filesystem::perm_options::add);
    SmsGatewayConfig g;
    g.url = "https://sms.example";
    g.secret_file = dir / "sms.secret";
    CHECK_THROWS_WITH(make_sms_channel(g), Contains("chmod 600"));
}

TEST_CASE("Reminders: kill -9 while they are sent loses none and sends none twice", "[faults]") {
    // The gateway (the reference platform) lives in this process; each round a child process
    // opens the book, recovers what a killed predecessor left "sending" and sends until killed.
    for (const bool idempotent : {false, true}) {
        CAPTURE(idempotent);
        ReminderWorld w;
        w.file(120, ReminderChannelKind::sms);
        sim::Faults slow;
        slow.latency_ms = 3;  // a reply takes a moment: kills land during requests
        w.up.platform->set_faults(slow);
        auto g = w.gateway();
        g.idempotent = idempotent;
        g.timeout_seconds = 2;
        const auto db = w.up.db;
        std::mt19937 rng(idempotent ? 11 : 7);
        int rounds = 0;
        for (; rounds < 60; ++rounds) {
            // Phones are read in the parent: the child needs no store key.
            std::map<std::string, std::string> phones;
            for (const auto& row : w.book.list()) phones[row.case_no] = kPhone;
            const pid_t pid = ::fork();
            REQUIRE(pid >= 0);
            if (pid == 0) {
                try {
                    auto book = ReminderBook::open(db);
                    auto ch = make_sms_channel(g);
                    book.recover_in_flight(ch->idempotent(), w.t0 + 25h);
                    ReminderConfig cfg;
                    cfg.max_attempts = 100;
                    for (;;) {
                        auto d = deliver_due_reminders(
                            book, *ch, ReminderChannelKind::sms, cfg,
                            [&](const ReminderRow& r) {
                                ReminderMessage m;
                                m.reminder_id = r.id;
                                m.case_no = r.case_no;
                                m.phone = phones[r.case_no];
                                m.text = "请评价";
                                return std::optional<ReminderMessage>(m);
                            },
                            w.t0 + 25h + std::chrono::hours{24 * 30}, 1);
                        if (d.sent + d.retried + d.failed + d.unknown + d.no_phone == 0) ::_exit(0);
                    }
                } catch (...) {
                    ::_exit(3);
                }
            }
            ::usleep(static_cast<useconds_t>(std::uniform_int_distribution<int>(5, 60)(rng) * 1000));
            ::kill(pid, SIGKILL);
            int status = 0;
            ::waitpid(pid, &status, 0);
            const auto counts = w.book.counts();
            if (counts.count(ReminderState::pending) == 0 && counts.count(ReminderState::sending) == 0) break;
        }
        // Finish what is left without killing.
        {
            auto ch = make_sms_channel(g);
            w.book.recover_in_flight(ch->idempotent(), w.t0 + 26h);
            ReminderConfig cfg;
            cfg.max_attempts = 100;
            w.deliver(*ch, ReminderChannelKind::sms, w.t0 + 24h * 60, 100);
            for (int i = 0; i < 200 && w.book.counts().count(ReminderState::pending) != 0; ++i)
                w.deliver(*ch, ReminderChannelKind::sms, w.t0 + 24h * 60 + std::chrono::hours{i}, 100);
        }
        std::map<std::string, long long> arrived;
        for (const auto& r : w.up.platform->reminders()) arrived[r.id] = r.times;
        long long sent = 0, unknown = 0;
        for (const auto& row : w.book.list()) {
            CAPTURE(row.case_no, to_string(row.state));
            // Lost: none. Every reminder ends sent (and the gateway has it) or visibly unknown.
            CHECK((row.state == ReminderState::sent || row.state == ReminderState::unknown));
            if (row.state == ReminderState::sent) {
                ++sent;
                CHECK(arrived.count(row.id) == 1);
            }
            if (row.state == ReminderState::unknown) ++unknown;
            // Twice: never, unless the gateway drops the copy by id (idempotent).
            if (!idempotent) CHECK(arrived[row.id] <= 1);
        }
        CHECK(sent + unknown == 120);
        if (idempotent) CHECK(unknown == 0);
        WARN("kill -9 rounds " << rounds << ": " << sent << " sent, " << unknown << " unknown (idempotent "
                               << idempotent << ")");
    }
}
