// The durable store: schema and migrations, one transaction per rating, the chain, encryption
// of personal data at rest, append-only ratings, and refusal of foreign or newer databases.
#include <catch2/catch.hpp>

#include <sys/stat.h>

#include "fixtures.hpp"
#include "hcp/store/store.hpp"
#include "test_support.hpp"

using namespace hcp;

namespace {

StoreOptions options_for(const std::filesystem::path& db) {
    StoreOptions o;
    o.path = db;
    o.device_id = "rater-03";
    o.min_free_bytes = 1024 * 1024;
    return o;
}

TimePoint t0() {
    return *parse_iso8601("2026-10-08T09:30:00+08:00");
}

bool file_contains(const std::filesystem::path& p, const std::string& needle) {
    if (!std::filesystem::exists(p)) return false;
    return test::read_file(p).find(needle) != std::string::npos;
}

}  // namespace

TEST_CASE("Store: a new database is created in WAL mode at the current schema version") {
    test::TempDir dir;
    auto key = SecretKey::random();
    auto db = dir / "hub.db";
    {
        auto store = Store::open(options_for(db), key);
        CHECK(store.schema_version() == kStoreSchemaVersion);
        CHECK(store.rating_count() == 0);
        CHECK(store.chain_head().seq == 0);
        CHECK(store.chain_head().hash == kGenesisHash);
    }
    CHECK(test::raw_text(db, "PRAGMA journal_mode") == "wal");
    CHECK(test::raw_int(db, "SELECT count(*) FROM schema_version") == kStoreSchemaVersion);
    CHECK(test::raw_int(db, "PRAGMA application_id") == 0x48435031);
}

TEST_CASE("Store: a new database and its WAL are readable by their owner only, whatever the umask") {
    test::TempDir dir;
    const mode_t old = ::umask(022);
    {
        auto store = Store::open(options_for(dir / "hub.db"), SecretKey::random());
        CHECK(store.schema_version() == kStoreSchemaVersion);
        CHECK((std::filesystem::status(dir / "hub.db").permissions() & std::filesystem::perms::all) ==
              (std::filesystem::perms::owner_read | std::filesystem::perms::owner_write));
        if (std::filesystem::exists(dir / "hub.db-wal"))
            CHECK((std::filesystem::status(dir / "hub.db-wal").permissions() & std::filesystem::perms::all) ==
                  (std::filesystem::perms::owner_read | std::filesystem::perms::owner_write));
    }
    ::umask(old);
}

TEST_CASE("Store: ratings get a gapless per-device sequence and each links to the previous hash") {
    test::TempDir dir;
    test::HallFixture hall(test::assets_dir());
    auto store = Store::open(options_for(dir / "hub.db"), SecretKey::random());
    std::string prev = kGenesisHash;
    for (int i = 1; i <= 20; ++i) {
        auto r = test::add_rated_case(store, hall, i, t0() + std::chrono::minutes{i});
        CHECK(r.seq == i);
        CHECK(r.prev_hash == prev);
        CHECK(r.hash == chain_hash(r.prev_hash, r));
        CHECK(r.hash.size() == 64);
        CHECK(r.mac.size() == 64);
        CHECK(r.device_id == "rater-03");
        prev = r.hash;
    }
    CHECK(store.chain_head().seq == 20);
    CHECK(store.chain_head().hash == prev);
    CHECK(store.outbox(OutboxState::pending).size() == 20);
}

TEST_CASE("Store: a rating carries the context of its case, the catalog version and the chosen labels") {
    test::TempDir dir;
    test::HallFixture hall(test::assets_dir());
    auto store = Store::open(options_for(dir / "hub.db"), SecretKey::random());
    test::save_completed_case(store, "C-1", t0());
    auto d = test::draft_for("C-1", 3, t0());  // level 2: 不满意
    d.option_codes = {"101", "303", "101"};    // duplicate collapses
    d.text = "排队时间太长";
    auto r = store.record_rating(d, hall.context());
    REQUIRE(r);
    const Rating& rating = r.value();
    CHECK(rating.level == Level::dissatisfied);
    CHECK(rating.option_codes == std::vector<std::string>{"101", "303"});
    CHECK(rating.option_labels.size() == 2);
    CHECK(rating.option_labels[0] == hall.catalog.find("101")->label);
    CHECK(rating.catalog_id == hall.catalog.id());
    CHECK(rating.catalog_version == hall.catalog.version());
    CHECK(rating.item_name == "基本医疗保险参保信息变更登记");
    CHECK(rating.staff_number == "1002");
    CHECK(rating.staff_name == "李娜");
    CHECK(rating.window == 2);
    CHECK(rating.area_code == "370921000000");
    CHECK(rating.tapped_at == t0());
    auto found = store.find_rating(rating.id);
    REQUIRE(found);
    CHECK(found->hash == rating.hash);
    CHECK(canonical_record(*found) == canonical_record(rating));
}

TEST_CASE("Store: a refused rating writes nothing and the message says why in plain Chinese") {
    test::TempDir dir;
    test::HallFixture hall(test::assets_dir());
    auto store = Store::open(options_for(dir / "hub.db"), SecretKey::random());
    test::add_rated_case(store, hall, 1, t0());
    auto again = store.record_rating(test::draft_for("CASE-1", 2, t0()), hall.context());
    REQUIRE_FALSE(again);
    CHECK(again.error().cause == RecordFailureCause::rule_violation);
    CHECK(again.error().violation == RuleViolation::already_rated);
    CHECK(again.error().message_zh().find("已经评价") != std::string::npos);
    auto unknown = store.record_rating(test::draft_for("NO-SUCH-CASE", 1, t0()), hall.context());
    REQUIRE_FALSE(unknown);
    CHECK(unknown.error().violation == RuleViolation::unknown_case);
    CHECK(store.rating_count() == 1);
    CHECK(store.chain_head().seq == 1);
    CHECK(store.outbox().size() == 1);
}

TEST_CASE("Store: rating, slots, outbox row and chain head commit together or not at all") {
    test::TempDir dir;
    test::HallFixture hall(test::assets_dir());
    auto db = dir / "hub.db";
    auto key = SecretKey::random();
    {
        auto store = Store::open(options_for(db), key);
        test::save_completed_case(store, "C-1", t0());
    }
    // Make the outbox insert — the third write of the transaction — fail.
    test::raw_exec(db, "CREATE TRIGGER fail_outbox BEFORE INSERT ON outbox BEGIN SELECT RAISE(ABORT, 'injected'); END");
    {
        auto store = Store::open(options_for(db), key);
        auto r = store.record_rating(test::draft_for("C-1", 1, t0()), hall.context());
        REQUIRE_FALSE(r);
        CHECK(r.error().cause == RecordFailureCause::storage_error);
        CHECK(r.error().detail.find("injected") != std::string::npos);
        CHECK(store.rating_count() == 0);
        CHECK(store.chain_head().seq == 0);
        CHECK_FALSE(store.slot_taken({"C-1", Stage::completed, RatingTarget::item}));
    }
    CHECK(test::raw_int(db, "SELECT count(*) FROM rating_slots") == 0);
    CHECK(test::raw_int(db, "SELECT count(*) FROM outbox") == 0);
    test::raw_exec(db, "DROP TRIGGER fail_outbox");
    auto store = Store::open(options_for(db), key);
    auto r = store.record_rating(test::draft_for("C-1", 1, t0()), hall.context());
    REQUIRE(r);
    CHECK(r.value().seq == 1);  // the failed attempt consumed no sequence number
}

TEST_CASE("Store: the chain continues across reopening") {
    test::TempDir dir;
    test::HallFixture hall(test::assets_dir());
    auto key = SecretKey::random();
    std::string last;
    {
        auto store = Store::open(options_for(dir / "hub.db"), key);
        for (int i = 1; i <= 3; ++i) last = test::add_rated_case(store, hall, i, t0()).hash;
    }
    auto store = Store::open(options_for(dir / "hub.db"), key);
    auto r = test::add_rated_case(store, hall, 4, t0());
    CHECK(r.seq == 4);
    CHECK(r.prev_hash == last);
}

TEST_CASE("Store: applicant name, phone and ID number are encrypted at rest and readable with the key") {
    test::TempDir dir;
    auto db = dir / "hub.db";
    auto key = SecretKey::random();
    {
        auto store = Store::open(options_for(db), key);
        test::save_completed_case(store, "C-1", t0());
        auto c = store.find_case("C-1");
        REQUIRE(c);
        CHECK(c->applicant.name.reveal() == "张三丰");
        CHECK(c->applicant.phone.reveal() == "13812341234");
        CHECK(c->applicant.id_number.reveal() == "110101199003071234");
        CHECK(c->applicant.masked_summary() == "张** 138****1234 110101********1234");
    }
    for (auto suffix : {"", "-wal"}) {
        auto file = db;
        file += suffix;
        CAPTURE(file.string());
        CHECK_FALSE(file_contains(file, "张三丰"));
        CHECK_FALSE(file_contains(file, "13812341234"));
        CHECK_FALSE(file_contains(file, "110101199003071234"));
    }
    CHECK(test::raw_int(db, "SELECT length(applicant_phone) FROM cases") > 11);
}

TEST_CASE("Store: opening a database with another key file is refused before anything is read") {
    test::TempDir dir;
    auto db = dir / "hub.db";
    { auto store = Store::open(options_for(db), SecretKey::random()); }
    try {
        auto store = Store::open(options_for(db), SecretKey::random());
        FAIL("opened with a wrong key");
    } catch (const Error& e) {
        CHECK(e.code() == Errc::key_invalid);
        CHECK(std::string(e.what()).find("another key file") != std::string::npos);
    }
}

TEST_CASE("Store: ratings are append-only — SQL cannot update or delete them") {
    test::TempDir dir;
    test::HallFixture hall(test::assets_dir());
    auto db = dir / "hub.db";
    {
        auto store = Store::open(options_for(db), SecretKey::random());
        test::add_rated_case(store, hall, 1, t0());
    }
    CHECK_THROWS_WITH(test::raw_exec(db, "UPDATE ratings SET level = 5"), Catch::Contains("append-only"));
    CHECK_THROWS_WITH(test::raw_exec(db, "DELETE FROM ratings"), Catch::Contains("append-only"));
    CHECK_THROWS_WITH(test::raw_exec(db, "DELETE FROM rating_slots"), Catch::Contains("append-only"));
    CHECK(test::raw_int(db, "SELECT count(*) FROM ratings") == 1);
}

TEST_CASE("Store: a database from a newer schema is refused, not migrated down, and left untouched") {
    test::TempDir dir;
    auto db = dir / "hub.db";
    auto key = SecretKey::random();
    { auto store = Store::open(options_for(db), key); }
    test::raw_exec(db, "PRAGMA user_version = 99");
    auto before = test::read_file(db);
    try {
        auto store = Store::open(options_for(db), key);
        FAIL("newer schema accepted");
    } catch (const Error& e) {
        CHECK(e.code() == Errc::schema_too_new);
        CHECK(std::string(e.what()).find("99") != std::string::npos);
        CHECK(std::string(e.what()).find("never migrated down") != std::string::npos);
    }
    CHECK(test::read_file(db) == before);
    CHECK_THROWS_AS(Store::open_read_only(db, key), Error);
}

TEST_CASE("Store: files that are not hcp-kiosk databases are refused and left untouched") {
    test::TempDir dir;
    auto key = SecretKey::random();
    SECTION("random bytes") {
        auto p = dir / "garbage.db";
        std::string junk(8192, '\0');
        for (size_t i = 0; i < junk.size(); ++i) junk[i] = static_cast<char>((i * 7919) % 251);
        test::write_file(p, junk);
        try {
            auto store = Store::open(options_for(p), key);
            FAIL("garbage accepted");
        } catch (const Error& e) {
            CHECK(e.code() == Errc::not_a_store);
        }
        CHECK(test::read_file(p) == junk);
    }
    SECTION("another program's SQLite database") {
        auto p = dir / "other.db";
        test::raw_exec(p, "CREATE TABLE photos(id INTEGER); INSERT INTO photos VALUES (1);");
        auto before = test::read_file(p);
        try {
            auto store = Store::open(options_for(p), key);
            FAIL("foreign database accepted");
        } catch (const Error& e) {
            CHECK(e.code() == Errc::not_a_store);
            CHECK(std::string(e.what()).find("another program") != std::string::npos);
        }
        CHECK(test::read_file(p) == before);
    }
    SECTION("an empty file becomes a new store") {
        auto p = dir / "empty.db";
        test::write_file(p, "");
        auto store = Store::open(options_for(p), key);
        CHECK(store.schema_version() == kStoreSchemaVersion);
    }
    SECTION("a missing folder is an error, not a crash") {
        CHECK_THROWS_AS(Store::open(options_for(dir / "no" / "such" / "dir" / "hub.db"), key), Error);
    }
}

TEST_CASE("Store: below the disk reserve a rating is refused with a message and nothing is written") {
    test::TempDir dir;
    test::HallFixture hall(test::assets_dir());
    auto o = options_for(dir / "hub.db");
    o.min_free_bytes = 1LL << 62;  // more than any disk has
    auto store = Store::open(o, SecretKey::random());
    test::save_completed_case(store, "C-1", t0());
    auto r = store.record_rating(test::draft_for("C-1", 1, t0()), hall.context());
    REQUIRE_FALSE(r);
    CHECK(r.error().cause == RecordFailureCause::disk_nearly_full);
    CHECK(r.error().message_zh().find("存储空间不足") != std::string::npos);
    CHECK(store.rating_count() == 0);
}

TEST_CASE("Store: completed cases without a completion rating are listed for reminders") {
    test::TempDir dir;
    test::HallFixture hall(test::assets_dir());
    auto store = Store::open(options_for(dir / "hub.db"), SecretKey::random());
    test::add_rated_case(store, hall, 1, t0());
    test::save_completed_case(store, "UNRATED-1", t0());
    Case open_case = test::save_completed_case(store, "OPEN-1", t0());
    open_case.stage = Stage::accepted;
    open_case.completed_at.reset();
    store.save_case(open_case);
    auto unrated = store.unrated_completed_cases();
    REQUIRE(unrated.size() == 1);
    CHECK(unrated[0].case_no == "UNRATED-1");
}

TEST_CASE("Store: a read-only store without the key reads ratings but not applicant data") {
    test::TempDir dir;
    test::HallFixture hall(test::assets_dir());
    auto db = dir / "hub.db";
    {
        auto store = Store::open(options_for(db), SecretKey::random());
        test::add_rated_case(store, hall, 1, t0());
    }
    auto ro = Store::open_read_only(db, std::nullopt);
    CHECK(ro.device_id() == "rater-03");
    CHECK(ro.rating_count() == 1);
    auto c = ro.find_case("CASE-1");
    REQUIRE(c);
    CHECK(c->applicant.name.empty());
    CHECK_THROWS_AS(ro.save_case(*c), Error);
}
