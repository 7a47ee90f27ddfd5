// hcpctl verify's engine: each kind of tampering is caught and the affected sequence numbers
// are named. Tampering is done the way an insider would: raw SQL on the database file.
#include <catch2/catch.hpp>

#include <algorithm>

#include "fixtures.hpp"
#include "hcp/store/verify.hpp"
#include "test_support.hpp"

using namespace hcp;

namespace {

constexpr int kRatings = 10;

struct TamperFixture {
    test::TempDir dir;
    std::filesystem::path db = dir / "hub.db";
    SecretKey key = SecretKey::random();

    TamperFixture() {
        test::HallFixture hall(test::assets_dir());
        StoreOptions o;
        o.path = db;
        o.device_id = "rater-03";
        o.min_free_bytes = 0;
        auto store = Store::open(o, key);
        auto t = *parse_iso8601("2026-10-08T09:00:00+08:00");
        for (int i = 1; i <= kRatings; ++i) test::add_rated_case(store, hall, i, t + std::chrono::minutes{i});
    }
    void sql(const std::string& statement) {
        // An insider first removes the append-only triggers.
        test::raw_exec(db, "DROP TRIGGER IF EXISTS ratings_no_update; DROP TRIGGER IF EXISTS ratings_no_delete;");
        test::raw_exec(db, statement);
    }
    Rating rating_at(long long seq) {
        auto store = Store::open_read_only(db, key);
        auto id = test::raw_text(db, "SELECT id FROM ratings WHERE seq = " + std::to_string(seq));
        return *store.find_rating(id);
    }
    // Rewrites the hash of the rating at `seq` so it matches its (tampered) content, as someone
    // who read the (public) hashing rule but does not have the device key would.
    void rehash(long long seq) {
        Rating r = rating_at(seq);
        sql("UPDATE ratings SET hash = '" + chain_hash(r.prev_hash, r) + "' WHERE seq = " + std::to_string(seq));
    }
    VerifyReport verify(bool with_key = true) {
        return verify_store(db, with_key ? std::optional<SecretKey>(key) : std::nullopt);
    }
};

std::vector<TamperFinding> of_kind(const VerifyReport& r, TamperKind k) {
    std::vector<TamperFinding> out;
    std::copy_if(r.findings.begin(), r.findings.end(), std::back_inserter(out),
                 [&](const TamperFinding& f) { return f.kind == k; });
    return out;
}

}  // namespace

TEST_CASE("Verify: an untouched store is reported intact, with and without the key") {
    TamperFixture f;
    auto with_key = f.verify(true);
    CHECK(with_key.ok());
    CHECK(with_key.ratings == kRatings);
    CHECK(with_key.devices == 1);
    CHECK(with_key.mac_checked);
    auto without = f.verify(false);
    CHECK(without.ok());
    CHECK_FALSE(without.mac_checked);
}

TEST_CASE("Verify: verification never writes to the database") {
    TamperFixture f;
    auto before = test::read_file(f.db);
    f.verify();
    CHECK(test::read_file(f.db) == before);
}

TEST_CASE("Verify: removing the append-only triggers is itself reported") {
    TamperFixture f;
    f.sql("SELECT 1");
    auto r = f.verify();
    auto found = of_kind(r, TamperKind::triggers_removed);
    REQUIRE(found.size() == 1);
    CHECK(found[0].detail.find("ratings_no_delete") != std::string::npos);
}

TEST_CASE("Verify: a deleted rating is named by its sequence number") {
    TamperFixture f;
    f.sql("DELETE FROM ratings WHERE seq = 4");
    auto r = f.verify();
    auto deleted = of_kind(r, TamperKind::deleted);
    REQUIRE(deleted.size() == 1);
    CHECK(deleted[0].seq_first == 4);
    CHECK(deleted[0].seq_last == 4);
    CHECK(deleted[0].describe().find("seq 4 deleted") != std::string::npos);
    CHECK(of_kind(r, TamperKind::inserted).empty());
}

TEST_CASE("Verify: several consecutive deletions are reported as one range") {
    TamperFixture f;
    f.sql("DELETE FROM ratings WHERE seq BETWEEN 3 AND 6");
    auto deleted = of_kind(f.verify(), TamperKind::deleted);
    REQUIRE(deleted.size() == 1);
    CHECK(deleted[0].seq_first == 3);
    CHECK(deleted[0].seq_last == 6);
}

TEST_CASE("Verify: deleting the first rating is caught") {
    TamperFixture f;
    f.sql("DELETE FROM ratings WHERE seq = 1");
    auto deleted = of_kind(f.verify(), TamperKind::deleted);
    REQUIRE(deleted.size() == 1);
    CHECK(deleted[0].seq_first == 1);
}

TEST_CASE("Verify: deleting the newest ratings is caught through the chain head") {
    TamperFixture f;
    f.sql("DELETE FROM ratings WHERE seq >= 9");
    auto truncated = of_kind(f.verify(), TamperKind::truncated);
    REQUIRE(truncated.size() == 1);
    CHECK(truncated[0].seq_first == 9);
    CHECK(truncated[0].seq_last == 10);
}

TEST_CASE("Verify: an altered rating is named, whatever field was changed") {
    const std::vector<std::pair<const char*, const char*>> edits = {
        {"level", "UPDATE ratings SET level = 1 WHERE seq = 5"},
        {"options", "UPDATE ratings SET option_codes = '[\"101\"]' WHERE seq = 5"},
        {"text", "UPDATE ratings SET text = 'ok' WHERE seq = 5"},
        {"staff", "UPDATE ratings SET staff_number = '9999' WHERE seq = 5"},
        {"tap time", "UPDATE ratings SET tapped_at = tapped_at + 1 WHERE seq = 5"},
        {"channel to garbage", "UPDATE ratings SET channel = 'x' WHERE seq = 5"},
        {"stage to garbage", "UPDATE ratings SET stage = 'completed ' WHERE seq = 5"},
        {"cases", "UPDATE ratings SET case_nos = '[\"OTHER\"]' WHERE seq = 5"},
        {"default flag", "UPDATE ratings SET is_default = 1 WHERE seq = 5"},
    };
    for (const auto& [what, statement] : edits) {
        CAPTURE(what);
        TamperFixture f;
        f.sql(statement);
        auto altered = of_kind(f.verify(), TamperKind::altered);
        REQUIRE(altered.size() == 1);
        CHECK(altered[0].seq_first == 5);
    }
}

TEST_CASE("Verify: a 差评 rewritten into a 好评 with a recomputed hash is caught by the device MAC") {
    TamperFixture f;
    REQUIRE(f.rating_at(4).level == Level::very_dissatisfied);
    f.sql("UPDATE ratings SET level = 5, option_codes = '[]', option_labels = '[]' WHERE seq = 4");
    f.rehash(4);
    auto with_key = f.verify(true);
    auto forged = of_kind(with_key, TamperKind::mac_invalid);
    REQUIRE(forged.size() == 1);
    CHECK(forged[0].seq_first == 4);
    // Without the key the broken link to seq 5 still gives it away.
    auto without = f.verify(false);
    auto inserted = of_kind(without, TamperKind::inserted);
    REQUIRE(inserted.size() == 1);
    CHECK(inserted[0].seq_first == 5);
    CHECK(inserted[0].describe().find("seq 4 was rewritten") != std::string::npos);
}

TEST_CASE("Verify: swapping two ratings is reported as reordered with their original positions") {
    TamperFixture f;
    f.sql(
        "UPDATE ratings SET seq = -1 WHERE seq = 3; UPDATE ratings SET seq = 3 WHERE seq = 7; "
        "UPDATE ratings SET seq = 7 WHERE seq = -1;");
    auto reordered = of_kind(f.verify(), TamperKind::reordered);
    REQUIRE(reordered.size() == 2);
    CHECK(reordered[0].seq_first == 3);
    CHECK(reordered[0].original_seq == 7);
    CHECK(reordered[1].seq_first == 7);
    CHECK(reordered[1].original_seq == 3);
    CHECK(reordered[0].describe().find("recorded as seq 7") != std::string::npos);
}

TEST_CASE("Verify: a rating inserted into the middle of the chain is named, and the shifted ones too") {
    TamperFixture f;
    // Make room at seq 5 (shift 5..10 up by one), then insert a fabricated rating at seq 5 that
    // copies seq 4's successor link and carries a correctly computed plain hash.
    f.sql("UPDATE ratings SET seq = seq + 100 WHERE seq >= 5; UPDATE ratings SET seq = seq - 99 WHERE seq >= 105;");
    Rating fake = f.rating_at(6);  // the original seq 5, now at 6
    fake.id = uuid_v4();
    fake.seq = 5;
    fake.level = Level::very_satisfied;
    fake.option_codes.clear();
    fake.option_labels.clear();
    fake.hash = chain_hash(fake.prev_hash, fake);
    f.sql(
        "INSERT INTO ratings(id, device_id, seq, case_nos, stage, target, level, option_codes, option_labels, text, "
        "channel, tapped_at, catalog_id, catalog_version, is_public, is_default, hall_code, area_code, item_code, "
        "item_name, kind, window, staff_number, staff_name, prev_hash, hash, mac, recorded_at) "
        "SELECT '" +
        fake.id +
        "', device_id, 5, case_nos, stage, target, 5, '[]', '[]', text, channel, tapped_at, "
        "catalog_id, catalog_version, is_public, is_default, hall_code, area_code, item_code, item_name, kind, window, "
        "staff_number, staff_name, prev_hash, '" +
        fake.hash + "', mac, recorded_at FROM ratings WHERE seq = 6");
    for (bool with_key : {true, false}) {
        CAPTURE(with_key);
        auto r = f.verify(with_key);
        auto inserted = of_kind(r, TamperKind::inserted);
        REQUIRE(inserted.size() == 1);
        CHECK(inserted[0].seq_first == 5);
        auto reordered = of_kind(r, TamperKind::reordered);
        REQUIRE(reordered.size() == 6);
        for (size_t i = 0; i < reordered.size(); ++i) {
            CHECK(reordered[i].seq_first == static_cast<long long>(6 + i));
            CHECK(reordered[i].original_seq == static_cast<long long>(5 + i));
        }
    }
}

TEST_CASE("Verify: a rating appended after the chain head is caught, and forged ones by the MAC") {
    TamperFixture f;
    Rating last = f.rating_at(kRatings);
    Rating fake = last;
    fake.id = uuid_v4();
    fake.seq = kRatings + 1;
    fake.prev_hash = last.hash;
    fake.hash = chain_hash(fake.prev_hash, fake);
    auto insert =
        "INSERT INTO ratings(id, device_id, seq, case_nos, stage, target, level, option_codes, option_labels, "
        "text, channel, tapped_at, catalog_id, catalog_version, is_public, is_default, hall_code, area_code, "
        "item_code, item_name, kind, window, staff_number, staff_name, prev_hash, hash, mac, recorded_at) "
        "SELECT '" +
        fake.id + "', device_id, " + std::to_string(fake.seq) +
        ", case_nos, stage, target, level, "
        "option_codes, option_labels, text, channel, tapped_at, catalog_id, catalog_version, is_public, "
        "is_default, hall_code, area_code, item_code, item_name, kind, window, staff_number, staff_name, '" +
        fake.prev_hash + "', '" + fake.hash +
        "', mac, recorded_at FROM ratings WHERE seq = " + std::to_string(kRatings);
    f.sql(insert);
    SECTION("chain head left alone") {
        auto inserted = of_kind(f.verify(false), TamperKind::inserted);
        REQUIRE(inserted.size() == 1);
        CHECK(inserted[0].seq_first == kRatings + 1);
    }
    SECTION("chain head moved too: only the key can tell") {
        f.sql("UPDATE chain_heads SET seq = " + std::to_string(fake.seq) + ", hash = '" + fake.hash + "'");
        auto forged = of_kind(f.verify(true), TamperKind::mac_invalid);
        REQUIRE(forged.size() == 1);
        CHECK(forged[0].seq_first == kRatings + 1);
    }
}

TEST_CASE("Verify: files that are not stores are refused with a clear error") {
    test::TempDir dir;
    auto garbage = dir / "x.db";
    test::write_file(garbage, "this is not a database at all, just text that goes on for a while........");
    try {
        verify_store(garbage, std::nullopt);
        FAIL("garbage verified");
    } catch (const Error& e) {
        CHECK(e.code() == Errc::not_a_store);
    }
    CHECK_THROWS_AS(verify_store(dir / "missing.db", std::nullopt), Error);
    auto foreign = dir / "foreign.db";
    test::raw_exec(foreign, "CREATE TABLE t(x)");
    CHECK_THROWS_AS(verify_store(foreign, std::nullopt), Error);
}
