#pragma once
// A hub run as HubService from the demo hall's configuration (paths moved into a temp folder),
// with the reference platform on loopback, a fake clock the test can move, and the log lines
// collected.
#include <atomic>
#include <mutex>
#include <thread>

#include "api_fixture.hpp"
#include "hcp/hub_server/hub_service.hpp"
#include "hcp/token/token.hpp"
#include "hcp/upload/upload.hpp"
#include "platform_sim.hpp"

namespace hcp::test {

inline SecretKey platform_secret() {
    std::array<std::uint8_t, SecretKey::kSize> b{};
    for (size_t i = 0; i < b.size(); ++i) b[i] = static_cast<std::uint8_t>(0xA0 + i);
    return SecretKey::from_bytes(b);
}

inline void write_private(const std::filesystem::path& p, const std::string& text) {
    write_file(p, text);
    std::filesystem::permissions(p, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
}

// Removes the top-level table [name] (header to the next header) when present.
inline void drop_table(std::string& config, const std::string& name) {
    const std::string head = "\n[" + name + "]\n";
    auto p = config.find(head);
    if (p == std::string::npos) return;
    auto end = config.find("\n[", p + head.size() - 1);
    config.erase(p, (end == std::string::npos ? config.size() : end) - p);
}

// Inserts text before the first array of tables ([[…]]), where top-level tables belong.
inline void add_tables(std::string& config, const std::string& text) {
    auto p = config.find("\n[[");
    if (p == std::string::npos) p = config.size();
    config.insert(p, "\n" + text + "\n");
}

struct ServiceSettings {
    bool upload = true;
    bool hall_secret = true;  // write the platform secret file
    bool qr_key = true;       // write the receipt QR key file
    std::string profile = "generic";
    int purge_after_days = 30;
    // Extra tables appended to the configuration; "{PLATFORM}" becomes the platform's base URL.
    std::string extra;
};

struct ServiceWorld {
    TempDir dir;
    std::unique_ptr<sim::PlatformSim> platform;
    int platform_port = 0;
    SecretKey store_key = SecretKey::random();
    std::optional<SecretKey> qr_key;
    std::atomic<long long> clock_offset_ms{0};
    std::mutex log_mutex;
    std::vector<std::string> log_lines;
    std::unique_ptr<HubService> service;
    Config config;

    explicit ServiceWorld(ServiceSettings s = {}) {
        start_platform();
        std::string text = read_file(assets_dir() / "config" / "demo-hall.toml");
        auto replace = [&](const std::string& from, const std::string& to) {
            auto p = text.find(from);
            if (p == std::string::npos) throw std::runtime_error("demo-hall.toml has no " + from);
            text.replace(p, from.size(), to);
        };
        replace("assets = \"..\"", "assets = \"" + assets_dir().string() + "\"");
        replace("data = \"../../var/demo\"", "data = \"" + dir.path().string() + "\"");
        drop_table(text, "api");
        drop_table(text, "upload");
        add_tables(text, "[api]\nlisten = \"127.0.0.1:0\"\ntokens_file = \"api-tokens.toml\"\n");
        if (s.upload)
            add_tables(text, "[upload]\nbase_url = \"" + platform->base_url() +
                                 "\"\nsecret_file = \"platform.secret\"\nprofile = \"" + s.profile +
                                 "\"\nbatch_size = 50\ntimeout_seconds = 2\nconnect_timeout_seconds = 1\n"
                                 "backoff_base_ms = 20\nbackoff_max_ms = 200\nmax_retry_after_seconds = 1\n"
                                 "purge_after_days = " +
                                 std::to_string(s.purge_after_days) + "\n");
        if (!s.extra.empty()) {
            std::string extra = s.extra;
            for (auto p = extra.find("{PLATFORM}"); p != std::string::npos; p = extra.find("{PLATFORM}"))
                extra.replace(p, 10, platform->base_url());
            add_tables(text, extra);
        }
        write_file(dir / "hall.toml", text);
        write_private(dir / "api-tokens.toml", std::string("[[system]]\nid = \"bizsys\"\ntoken = \"") + kSystemToken +
                                                   "\"\n\n[[device]]\nid = \"rater-02\"\ntoken = \"" + kWindow2Token +
                                                   "\"\nwindow = 2\n");
        if (s.hall_secret)
            write_private(dir / "platform.secret", to_hex(platform_secret().bytes().data(), SecretKey::kSize) + "\n");
        if (s.qr_key) qr_key = SecretKey::create_file(dir / "qr-token.key");
        config = load_config(dir / "hall.toml");
    }
    ~ServiceWorld() {
        if (service) service->stop();
    }

    void start_platform(int port = 0) {
        sim::SimOptions so;
        so.database = dir / "platform.db";
        so.secret = platform_secret();
        so.port = port;
        platform = std::make_unique<sim::PlatformSim>(so);
        platform_port = platform->start();
    }
    void stop_platform() {
        platform->stop();
        platform.reset();
    }

    TimePoint clock() const { return hcp::now() + std::chrono::milliseconds{clock_offset_ms.load()}; }
    void advance(std::chrono::milliseconds by) { clock_offset_ms += by.count(); }

    HubServiceOptions options() {
        HubServiceOptions o;
        o.clock = [this] { return clock(); };
        o.log = [this](const std::string& line) {
            std::lock_guard lock(log_mutex);
            log_lines.push_back(line);
        };
        return o;
    }
    Result<std::unique_ptr<HubService>, HubStartFailure> try_start() {
        return HubService::start(config, store_key, options());
    }
    HubService& start() {
        auto r = try_start();
        if (!r) throw std::runtime_error("hub service did not start: " + r.error().detail);
        service = std::move(r.value());
        return *service;
    }
    std::string log() {
        std::lock_guard lock(log_mutex);
        std::string out;
        for (const auto& l : log_lines) out += l + "\n";
        return out;
    }

    httplib::Client client(const std::string& token = {}) const {
        httplib::Client c("127.0.0.1", service->api_port().value_or(0));
        c.set_connection_timeout(2, 0);
        c.set_read_timeout(5, 0);
        if (!token.empty()) c.set_bearer_token_auth(token);
        return c;
    }
    json post_case(const json& body) {
        auto r = client(kSystemToken).Post("/api/v1/cases", body.dump(), "application/json");
        if (!r || r->status != 201) throw std::runtime_error("POST /cases failed: " + (r ? r->body : "no response"));
        return json::parse(r->body);
    }
    // Reports a completed case on window 2 and rates it through the API as the window's terminal.
    std::string report_and_rate(const std::string& case_no, int level = 5) {
        post_case(case_body(case_no));
        auto r = client(kWindow2Token).Post("/api/v1/ratings", rating_body(case_no, level).dump(), "application/json");
        if (!r || r->status != 201) throw std::runtime_error("POST /ratings failed: " + (r ? r->body : "no response"));
        return json::parse(r->body).at("rating_id").get<std::string>();
    }
    json sync_json() {
        auto r = client(kSystemToken).Get("/api/v1/sync");
        if (!r || r->status != 200) throw std::runtime_error("GET /sync failed");
        return json::parse(r->body);
    }
    // Every rating uploaded and the uploader's success noted (it acks, then notes: two steps).
    bool drained(long long uploaded) const {
        auto s = service->sync_state();
        return s.uploaded == uploaded && s.not_uploaded == 0 && s.last_success_at && s.last_error.empty();
    }
    // Waits (bounded) until `done` holds; returns whether it did.
    template <class F>
    static bool eventually(F done, std::chrono::milliseconds limit = std::chrono::seconds(15)) {
        const auto until = std::chrono::steady_clock::now() + limit;
        while (std::chrono::steady_clock::now() < until) {
            if (done()) return true;
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
        return done();
    }
};

}  // namespace hcp::test
