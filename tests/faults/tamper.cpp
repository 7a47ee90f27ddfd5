// Tampering with the hub's database after some ratings were uploaded (fault tests).
//
// 20 ratings are recorded and uploaded, 10 more recorded and not yet sent. Then, with the
// append-only triggers dropped, someone holding the database file but not the device key:
//   - alters a waiting rating (seq 23: level changed, hash left as it was),
//   - deletes a waiting rating (seq 26, with its outbox row),
//   - rewrites an uploaded rating and queues it again (seq 5: text changed, hash recomputed),
//   - replaces an uploaded rating by a fabricated one under a new id (seq 10, hash recomputed).
// Both sides must notice each of the four: `hcpctl verify --key` on the hub's file, and the
// reference platform when the uploader sends what is queued (altered → rejected and reported,
// deleted → gap, rewritten → fork for the known id, fabricated → fork, two ratings for one seq).
// Prints one FIG line; exits 1 unless every tampering is noticed by both.
#include <iostream>
#include <map>
#include <set>

#include "fault_support.hpp"
#include "fixtures.hpp"
#include "hcp/store/outbox.hpp"
#include "platform_sim.hpp"

namespace {

bool exec(const std::filesystem::path& db, const std::string& sql) {
    sqlite3* raw = nullptr;
    if (sqlite3_open(db.c_str(), &raw) != SQLITE_OK) return false;
    std::unique_ptr<sqlite3, decltype(&sqlite3_close)> h(raw, &sqlite3_close);
    char* err = nullptr;
    int rc = sqlite3_exec(raw, sql.c_str(), nullptr, nullptr, &err);
    if (rc != SQLITE_OK) std::cerr << "tamper: " << (err ? err : "?") << '\n';
    sqlite3_free(err);
    return rc == SQLITE_OK;
}

std::string q(const std::string& s) {
    return "'" + s + "'";
}

}  // namespace

int main(int argc, char** argv) {
    std::filesystem::path workdir = "tamper";
    if (argc == 3 && std::string(argv[1]) == "--workdir")
        workdir = argv[2];
    else if (argc != 1) {
        std::cerr << "usage: hcp_tamper [--workdir DIR]\n";
        return 2;
    }
    workdir = std::filesystem::absolute(workdir);
    std::filesystem::remove_all(workdir);
    std::filesystem::create_directories(workdir);
    const auto db = workdir / "hub.db";
    const auto key_file = workdir / "store.key";
    hcp::SecretKey::create_file(key_file);

    hcp::sim::SimOptions so;
    so.database = workdir / "platform.db";
    so.secret = hcp::faults::hall_secret();
    hcp::sim::PlatformSim platform(so);
    platform.start();

    hcp::test::HallFixture hall(HCP_TEST_ASSETS_DIR);
    hcp::StoreOptions o;
    o.path = db;
    o.device_id = "hub-tamper";
    o.min_free_bytes = 0;
    std::vector<hcp::Rating> ratings;
    hcp::Uploader up(hcp::faults::fast_config(platform.base_url()), hcp::generic_profile(), hcp::faults::hall_secret(),
                     db, hall.hall.code);
    up.set_log([](const std::string&) {});
    {
        auto store = hcp::Store::open(o, hcp::SecretKey::load_file(key_file));
        const auto t0 = hcp::now() - std::chrono::hours{2};
        for (int i = 1; i <= 30; ++i) {
            ratings.push_back(hcp::test::add_rated_case(store, hall, i, t0 + std::chrono::minutes{i}));
            if (i == 20) up.drain_once();  // 1..20 uploaded
        }
    }
    const auto first = platform.stats();

    // The four tamperings (ratings[k] is seq k + 1).
    hcp::Rating rewritten = ratings[4];
    rewritten.text = "已改写";
    rewritten.hash = hcp::chain_hash(rewritten.prev_hash, rewritten);
    hcp::Rating forged = ratings[9];
    forged.id = "0f0f0f0f-0f0f-4f0f-8f0f-0f0f0f0f0f0f";
    forged.level = hcp::Level::very_satisfied;
    forged.option_codes.clear();
    forged.option_labels.clear();
    forged.hash = hcp::chain_hash(forged.prev_hash, forged);
    const bool tampered =
        exec(db,
             "DROP TRIGGER ratings_no_update; DROP TRIGGER ratings_no_delete; BEGIN;"
             "UPDATE ratings SET level = 5 WHERE seq = 23;"
             "DELETE FROM outbox WHERE rating_id = " +
                 q(ratings[25].id) +
                 ";"
                 "DELETE FROM ratings WHERE seq = 26;"
                 "UPDATE ratings SET text = '已改写', hash = " +
                 q(rewritten.hash) +
                 " WHERE seq = 5;"
                 "UPDATE outbox SET state = 'pending', next_attempt_at = 0 WHERE rating_id = " +
                 q(rewritten.id) +
                 ";"
                 "UPDATE ratings SET id = " +
                 q(forged.id) + ", level = 5, option_codes = '[]', option_labels = '[]', hash = " + q(forged.hash) +
                 " WHERE seq = 10;"
                 "UPDATE rating_slots SET rating_id = " +
                 q(forged.id) + " WHERE rating_id = " + q(ratings[9].id) +
                 ";"
                 "UPDATE outbox SET rating_id = " +
                 q(forged.id) + ", state = 'pending', next_attempt_at = 0 WHERE rating_id = " + q(ratings[9].id) +
                 ";"
                 "COMMIT;");

    // The hub side: hcpctl verify with the device key.
    const auto verify = hcp::faults::hcpctl_verify(db, key_file);
    std::set<long long> local;  // tampered seqs named by a finding
    std::set<std::string> kinds;
    if (verify.contains("findings"))
        for (const auto& f : verify["findings"]) {
            kinds.insert(f.value("kind", std::string()));
            for (long long s : {5LL, 10LL, 23LL, 26LL})
                if (s >= f.value("seq_first", 0LL) && s <= f.value("seq_last", 0LL)) local.insert(s);
        }

    // The platform side: the uploader sends everything queued.
    for (int i = 0; i < 5; ++i)
        if (up.drain_once().requests == 0) break;
    std::set<long long> remote;
    std::map<std::string, int> remote_kinds;
    for (const auto& e : platform.chain_events()) {
        ++remote_kinds[e.kind];
        if (e.kind == "altered" && e.seq == 23) remote.insert(23);
        if (e.kind == "gap" && e.seq == 26) remote.insert(26);
        if (e.kind == "fork" && e.seq == 5 && e.detail.find(rewritten.id) != std::string::npos) remote.insert(5);
        if (e.kind == "fork" && e.seq == 10 && e.detail.find("two ratings claim") != std::string::npos)
            remote.insert(10);
    }
    auto sync = hcp::OutboxQueue::open(db).sync_state();
    const std::string integrity = hcp::faults::integrity_check(db);
    platform.stop();

    const bool ok = tampered && first.accepted == 20 && !verify.value("ok", true) && local.size() == 4 &&
                    remote.size() == 4 && sync.rejected == 1 && integrity == "ok";
    std::cout << "tamper: hcpctl verify:";
    for (const auto& k : kinds) std::cout << ' ' << k;
    std::cout << "\ntamper: platform:";
    for (const auto& [k, n] : remote_kinds) std::cout << ' ' << k << '=' << n;
    std::cout << "\nFIG tamper uploaded_before=" << first.accepted << " tampered=4 verify_noticed=" << local.size()
              << " verify_findings=" << (verify.contains("findings") ? verify["findings"].size() : 0)
              << " receiver_noticed=" << remote.size() << " receiver_altered=" << remote_kinds["altered"]
              << " receiver_gaps=" << remote_kinds["gap"] << " receiver_forks=" << remote_kinds["fork"]
              << " hub_rejected=" << sync.rejected << " integrity=" << integrity << '\n';
    if (!ok) std::cerr << verify.dump() << '\n';
    return ok ? 0 : 1;
}
