// The reference platform (platform_sim.hpp). cpp-httplib serves plain HTTP on loopback; one
// mutex serialises the database, so each batch is processed in one transaction.
#include "platform_sim.hpp"

#include <httplib.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <atomic>
#include <condition_variable>
#include <filesystem>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <random>
#include <set>
#include <sstream>
#include <thread>

#include "hcp/base/error.hpp"
#include "hcp/base/personal.hpp"
#include "hcp/base/time.hpp"
#include "hcp/sql/sqlite.hpp"
#include "hcp/upload/upload.hpp"

namespace hcp::sim {

using json = nlohmann::json;

namespace {

// Closes the connection a request came on before any answer is written. cpp-httplib gives a
// handler no access to its socket, so the one whose peer is the request's address and port is
// looked up among the process's descriptors; its own answer then fails to send.
void drop_connection(const std::string& peer_addr, int peer_port) {
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator("/proc/self/fd", ec)) {
        int fd = -1;
        try {
            fd = std::stoi(entry.path().filename().string());
        } catch (const std::exception&) {
            continue;
        }
        sockaddr_storage ss{};
        socklen_t len = sizeof ss;
        if (::getpeername(fd, reinterpret_cast<sockaddr*>(&ss), &len) != 0) continue;
        char text[INET6_ADDRSTRLEN] = {};
        int port = 0;
        if (ss.ss_family == AF_INET) {
            const auto* a = reinterpret_cast<const sockaddr_in*>(&ss);
            ::inet_ntop(AF_INET, &a->sin_addr, text, sizeof text);
            port = ntohs(a->sin_port);
        } else if (ss.ss_family == AF_INET6) {
            const auto* a = reinterpret_cast<const sockaddr_in6*>(&ss);
            ::inet_ntop(AF_INET6, &a->sin6_addr, text, sizeof text);
            port = ntohs(a->sin6_port);
        } else {
            continue;
        }
        if (port == peer_port && peer_addr == text) ::shutdown(fd, SHUT_RDWR);
    }
}

constexpr const char* kSchema = R"sql(
PRAGMA journal_mode = WAL;
PRAGMA synchronous = NORMAL;
CREATE TABLE IF NOT EXISTS arrivals (
  id          TEXT PRIMARY KEY,
  device      TEXT NOT NULL,
  hall        TEXT NOT NULL,
  seq         INTEGER NOT NULL,
  prev_hash   TEXT NOT NULL,
  hash        TEXT NOT NULL,
  level       INTEGER NOT NULL,
  item_name   TEXT NOT NULL,
  channel     TEXT NOT NULL,
  is_default  INTEGER NOT NULL,
  tapped_at   TEXT NOT NULL,
  received_at INTEGER NOT NULL,
  times       INTEGER NOT NULL DEFAULT 1,
  status      TEXT NOT NULL,
  reason      TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS arrivals_chain ON arrivals(device, seq);
CREATE TABLE IF NOT EXISTS heads (device TEXT NOT NULL, seq INTEGER NOT NULL, hash TEXT NOT NULL, PRIMARY KEY (device, seq));
CREATE TABLE IF NOT EXISTS chain_events (device TEXT NOT NULL, seq INTEGER NOT NULL, kind TEXT NOT NULL, detail TEXT NOT NULL, at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS nonces (nonce TEXT PRIMARY KEY, at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS reminders (
  id TEXT PRIMARY KEY, channel TEXT NOT NULL, case_no TEXT NOT NULL, phone_masked TEXT NOT NULL,
  text TEXT NOT NULL, times INTEGER NOT NULL DEFAULT 1, first_at INTEGER NOT NULL
);
)sql";

bool is_hex(const std::string& s, size_t n) {
    if (s.size() != n) return false;
    for (char c : s)
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
    return true;
}

std::string html_escape(const std::string& s) {
    std::string o;
    for (char c : s) {
        switch (c) {
            case '<': o += "&lt;"; break;
            case '>': o += "&gt;"; break;
            case '&': o += "&amp;"; break;
            case '"': o += "&quot;"; break;
            default: o += c;
        }
    }
    return o;
}

// The canonical record of docs/upload-protocol.md §2, built from the item's own fields: what a
// receiver written from the doc does. nlohmann's dump() sorts keys and emits no spaces, which
// is exactly the documented form. Returns nullopt with `why` when a field is unusable.
std::optional<std::string> canonical_hash(const json& it, const std::string& device, const std::string& hall,
                                          std::string& why) {
    if (!it.is_object()) {
        why = "item is not an object";
        return std::nullopt;
    }
    json c = json::object();
    auto need = [&](const char* field, bool (json::*is)() const noexcept, const char* type) -> bool {
        if (!it.contains(field) || !(it[field].*is)()) {
            why = std::string("cannot recompute the hash: \"") + field + "\" is missing or not " + type;
            return false;
        }
        c[field] = it[field];
        return true;
    };
    auto strings = [&](const char* field, const char* as) -> bool {
        if (!it.contains(field) || !it[field].is_array()) {
            why = std::string("cannot recompute the hash: \"") + field + "\" is missing or not an array of strings";
            return false;
        }
        for (const auto& e : it[field])
            if (!e.is_string()) {
                why = std::string("cannot recompute the hash: \"") + field + "\" is not an array of strings";
                return false;
            }
        c[as] = it[field];
        return true;
    };
    using J = json;
    if (!need("id", &J::is_string, "a string") || !need("seq", &J::is_number_integer, "an integer") ||
        !need("stage", &J::is_string, "a string") || !need("target", &J::is_string, "a string") ||
        !need("level", &J::is_number_integer, "an integer") || !need("text", &J::is_string, "a string") ||
        !need("channel", &J::is_string, "a string") || !need("catalog_id", &J::is_string, "a string") ||
        !need("catalog_version", &J::is_number_integer, "an integer") || !need("public", &J::is_boolean, "a boolean") ||
        !need("default", &J::is_boolean, "a boolean") || !need("area_code", &J::is_string, "a string") ||
        !need("item_code", &J::is_string, "a string") || !need("item_name", &J::is_string, "a string") ||
        !need("kind", &J::is_string, "a string") || !need("window", &J::is_number_integer, "an integer") ||
        !need("staff_name", &J::is_string, "a string") || !strings("case_nos", "case_nos") ||
        !strings("options", "option_codes") || !strings("option_labels", "option_labels"))
        return std::nullopt;
    if (!it.contains("staff_no") || !it["staff_no"].is_string()) {
        why = "cannot recompute the hash: \"staff_no\" is missing or not a string";
        return std::nullopt;
    }
    c["staff_number"] = it["staff_no"];
    auto tapped = it.contains("tapped_at") && it["tapped_at"].is_string()
                      ? parse_iso8601(it["tapped_at"].get<std::string>())
                      : std::nullopt;
    if (!tapped) {
        why = "cannot recompute the hash: \"tapped_at\" is missing or not ISO 8601";
        return std::nullopt;
    }
    c["tapped_at_ms"] = tapped->time_since_epoch().count();
    if (!it.contains("prev_hash") || !it["prev_hash"].is_string()) {
        why = "cannot recompute the hash: \"prev_hash\" is missing";
        return std::nullopt;
    }
    c["v"] = 1;
    c["device_id"] = device;
    c["hall_code"] = hall;
    const std::string canonical = c.dump(-1, ' ', false, json::error_handler_t::replace);
    return sha256_hex(it["prev_hash"].get<std::string>() + "\n" + canonical);
}

// The simulator's own database: made if missing, waited for when another process holds a lock.
sql::Db open_db(const std::filesystem::path& path) {
    try {
        return sql::Db(path, sql::Db::Mode::read_write_create);
    } catch (const sql::SqliteError& e) {
        throw Error(Errc::io_failure, std::string("platform-sim: ") + e.what());
    }
}

long long now_s() {
    return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

}  // namespace

struct PlatformSim::Impl {
    SimOptions options;
    sql::Db db;
    mutable std::mutex mutex;  // db, faults, stats, rng
    Faults faults;
    SimStats stats;
    std::mt19937_64 rng;
    std::unique_ptr<httplib::Server> server_ptr;
    httplib::Server& server;
    std::thread thread;
    int port = 0;
    std::atomic<bool> stopping{false};
    std::mutex sleep_mutex;
    std::condition_variable sleep_cv;

    static std::unique_ptr<httplib::Server> make_server(const SimOptions& o) {
        if (o.tls_cert.empty() || o.tls_key.empty()) return std::make_unique<httplib::Server>();
        auto s = std::make_unique<httplib::SSLServer>(o.tls_cert.c_str(), o.tls_key.c_str());
        if (!s->is_valid())
            throw Error(Errc::io_failure, "platform-sim: cannot load TLS certificate " + o.tls_cert.string());
        return s;
    }

    explicit Impl(SimOptions o)
        : options(std::move(o)),
          db(open_db(options.database)),
          rng(options.seed),
          server_ptr(make_server(options)),
          server(*server_ptr) {
        db.exec(kSchema);
        sql::Statement st(db, "SELECT COUNT(*) FROM arrivals");
        if (st.step()) stats.stored = st.column_int(0);
    }

    bool roll(double p) {
        if (p <= 0) return false;
        return std::uniform_real_distribution<double>(0, 1)(rng) < p;
    }
    // Sleeps, but wakes at stop().
    void pause(int ms) {
        std::unique_lock<std::mutex> lk(sleep_mutex);
        sleep_cv.wait_for(lk, std::chrono::milliseconds{ms}, [&] { return stopping.load(); });
    }

    void reply_error(httplib::Response& res, int status, const std::string& msg) {
        res.status = status;
        res.set_content(json{{"error", msg}}.dump(), "application/json");
    }

    std::string check_auth(const httplib::Request& req, const std::string& device_in_body);
    json process(const json& body, std::vector<std::string>& chain_notes);
    void handle_batch(const httplib::Request& req, httplib::Response& res);
    void handle_page(httplib::Response& res);
    void handle_reminders(const httplib::Request& req, httplib::Response& res);
    void handle_sms(const httplib::Request& req, httplib::Response& res);
    // Stores one reminder (masked phone); true when it is new.
    bool remember(const std::string& channel, const std::string& id, const std::string& case_no,
                  const std::string& phone, const std::string& text);
    // Injected before/after faults of the reminder routes: true when the reply is already made.
    bool fault_before(httplib::Response& res, bool& reset, bool& timeout);
    void fault_after(httplib::Response& res, bool reset, bool timeout);
};

bool PlatformSim::Impl::remember(const std::string& channel, const std::string& id, const std::string& case_no,
                                 const std::string& phone, const std::string& text) {
    sql::Statement ins(db,
                       "INSERT INTO reminders(id, channel, case_no, phone_masked, text, first_at) VALUES (?,?,?,?,?,?) "
                       "ON CONFLICT(id) DO UPDATE SET times = times + 1");
    ins.bind(1, id).bind(2, channel).bind(3, case_no).bind(4, mask_phone(phone)).bind(5, text).bind(6, now_s());
    ins.step();
    sql::Statement times(db, "SELECT times FROM reminders WHERE id = ?");
    times.bind(1, id);
    return times.step() && times.column_int(0) == 1;
}

bool PlatformSim::Impl::fault_before(httplib::Response& res, bool& reset, bool& timeout) {
    std::lock_guard<std::mutex> lk(mutex);
    ++stats.requests;
    const bool error = roll(faults.error_rate);
    reset = roll(faults.reset_rate);
    timeout = roll(faults.timeout_rate);
    if (error || reset || timeout) ++stats.faults;
    if (error) {
        reply_error(res, 500, "injected server error");
        return true;
    }
    return false;
}

void PlatformSim::Impl::fault_after(httplib::Response& res, bool reset, bool timeout) {
    int timeout_ms = 0;
    {
        std::lock_guard<std::mutex> lk(mutex);
        timeout_ms = faults.timeout_ms;
    }
    if (timeout) pause(timeout_ms);
    if (reset) {
        res.body.clear();  // a body set before would be sent instead of the provider
        res.set_content_provider(4096, "application/json", [](size_t, size_t, httplib::DataSink& sink) {
            sink.write("{\"res", 5);
            return false;
        });
    }
}

// POST /v1/reminders (docs/upload-protocol.md §7): the platform sends the SMS itself; it
// deduplicates by reminder id forever, like ratings.
void PlatformSim::Impl::handle_reminders(const httplib::Request& req, httplib::Response& res) {
    bool reset = false, timeout = false;
    if (fault_before(res, reset, timeout)) return;
    json body = json::parse(req.body, nullptr, false);
    if (body.is_discarded() || !body.is_object() || !body.contains("device") || !body["device"].is_string() ||
        !body.contains("reminders") || !body["reminders"].is_array() || body["reminders"].size() > 1000)
        return reply_error(res, 400, "body must be {\"device\", \"hall\", \"reminders\": [...]} (at most 1000)");
    json results = json::array();
    {
        std::lock_guard<std::mutex> lk(mutex);
        std::string auth = check_auth(req, body["device"].get<std::string>());
        if (!auth.empty()) {
            ++stats.auth_failures;
            res.status = 401;
            res.set_content(json{{"error", auth}, {"server_time", now_s()}}.dump(), "application/json");
            return;
        }
        for (const auto& it : body["reminders"]) {
            const std::string id = it.is_object() ? it.value("id", std::string()) : std::string();
            const std::string phone = it.is_object() ? it.value("phone", std::string()) : std::string();
            if (id.empty() || phone.empty()) {
                results.push_back({{"id", id}, {"status", "rejected"}, {"reason", "id and phone are required"}});
                continue;
            }
            const bool fresh =
                remember("platform", id, it.value("case_no", std::string()), phone, it.value("text", std::string()));
            results.push_back({{"id", id}, {"status", fresh ? "accepted" : "duplicate"}});
        }
    }
    res.set_content(json{{"results", results}}.dump(), "application/json");
    fault_after(res, reset, timeout);
}

// POST /sim/sms: a stand-in SMS gateway of the common shape (JSON {"mobile", "content",
// "outId"}, answer {"code": "OK"}). A mobile starting with 100 is refused ({"code":
// "isv.MOBILE_NUMBER_ILLEGAL"}), as real gateways refuse a bad number.
void PlatformSim::Impl::handle_sms(const httplib::Request& req, httplib::Response& res) {
    bool reset = false, timeout = false;
    if (fault_before(res, reset, timeout)) return;
    json body = json::parse(req.body, nullptr, false);
    if (body.is_discarded() || !body.is_object() || !body.contains("mobile") || !body["mobile"].is_string() ||
        !body.contains("outId") || !body["outId"].is_string())
        return reply_error(res, 400, "body must be {\"mobile\", \"content\", \"outId\"}");
    const std::string mobile = body["mobile"].get<std::string>();
    if (mobile.rfind("100", 0) == 0) {
        res.set_content(R"({"code":"isv.MOBILE_NUMBER_ILLEGAL","message":"invalid mobile"})", "application/json");
        return;
    }
    {
        std::lock_guard<std::mutex> lk(mutex);
        remember("sms", body["outId"].get<std::string>(), body.value("case_no", std::string()), mobile,
                 body.value("content", std::string()));
    }
    res.set_content(R"({"code":"OK","message":"sent"})", "application/json");
    fault_after(res, reset, timeout);
}

std::string PlatformSim::Impl::check_auth(const httplib::Request& req, const std::string& device_in_body) {
    auto device = req.get_header_value("X-Hcp-Device");
    auto ts = req.get_header_value("X-Hcp-Timestamp");
    auto nonce = req.get_header_value("X-Hcp-Nonce");
    auto sig = req.get_header_value("X-Hcp-Signature");
    if (device.empty() || ts.empty() || nonce.empty() || sig.empty()) return "missing X-Hcp-* header";
    if (device != device_in_body) return "X-Hcp-Device does not match the body's device";
    long long t = 0;
    try {
        size_t used = 0;
        t = std::stoll(ts, &used);
        if (used != ts.size()) return "X-Hcp-Timestamp is not an integer";
    } catch (const std::exception&) {
        return "X-Hcp-Timestamp is not an integer";
    }
    long long skew = now_s() - t;
    if (skew > options.replay_window_seconds || -skew > options.replay_window_seconds)
        return "X-Hcp-Timestamp outside the replay window (" + std::to_string(skew) + " s skew)";
    if (nonce.size() < 16 || nonce.size() > 64) return "X-Hcp-Nonce must be 16..64 characters";
    std::string expected = sign_request(options.secret, "POST", req.path, ts, nonce, req.body);
    if (sig.size() != expected.size() || !equal_constant_time(sig, expected)) return "bad X-Hcp-Signature";
    // The nonce is remembered only once the signature is valid (nobody can burn others' nonces).
    sql::Statement purge(db, "DELETE FROM nonces WHERE at < ?");
    purge.bind(1, now_s() - 2LL * options.replay_window_seconds).step();
    sql::Statement ins(db, "INSERT OR IGNORE INTO nonces(nonce, at) VALUES (?, ?)");
    ins.bind(1, nonce).bind(2, now_s()).step();
    if (db.changes() == 0) return "X-Hcp-Nonce replayed";
    return {};
}

json PlatformSim::Impl::process(const json& body, std::vector<std::string>& chain_notes) {
    const std::string device = body["device"].get<std::string>();
    const std::string hall = body["hall"].get<std::string>();
    json results = json::array();
    auto& d = db;
    sql::Transaction tx(db);
    {
        auto event = [&](long long seq, const std::string& kind, const std::string& detail) {
            sql::Statement e(d, "INSERT INTO chain_events(device, seq, kind, detail, at) VALUES (?, ?, ?, ?, ?)");
            e.bind(1, device).bind(2, seq).bind(3, kind).bind(4, detail).bind(5, now_s()).step();
            chain_notes.push_back(kind + " at " + device + " seq " + std::to_string(seq) + ": " + detail);
        };
        for (const auto& it : body["items"]) {
            json r = {{"id", it.is_object() && it.contains("id") && it["id"].is_string() ? it["id"].get<std::string>()
                                                                                         : std::string()}};
            auto reject = [&](const std::string& why) {
                r["status"] = "rejected";
                r["reason"] = why;
                ++stats.rejected;
            };
            const std::string id = r["id"].get<std::string>();
            if (id.empty()) {
                reject("item without an id");
                results.push_back(r);
                continue;
            }
            auto str = [&](const char* k) {
                return it.contains(k) && it[k].is_string() ? it[k].get<std::string>() : std::string();
            };
            long long seq = it.contains("seq") && it["seq"].is_number_integer() ? it["seq"].get<long long>() : 0;
            // Recompute the hash from the item's own fields: a rating altered after it was hashed
            // (in the hub's database, or on the way) does not match its hash.
            std::string unhashable;
            const auto recomputed = canonical_hash(it, device, hall, unhashable);
            const bool hash_matches = recomputed && *recomputed == str("hash");
            sql::Statement seen(d, "SELECT hash, status, reason, seq FROM arrivals WHERE id = ?");
            seen.bind(1, id);
            if (seen.step()) {
                // Stored once, forever: the first arrival stands and the answer stays the same.
                // Different content under a known id is a rewritten rating: reported, not stored.
                if (seen.column_text(1) == "rejected") {
                    reject(seen.column_text(2));
                    results.push_back(r);
                    continue;
                }
                if (str("hash") != seen.column_text(0) || !hash_matches)
                    event(seen.column_int(3), "fork",
                          "rating " + id + " was resent with other content than the copy accepted before");
                sql::Statement up(d, "UPDATE arrivals SET times = times + 1 WHERE id = ?");
                up.bind(1, id).step();
                r["status"] = "duplicate";
                ++stats.duplicates;
                results.push_back(r);
                continue;
            }
            long long level =
                it.contains("level") && it["level"].is_number_integer() ? it["level"].get<long long>() : 0;
            std::string hash = str("hash"), prev = str("prev_hash"), tapped = str("tapped_at"), area = str("area_code");
            std::string why;
            if (id.size() != 36)
                why = "id is not a UUID";
            else if (seq < 1)
                why = "seq must be a positive integer";
            else if (!is_hex(hash, 64) || !is_hex(prev, 64))
                why = "hash and prev_hash must be 64 lowercase hex digits";
            else if (level < 1 || level > 5)
                why = "level must be 1..5";
            else if (!parse_iso8601(tapped) || tapped.find('T') == std::string::npos)
                why = "tapped_at is not ISO 8601";
            else if (area.size() != 12 || area.find_first_not_of("0123456789") != std::string::npos)
                why = "area_code must be 12 digits";
            else if (level <= 2 && (!it.contains("options") || !it["options"].is_array() || it["options"].empty()) &&
                     str("text").empty())
                why = "差评 needs at least one option or text";
            else if (!recomputed)
                why = unhashable;
            else if (!hash_matches)
                why = "hash does not match the rating's fields (altered after it was recorded)";
            const std::string status = why.empty() ? "accepted" : "rejected";
            sql::Statement ins(
                d,
                "INSERT INTO arrivals(id, device, hall, seq, prev_hash, hash, level, item_name, channel, is_default, "
                "tapped_at, received_at, status, reason) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
            ins.bind(1, id)
                .bind(2, device)
                .bind(3, hall)
                .bind(4, seq)
                .bind(5, prev)
                .bind(6, hash)
                .bind(7, level)
                .bind(8, str("item_name"))
                .bind(9, str("channel"))
                .bind(10,
                      static_cast<long long>(
                          it.contains("default") && it["default"].is_boolean() && it["default"].get<bool>() ? 1 : 0))
                .bind(11, tapped)
                .bind(12, now_s())
                .bind(13, status)
                .bind(14, why)
                .step();
            ++stats.stored;
            if (!why.empty()) {
                if (recomputed && !hash_matches) event(seq, "altered", "rating " + id + ": " + why);
                reject(why);
                results.push_back(r);
                continue;
            }
            r["status"] = "accepted";
            ++stats.accepted;
            results.push_back(r);
            // Chain continuity: the link to the neighbours that already arrived.
            sql::Statement same(d,
                                "SELECT id, hash FROM arrivals WHERE device = ? AND seq = ? AND id != ? "
                                "AND status = 'accepted'");
            same.bind(1, device).bind(2, seq).bind(3, id);
            if (same.step() && same.column_text(1) != hash)
                event(seq, "fork", "two ratings claim this seq: " + same.column_text(0) + " and " + id);
            sql::Statement before(d,
                                  "SELECT hash FROM arrivals WHERE device = ? AND seq = ? AND id != ? "
                                  "AND status = 'accepted'");
            before.bind(1, device).bind(2, seq - 1).bind(3, id);
            if (before.step() && before.column_text(0) != prev)
                event(seq, "fork", "prev_hash does not match seq " + std::to_string(seq - 1));
            if (seq == 1 && prev != kGenesisHash) event(seq, "fork", "seq 1 must start from the genesis hash");
            sql::Statement after(d,
                                 "SELECT prev_hash FROM arrivals WHERE device = ? AND seq = ? AND id != ? "
                                 "AND status = 'accepted'");
            after.bind(1, device).bind(2, seq + 1).bind(3, id);
            if (after.step() && after.column_text(0) != hash)
                event(seq + 1, "fork", "its prev_hash does not match seq " + std::to_string(seq));
        }
        // The chain head witness: the same seq must always come with the same hash.
        if (body.contains("chain_head") && body["chain_head"].is_object()) {
            const auto& h = body["chain_head"];
            long long hseq = h.value("seq", 0LL);
            std::string hhash = h.value("hash", std::string());
            sql::Statement old(d, "SELECT hash FROM heads WHERE device = ? AND seq = ?");
            old.bind(1, device).bind(2, hseq);
            if (old.step()) {
                if (old.column_text(0) != hhash)
                    event(hseq, "head_rewritten",
                          "chain head seq " + std::to_string(hseq) + " reported with another hash");
            } else {
                sql::Statement put(d, "INSERT INTO heads(device, seq, hash) VALUES (?, ?, ?)");
                put.bind(1, device).bind(2, hseq).bind(3, hhash).step();
            }
        }
    }
    tx.commit();
    return results;
}

void PlatformSim::Impl::handle_batch(const httplib::Request& req, httplib::Response& res) {
    Faults f;
    bool before_error = false, burst = false, reset = false, timeout = false, garbage = false, dup = false,
         drop = false;
    {
        std::lock_guard<std::mutex> lk(mutex);
        ++stats.requests;
        f = faults;
        if (faults.burst_429 > 0) {
            --faults.burst_429;
            burst = true;
        } else if (faults.drop_next > 0) {
            --faults.drop_next;
            drop = true;
        } else {
            before_error = roll(f.error_rate);
            reset = roll(f.reset_rate);
            timeout = roll(f.timeout_rate);
            garbage = roll(f.garbage_rate);
            dup = roll(f.duplicate_reply_rate);
        }
        if (burst || before_error || reset || timeout || garbage || dup || drop || !f.hostile.empty()) ++stats.faults;
    }
    if (burst) {
        res.status = 429;
        res.set_header("Retry-After", std::to_string(f.retry_after_seconds));
        res.set_content(R"({"error":"too many requests"})", "application/json");
        return;
    }
    if (before_error) return reply_error(res, 500, "injected server error");

    json body = json::parse(req.body, nullptr, false);
    if (body.is_discarded() || !body.is_object() || !body.contains("device") || !body["device"].is_string() ||
        !body.contains("hall") || !body["hall"].is_string() || !body.contains("items") || !body["items"].is_array())
        return reply_error(res, 400, "body must be {\"device\", \"hall\", \"chain_head\", \"items\": [...]}");
    if (body["items"].size() > 1000) return reply_error(res, 413, "at most 1000 items per batch");

    json results;
    std::vector<std::string> notes;
    {
        std::lock_guard<std::mutex> lk(mutex);
        std::string auth = check_auth(req, body["device"].get<std::string>());
        if (!auth.empty()) {
            ++stats.auth_failures;
            // server_time lets the hub tell the admin how far its clock is off (§4).
            res.status = 401;
            res.set_content(json{{"error", auth}, {"server_time", now_s()}}.dump(), "application/json");
            return;
        }
        results = process(body, notes);
    }
    if (drop) return drop_connection(req.remote_addr, req.remote_port);
    if (f.latency_ms > 0) pause(f.latency_ms);
    if (timeout) pause(f.timeout_ms);
    if (reset) {
        // Promise 4096 bytes, send a few, then give up: the client sees the connection die.
        res.set_content_provider(4096, "application/json", [](size_t, size_t, httplib::DataSink& sink) {
            sink.write("{\"results\":[", 12);
            return false;
        });
        return;
    }
    if (garbage) {
        res.set_content("<html>502 Bad Gateway</html>\x01\x02", "application/json");
        return;
    }
    if (dup) {
        json twice = json::array();
        for (const auto& r : results) {
            twice.push_back(r);
            twice.push_back(r);
        }
        results = twice;
    }
    const std::string reply = json{{"results", results}}.dump();
    if (f.hostile == "malformed_json")
        res.set_content(reply.substr(0, reply.size() / 2), "application/json");
    else if (f.hostile == "wrong_content_type")
        res.set_content(reply, "text/html");
    else if (f.hostile == "giant_body")
        res.set_content(std::string(4 * 1024 * 1024, ' ') + reply, "application/json");
    else if (f.hostile == "redirect") {
        res.status = 302;
        res.set_header("Location", "http://127.0.0.2:9/v1/evaluations:batch");
    } else if (f.hostile == "missing_results")
        res.set_content(R"({"results":[]})", "application/json");
    else
        res.set_content(reply, "application/json");
}

void PlatformSim::Impl::handle_page(httplib::Response& res) {
    std::ostringstream o;
    o << "<!doctype html><html lang=zh><meta charset=utf-8><meta http-equiv=refresh content=5>"
         "<title>好差评 reference platform</title><style>body{font-family:sans-serif}td,th{padding:2px 8px;"
         "border-bottom:1px solid #ddd}</style><h1>好差评 reference platform</h1>";
    std::lock_guard<std::mutex> lk(mutex);
    o << "<p>requests " << stats.requests << " · accepted " << stats.accepted << " · duplicates " << stats.duplicates
      << " · rejected " << stats.rejected << " · auth failures " << stats.auth_failures << " · stored " << stats.stored
      << "</p>";
    o << "<h2>Chain events</h2><ul>";
    sql::Statement ev(db, "SELECT device, seq, kind, detail FROM chain_events ORDER BY rowid DESC LIMIT 50");
    while (ev.step())
        o << "<li>" << html_escape(ev.column_text(2)) << " " << html_escape(ev.column_text(0)) << " seq "
          << ev.column_int(1) << ": " << html_escape(ev.column_text(3)) << "</li>";
    o << "</ul><h2>Latest arrivals</h2><table><tr><th>received</th><th>device</th><th>seq</th><th>level</th>"
         "<th>item</th><th>channel</th><th>default</th><th>tapped at</th><th>status</th><th>times</th></tr>";
    sql::Statement st(
        db,
        "SELECT received_at, device, seq, level, item_name, channel, is_default, tapped_at, status, reason, "
        "times FROM arrivals ORDER BY rowid DESC LIMIT 200");
    while (st.step()) {
        auto t = TimePoint{std::chrono::seconds{st.column_int(0)}};
        o << "<tr><td>" << format_iso8601(t) << "</td><td>" << html_escape(st.column_text(1)) << "</td><td>"
          << st.column_int(2) << "</td><td>" << st.column_int(3) << "</td><td>" << html_escape(st.column_text(4))
          << "</td><td>" << html_escape(st.column_text(5)) << "</td><td>" << (st.column_int(6) ? "yes" : "")
          << "</td><td>" << html_escape(st.column_text(7)) << "</td><td>" << html_escape(st.column_text(8)) << " "
          << html_escape(st.column_text(9)) << "</td><td>" << st.column_int(10) << "</td></tr>";
    }
    o << "</table></html>";
    res.set_content(o.str(), "text/html; charset=utf-8");
}

PlatformSim::PlatformSim(SimOptions options) : m_impl(std::make_unique<Impl>(std::move(options))) {
    Impl* impl = m_impl.get();
    impl->server.Post("/v1/evaluations:batch", [impl](const httplib::Request& req, httplib::Response& res) {
        try {
            impl->handle_batch(req, res);
        } catch (const std::exception& e) {
            impl->reply_error(res, 500, e.what());
        }
    });
    impl->server.Post("/v1/reminders", [impl](const httplib::Request& req, httplib::Response& res) {
        try {
            impl->handle_reminders(req, res);
        } catch (const std::exception& e) {
            impl->reply_error(res, 500, e.what());
        }
    });
    impl->server.Post("/sim/sms", [impl](const httplib::Request& req, httplib::Response& res) {
        try {
            impl->handle_sms(req, res);
        } catch (const std::exception& e) {
            impl->reply_error(res, 500, e.what());
        }
    });
    impl->server.Get("/", [impl](const httplib::Request&, httplib::Response& res) { impl->handle_page(res); });
    impl->server.Get("/sim/stats", [this](const httplib::Request&, httplib::Response& res) {
        auto s = stats();
        json events = json::array();
        for (const auto& e : chain_events())
            events.push_back({{"device", e.device}, {"seq", e.seq}, {"kind", e.kind}, {"detail", e.detail}});
        res.set_content(json{{"requests", s.requests},
                             {"accepted", s.accepted},
                             {"duplicates", s.duplicates},
                             {"rejected", s.rejected},
                             {"auth_failures", s.auth_failures},
                             {"faults", s.faults},
                             {"stored", s.stored},
                             {"chain_events", events}}
                            .dump(),
                        "application/json");
    });
    impl->server.Post("/sim/faults", [this](const httplib::Request& req, httplib::Response& res) {
        json j = json::parse(req.body, nullptr, false);
        if (j.is_discarded() || !j.is_object()) {
            res.status = 400;
            return;
        }
        Faults f;
        f.error_rate = j.value("error_rate", 0.0);
        f.burst_429 = j.value("burst_429", 0);
        f.retry_after_seconds = j.value("retry_after_seconds", 1);
        f.latency_ms = j.value("latency_ms", 0);
        f.reset_rate = j.value("reset_rate", 0.0);
        f.timeout_rate = j.value("timeout_rate", 0.0);
        f.timeout_ms = j.value("timeout_ms", 3000);
        f.garbage_rate = j.value("garbage_rate", 0.0);
        f.duplicate_reply_rate = j.value("duplicate_reply_rate", 0.0);
        f.drop_next = j.value("drop_next", 0);
        f.hostile = j.value("hostile", std::string());
        set_faults(f);
        res.set_content(R"({"ok":true})", "application/json");
    });
    impl->server.set_payload_max_length(64 * 1024 * 1024);
    // An idle keep-alive connection holds a worker thread; a short wait keeps stop() prompt.
    impl->server.set_keep_alive_timeout(1);
}

PlatformSim::~PlatformSim() {
    stop();
}

int PlatformSim::start() {
    Impl* impl = m_impl.get();
    impl->stopping = false;
    int p = impl->options.port == 0
                ? impl->server.bind_to_any_port(impl->options.host)
                : (impl->server.bind_to_port(impl->options.host, impl->options.port) ? impl->options.port : -1);
    if (p <= 0)
        throw Error(Errc::io_failure,
                    "platform-sim: cannot listen on " + impl->options.host + ":" + std::to_string(impl->options.port));
    impl->port = p;
    impl->thread = std::thread([impl] { impl->server.listen_after_bind(); });
    // stop() before the accept loop runs would be lost (httplib checks is_running()), so wait
    // until it runs; bounded, a few milliseconds in practice.
    for (int i = 0; i < 5000 && !impl->server.is_running(); ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds{1});
    return p;
}

void PlatformSim::stop() {
    Impl* impl = m_impl.get();
    {
        std::lock_guard<std::mutex> lk(impl->sleep_mutex);
        impl->stopping = true;
    }
    impl->sleep_cv.notify_all();
    impl->server.stop();
    if (impl->thread.joinable()) impl->thread.join();
}

int PlatformSim::port() const noexcept {
    return m_impl->port;
}
std::string PlatformSim::base_url() const {
    return (m_impl->options.tls_cert.empty() ? "http://" : "https://") + m_impl->options.host + ":" +
           std::to_string(m_impl->port);
}

void PlatformSim::set_faults(const Faults& f) {
    std::lock_guard<std::mutex> lk(m_impl->mutex);
    m_impl->faults = f;
}
Faults PlatformSim::faults() const {
    std::lock_guard<std::mutex> lk(m_impl->mutex);
    return m_impl->faults;
}
SimStats PlatformSim::stats() const {
    std::lock_guard<std::mutex> lk(m_impl->mutex);
    return m_impl->stats;
}

std::vector<ChainEvent> PlatformSim::chain_events() const {
    std::lock_guard<std::mutex> lk(m_impl->mutex);
    std::vector<ChainEvent> out;
    const auto& d = m_impl->db;
    // Gaps: seqs missing below each device's highest arrival (computed now, so filled gaps vanish).
    sql::Statement devices(d, "SELECT device, MAX(seq), COUNT(DISTINCT seq) FROM arrivals GROUP BY device");
    while (devices.step()) {
        std::string dev = devices.column_text(0);
        if (devices.column_int(2) == devices.column_int(1)) continue;
        sql::Statement seqs(d, "SELECT DISTINCT seq FROM arrivals WHERE device = ? ORDER BY seq");
        seqs.bind(1, dev);
        long long expect = 1;
        while (seqs.step()) {
            long long s = seqs.column_int(0);
            if (s > expect)
                out.push_back(
                    {dev, expect, "gap", "seq " + std::to_string(expect) + ".." + std::to_string(s - 1) + " missing"});
            expect = s + 1;
        }
    }
    sql::Statement ev(d, "SELECT device, seq, kind, detail FROM chain_events ORDER BY rowid");
    while (ev.step()) out.push_back({ev.column_text(0), ev.column_int(1), ev.column_text(2), ev.column_text(3)});
    return out;
}

std::vector<SimReminder> PlatformSim::reminders() const {
    std::lock_guard<std::mutex> lk(m_impl->mutex);
    std::vector<SimReminder> out;
    sql::Statement st(m_impl->db,
                      "SELECT id, channel, case_no, phone_masked, text, times FROM reminders ORDER BY first_at, id");
    while (st.step())
        out.push_back({st.column_text(0), st.column_text(1), st.column_text(2), st.column_text(3), st.column_text(4),
                       st.column_int(5)});
    return out;
}

long long PlatformSim::arrivals_of(const std::string& id) const {
    std::lock_guard<std::mutex> lk(m_impl->mutex);
    sql::Statement st(m_impl->db, "SELECT times FROM arrivals WHERE id = ?");
    st.bind(1, id);
    return st.step() ? st.column_int(0) : 0;
}

std::optional<std::string> recompute_item_hash(const std::string& item_json, const std::string& device,
                                               const std::string& hall, std::string* why) {
    std::string reason;
    json item = json::parse(item_json, nullptr, false);
    auto h = item.is_discarded() ? std::nullopt : canonical_hash(item, device, hall, reason);
    if (item.is_discarded()) reason = "item is not JSON";
    if (why) *why = reason;
    return h;
}

std::vector<Arrival> PlatformSim::arrivals(const std::string& device) const {
    std::lock_guard<std::mutex> lk(m_impl->mutex);
    sql::Statement st(m_impl->db,
                      "SELECT id, seq, prev_hash, hash, tapped_at, status, reason, times FROM arrivals "
                      "WHERE device = ? ORDER BY seq, rowid");
    st.bind(1, device);
    std::vector<Arrival> out;
    while (st.step())
        out.push_back({st.column_text(0), st.column_int(1), st.column_text(2), st.column_text(3), st.column_text(4),
                       st.column_text(5), st.column_text(6), st.column_int(7)});
    return out;
}

}  // namespace hcp::sim
