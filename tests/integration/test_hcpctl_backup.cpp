// hcpctl backup / restore end to end (kiosk/hcpctl/cmd_backup.cpp): an online backup of a store
// another connection keeps writing to, verified; restore into a new path; refusals that leave the
// database untouched (corrupt backup, newer schema, database in use, overwriting without --force).
#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>

#include "fixtures.hpp"
#include "hcp/base/crypto.hpp"
#include "hcp/base/time.hpp"
#include "hcp/store/store.hpp"
#include "test_support.hpp"

using Catch::Matchers::Contains;

namespace {

namespace fs = std::filesystem;
using hcp::test::CommandResult;
using hcp::test::TempDir;

// Single-quoted for the shell.
template <class T>
std::string q(const T& s) {
    return hcp::test::shell_quote(s);
}

CommandResult hcpctl(const std::string& args) {
    return hcp::test::run_hcpctl(args);
}

long long ratings_in(const fs::path& db) {
    return hcp::test::raw_int(db, "SELECT count(*) FROM ratings");
}

// A hub store with `n` ratings and its key.
struct HubStore {
    TempDir dir;
    fs::path db = dir / "hub.db";
    fs::path key_file = dir / "store.key";
    hcp::SecretKey key = hcp::SecretKey::create_file(key_file);
    hcp::test::HallFixture hall{hcp::test::assets_dir()};

    hcp::Store open() const {
        hcp::StoreOptions o;
        o.path = db;
        o.device_id = "hub-01";
        return hcp::Store::open(o, key);
    }

    explicit HubStore(int n) {
        auto store = open();
        const auto t0 = hcp::now() - std::chrono::hours(1);
        for (int i = 0; i < n; ++i) hcp::test::add_rated_case(store, hall, i, t0 + std::chrono::seconds(i));
    }
};

}  // namespace

TEST_CASE("backup of a store another connection keeps writing to: verified, with every rating from before",
          "[hcpctl][backup]") {
    HubStore hub(60);
    const long long before = ratings_in(hub.db);
    REQUIRE(before == 60);

    std::atomic<bool> stop{false};
    std::atomic<int> written{0};
    std::string writer_error;
    std::thread writer([&] {
        try {
            auto store = hub.open();
            for (int n = 1000; !stop.load(); ++n) {
                hcp::test::add_rated_case(store, hub.hall, n, hcp::now());
                ++written;
            }
        } catch (const std::exception& e) {
            writer_error = e.what();
        }
    });
    while (written.load() < 5 && writer_error.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(5));

    TempDir out_dir;
    const auto out = out_dir / "hub-backup.db";
    auto r = hcpctl("backup " + q(hub.db) + " " + q(out) + " --key " + q(hub.key_file));
    const int during = written.load();
    stop = true;
    writer.join();
    REQUIRE(writer_error.empty());
    INFO(r.output);
    REQUIRE(r.exit_code == 0);
    CHECK(during >= 5);
    CHECK_THAT(r.output, Contains("完整性检查通过"));
    CHECK_THAT(r.output, Contains("存储密钥不在备份里"));
    CHECK_FALSE(fs::exists(out.string() + ".tmp"));

    const long long copied = ratings_in(out);
    CHECK(copied >= before + 5);  // the ratings committed before it started
    CHECK(copied <= ratings_in(hub.db));
    CHECK(hcp::test::raw_text(out, "PRAGMA integrity_check") == "ok");
    auto verify = hcpctl("verify " + q(out) + " --key " + q(hub.key_file));
    INFO(verify.output);
    CHECK(verify.exit_code == 0);

    SECTION("it does not overwrite a backup without --force") {
        const auto bytes = hcp::test::read_file(out);
        auto again = hcpctl("backup " + q(hub.db) + " " + q(out));
        INFO(again.output);
        CHECK(again.exit_code == 3);
        CHECK_THAT(again.output, Contains("--force"));
        CHECK(hcp::test::read_file(out) == bytes);
        auto forced = hcpctl("backup " + q(hub.db) + " " + q(out) + " --force");
        INFO(forced.output);
        CHECK(forced.exit_code == 0);
        CHECK(ratings_in(out) == ratings_in(hub.db));
    }

    SECTION("restore into a new path: same ratings, chain intact, opens with the key") {
        TempDir new_box;
        const auto restored = new_box / "hub.db";
        auto rr = hcpctl("restore " + q(out) + " " + q(restored) + " --key " + q(hub.key_file));
        INFO(rr.output);
        REQUIRE(rr.exit_code == 0);
        CHECK_THAT(rr.output, Contains("存储密钥不在备份里"));
        CHECK(ratings_in(restored) == copied);
        auto v = hcpctl("verify " + q(restored) + " --key " + q(hub.key_file));
        INFO(v.output);
        CHECK(v.exit_code == 0);
        hcp::StoreOptions o;
        o.path = restored;
        o.device_id = "hub-01";
        auto store = hcp::Store::open(o, hub.key);
        CHECK(store.rating_count() == copied);
        // The chain goes on where the backup ended.
        const auto head = store.chain_head();
        auto next = hcp::test::add_rated_case(store, hub.hall, 99999, hcp::now());
        CHECK(next.seq == head.seq + 1);
    }

    SECTION("restore with another key is refused before anything is written") {
        TempDir new_box;
        const auto other_key = new_box / "other.key";
        hcp::SecretKey::create_file(other_key);
        auto rr = hcpctl("restore " + q(out) + " " + q(new_box / "hub.db") + " --key " + q(other_key));
        INFO(rr.output);
        CHECK(rr.exit_code == 1);
        CHECK_THAT(rr.output, Contains("另一把存储密钥"));
        CHECK_FALSE(fs::exists(new_box / "hub.db"));
    }
}

TEST_CASE("restore replaces an existing database only with --force and keeps the old one", "[hcpctl][backup]") {
    HubStore hub(10);
    TempDir work;
    const auto bak = work / "backup.db";
    REQUIRE(hcpctl("backup " + q(hub.db) + " " + q(bak)).exit_code == 0);
    {
        auto store = hub.open();
        for (int n = 100; n < 105; ++n) hcp::test::add_rated_case(store, hub.hall, n, hcp::now());
    }
    REQUIRE(ratings_in(hub.db) == 15);

    auto refused = hcpctl("restore " + q(bak) + " " + q(hub.db));
    INFO(refused.output);
    CHECK(refused.exit_code == 3);
    CHECK_THAT(refused.output, Contains("--force"));
    CHECK(ratings_in(hub.db) == 15);

    auto r = hcpctl("restore " + q(bak) + " " + q(hub.db) + " --force");
    INFO(r.output);
    REQUIRE(r.exit_code == 0);
    CHECK(ratings_in(hub.db) == 10);
    CHECK_FALSE(fs::exists(hub.db.string() + "-wal"));
    fs::path kept;
    for (const auto& e : fs::directory_iterator(hub.dir.path()))
        if (e.path().filename().string().rfind("hub.db.before-restore-", 0) == 0) kept = e.path();
    REQUIRE_FALSE(kept.empty());
    CHECK_THAT(r.output, Contains(kept.filename().string()));
    CHECK(ratings_in(kept) == 15);
}

TEST_CASE("restore refuses a bad backup or a database in use and leaves the database untouched", "[hcpctl][backup]") {
    HubStore hub(8);
    TempDir work;
    const auto good = work / "good.db";
    REQUIRE(hcpctl("backup " + q(hub.db) + " " + q(good)).exit_code == 0);
    // The target: a copy of the hub's database, closed, compared byte for byte afterwards.
    const auto target = work / "target.db";
    REQUIRE(hcpctl("backup " + q(hub.db) + " " + q(target)).exit_code == 0);
    const auto target_bytes = hcp::test::read_file(target);
    auto untouched = [&] {
        CHECK(hcp::test::read_file(target) == target_bytes);
        CHECK_FALSE(fs::exists(target.string() + ".restore-tmp"));
        for (const auto& e : fs::directory_iterator(work.path()))
            CHECK(e.path().filename().string().find("before-restore") == std::string::npos);
    };

    SECTION("garbage bytes") {
        const auto garbage = work / "garbage.db";
        std::string bytes(64 * 1024, '\0');
        for (size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<char>((i * 7919 + 13) % 251);
        hcp::test::write_file(garbage, bytes);
        auto r = hcpctl("restore " + q(garbage) + " " + q(target) + " --force");
        INFO(r.output);
        CHECK(r.exit_code == 1);
        CHECK_THAT(r.output, Contains("不是 SQLite 数据库"));
        untouched();
    }
    SECTION("a damaged page") {
        const auto damaged = work / "damaged.db";
        auto bytes = hcp::test::read_file(good);
        const size_t page = static_cast<size_t>(hcp::test::raw_int(good, "PRAGMA page_size"));
        REQUIRE(bytes.size() > 4 * page);
        for (size_t i = 2 * page; i < bytes.size() - page; ++i) bytes[i] = static_cast<char>(0x5a ^ (i & 0xff));
        hcp::test::write_file(damaged, bytes);
        auto r = hcpctl("restore " + q(damaged) + " " + q(target) + " --force");
        INFO(r.output);
        CHECK(r.exit_code != 0);
        untouched();
    }
    SECTION("a backup from a newer schema") {
        const auto newer = work / "newer.db";
        fs::copy_file(good, newer);
        hcp::test::raw_exec(newer, "PRAGMA user_version = " + std::to_string(hcp::kStoreSchemaVersion + 1));
        auto r = hcpctl("restore " + q(newer) + " " + q(target) + " --force");
        INFO(r.output);
        CHECK(r.exit_code == 1);
        CHECK_THAT(r.output, Contains("更新的 hcp-kiosk"));
        untouched();
    }
    SECTION("the database is open in another process (a running hub)") {
        hcp::StoreOptions o;
        o.path = target;
        o.device_id = "hub-01";
        {
            auto store = hcp::Store::open(o, hub.key);  // switches it to WAL and holds the WAL index
            auto r = hcpctl("restore " + q(good) + " " + q(target) + " --force");
            INFO(r.output);
            CHECK(r.exit_code == 3);
            CHECK_THAT(r.output, Contains("systemctl stop hcp-hub.service"));
            CHECK(store.rating_count() == 8);
        }
        CHECK(ratings_in(target) == 8);
        for (const auto& e : fs::directory_iterator(work.path()))
            CHECK(e.path().filename().string().find("before-restore") == std::string::npos);
    }
}
