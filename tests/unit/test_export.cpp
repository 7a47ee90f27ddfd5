// Export of ratings (shared/include/hcp/export.hpp): CSV per RFC 4180 or JSON, applicant data
// masked unless asked otherwise, spreadsheet formulas neutralised, [from, to) by tap time.
#include <catch2/catch.hpp>

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "hcp/store/export.hpp"
#include "test_support.hpp"

using namespace hcp;
using namespace std::chrono;

namespace {

namespace fs = std::filesystem;

const std::string kName = "张三丰";
const std::string kPhone = "13812341234";
const std::string kId = "110101199003071234";
const std::string kNameMasked = "张**";
const std::string kPhoneMasked = "138****1234";
const std::string kIdMasked = "110101********1234";

const std::string kName2 = "欧阳娜娜";
const std::string kPhone2 = "+8613900001111";
const std::string kId2 = "11010119900307123X";

// A 差评 opinion that is hostile to every CSV consumer: a leading formula, a comma, a double
// quote and a newline.
const std::string kHostileText = "=cmd|' /C calc'!A0, 他说\"再等等\"\n第二行";

TimePoint china(int y, unsigned m, unsigned d, int hh, int mi = 0, int ss = 0, int ms = 0) {
    return china_midnight(Date{year{y}, month{m}, day{d}}) + hours{hh} + minutes{mi} + seconds{ss} + milliseconds{ms};
}

const TimePoint kFrom = china(2026, 10, 8, 0);
const TimePoint kTo = china(2026, 10, 9, 0);

// ---------------------------------------------------------------------------------------------
// A strict RFC 4180 reader: fails the test on anything malformed.
using Table = std::vector<std::vector<std::string>>;

Table parse_csv(const std::string& text) {
    Table rows;
    std::vector<std::string> row;
    std::string field;
    std::string error;  // first problem found, with its byte offset
    size_t i = 0;
    bool at_field_start = true;
    auto end_field = [&] {
        row.push_back(field);
        field.clear();
        at_field_start = true;
    };
    auto end_row = [&] {
        end_field();
        rows.push_back(row);
        row.clear();
    };
    while (i < text.size() && error.empty()) {
        char c = text[i];
        if (at_field_start && c == '"') {
            // Quoted field: runs to the closing quote; "" is a literal quote.
            ++i;
            bool closed = false;
            while (i < text.size()) {
                if (text[i] == '"') {
                    if (i + 1 < text.size() && text[i + 1] == '"') {
                        field += '"';
                        i += 2;
                        continue;
                    }
                    ++i;
                    closed = true;
                    break;
                }
                field += text[i++];
            }
            if (!closed) error = "unterminated quoted field";
            // After the closing quote only a separator or the end of the record may follow.
            else if (i < text.size() && text[i] != ',' && text[i] != '\n' && text[i] != '\r')
                error = "text after a closing quote at byte " + std::to_string(i);
            at_field_start = false;
            continue;
        }
        at_field_start = false;
        if (c == ',') {
            end_field();
            ++i;
        } else if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') {
            end_row();
            i += 2;
        } else if (c == '\n') {
            end_row();
            ++i;
        } else if (c == '"' || c == '\r') {
            error = "quote or CR inside an unquoted field at byte " + std::to_string(i);
        } else {
            field += c;
            ++i;
        }
    }
    if (error.empty() && (!row.empty() || !field.empty())) error = "the last record has no line break";
    INFO(error);
    REQUIRE(error.empty());
    return rows;
}

// CSV rows as maps keyed by the header.
struct Csv {
    std::vector<std::string> header;
    std::vector<std::map<std::string, std::string>> rows;
};

Csv read_csv(const std::string& text) {
    auto table = parse_csv(text);
    REQUIRE_FALSE(table.empty());
    Csv csv;
    csv.header = table.front();
    for (size_t r = 1; r < table.size(); ++r) {
        INFO("row " << r);
        REQUIRE(table[r].size() == csv.header.size());
        std::map<std::string, std::string> m;
        for (size_t c = 0; c < csv.header.size(); ++c) m[csv.header[c]] = table[r][c];
        csv.rows.push_back(std::move(m));
    }
    return csv;
}

const std::map<std::string, std::string>& row_of(const Csv& csv, const std::string& case_no) {
    for (const auto& r : csv.rows)
        if (r.at("case_nos") == case_no) return r;
    FAIL("no row for case " << case_no);
    return csv.rows.front();
}

const nlohmann::json& json_of(const nlohmann::json& arr, const std::string& case_no) {
    for (const auto& j : arr)
        if (j.at("case_nos").at(0) == case_no) return j;
    FAIL("no JSON record for case " << case_no);
    return arr.front();
}

// ---------------------------------------------------------------------------------------------
// A hall with a store and a morning of ratings.
struct World {
    test::TempDir dir;
    fs::path db = dir / "hub.db";
    SecretKey key = SecretKey::random();
    Hall hall{"DEMO-0001", "测试县政务服务中心", "370921000000", HallLevel::county};
    OptionCatalog catalog = OptionCatalog::load_file(test::assets_dir() / "catalog/cn-004.toml");
    std::optional<Store> store;

    World() {
        StoreOptions o;
        o.path = db;
        o.device_id = "hub-01";
        o.min_free_bytes = 0;
        store.emplace(Store::open(o, key));
    }

    Case add_case(const std::string& no, const std::string& name, const std::string& phone, const std::string& id,
                  const std::string& item_name = "城乡居民基本养老保险参保登记", Staff staff = {"1024", "刘敏"}) {
        Case c;
        c.case_no = no;
        c.item = {"12370921MB2854123A4000117051000", item_name, "社会保险事业中心"};
        c.kind = CaseKind::immediate;
        c.stage = Stage::completed;
        c.window = 3;
        c.staff = std::move(staff);
        c.applicant.name = PersonalField(PersonalKind::name, name);
        c.applicant.phone = PersonalField(PersonalKind::phone, phone);
        c.applicant.id_number = PersonalField(PersonalKind::id_number, id);
        c.accepted_at = china(2026, 10, 7, 9);
        c.completed_at = china(2026, 10, 7, 9, 20);
        store->save_case(c);
        return c;
    }

    Rating rate(const std::string& case_no, Level level, TimePoint at, std::vector<std::string> options = {},
                std::string text = {}) {
        RatingDraft d;
        d.case_nos = {case_no};
        d.level = level;
        d.stage = Stage::completed;
        d.target = RatingTarget::both;
        d.channel = Channel::window_rater;
        d.option_codes = std::move(options);
        d.text = std::move(text);
        d.tapped_at = at;
        auto r = store->record_rating(d, RatingContext{hall, catalog});
        INFO((r ? std::string() : r.error().detail));
        REQUIRE(r.ok());
        return r.value();
    }

    std::string run_export(const Store& s, ExportFormat format, bool unmasked = false, TimePoint from = kFrom,
                           TimePoint to = kTo, long long* count = nullptr) {
        ExportOptions o;
        o.from = from;
        o.to = to;
        o.format = format;
        o.unmasked = unmasked;
        std::ostringstream out;
        long long n = export_ratings(s, o, out);
        if (count != nullptr) *count = n;
        return out.str();
    }
    std::string run_export(ExportFormat format, bool unmasked = false, TimePoint from = kFrom, TimePoint to = kTo,
                           long long* count = nullptr) {
        return run_export(*store, format, unmasked, from, to, count);
    }
};

// The standard morning: four ratings inside 2026-10-08 (China), two just outside it.
struct Morning : World {
    Morning() {
        add_case("C-001", kName, kPhone, kId);
        add_case("C-002", kName, kPhone, kId);
        add_case("C-003", kName2, kPhone2, kId2);
        add_case("C-004", kName, kPhone, kId, "@SUM(1+1)*cmd|' /C calc'!A0", {"1025", "+1+1"});
        add_case("C-BEFORE", kName, kPhone, kId);
        add_case("C-AFTER", kName, kPhone, kId);
        rate("C-BEFORE", Level::satisfied, china(2026, 10, 7, 23, 59, 59, 999));  // 1 ms before `from`
        rate("C-001", Level::very_satisfied, china(2026, 10, 8, 0));              // exactly `from`
        rate("C-002", Level::dissatisfied, china(2026, 10, 8, 10, 0, 0, 250), {"101", "303"}, kHostileText);
        rate("C-003", Level::basically_satisfied, china(2026, 10, 8, 11));
        rate("C-004", Level::very_dissatisfied, china(2026, 10, 8, 23, 59, 59, 999), {}, "-2+3 投诉");
        rate("C-AFTER", Level::satisfied, china(2026, 10, 9, 0));  // exactly `to`: excluded
    }
};

}  // namespace

// ---------------------------------------------------------------------------------------------
// CSV

TEST_CASE("Export CSV: the output parses as RFC 4180 with one header and one row per rating") {
    Morning w;
    long long n = 0;
    auto text = w.run_export(ExportFormat::csv, false, kFrom, kTo, &n);
    auto csv = read_csv(text);
    CHECK(n == 4);
    CHECK(csv.rows.size() == 4);
    CHECK(csv.header.size() == 29);
    CHECK(csv.header.front() == "id");
    CHECK(csv.header.back() == "default_calendar");
    for (const char* col : {"seq", "tapped_at", "case_nos", "level", "level_label", "bad", "options", "option_labels",
                            "text", "staff_number", "staff_name", "applicant_name", "applicant_phone"}) {
        INFO(col);
        CHECK(std::find(csv.header.begin(), csv.header.end(), col) != csv.header.end());
    }
}

TEST_CASE("Export CSV: applicant data is masked by default and the plain values appear nowhere") {
    Morning w;
    auto text = w.run_export(ExportFormat::csv);
    CHECK(text.find(kName) == std::string::npos);
    CHECK(text.find(kPhone) == std::string::npos);
    CHECK(text.find(kId) == std::string::npos);
    CHECK(text.find(kName2) == std::string::npos);
    CHECK(text.find("13900001111") == std::string::npos);
    CHECK(text.find(kId2) == std::string::npos);

    auto csv = read_csv(text);
    const auto& r1 = row_of(csv, "C-001");
    CHECK(r1.at("applicant_name") == kNameMasked);
    CHECK(r1.at("applicant_phone") == kPhoneMasked);
    CHECK(r1.at("applicant_id") == kIdMasked);
    const auto& r3 = row_of(csv, "C-003");
    CHECK(r3.at("applicant_name") == "欧***");
    // A leading + is neutralised like any formula start (see the formula test).
    CHECK(r3.at("applicant_phone") == "'" + mask_phone(kPhone2));
    CHECK(r3.at("applicant_id") == "110101********123X");
}

TEST_CASE("Export CSV: unmasked export shows the plain applicant data of each rating's case") {
    Morning w;
    auto csv = read_csv(w.run_export(ExportFormat::csv, true));
    const auto& r1 = row_of(csv, "C-001");
    CHECK(r1.at("applicant_name") == kName);
    CHECK(r1.at("applicant_phone") == kPhone);
    CHECK(r1.at("applicant_id") == kId);
    const auto& r3 = row_of(csv, "C-003");
    CHECK(r3.at("applicant_name") == kName2);
    CHECK(r3.at("applicant_phone") == "'" + kPhone2);
    CHECK(r3.at("applicant_id") == kId2);
}

TEST_CASE("Export CSV: a text with comma, quote and newline survives quoting and parses back") {
    Morning w;
    auto text = w.run_export(ExportFormat::csv);
    // RFC 4180: the field is quoted and its quotes doubled.
    CHECK(text.find("\"'=cmd|' /C calc'!A0, 他说\"\"再等等\"\"\n第二行\"") != std::string::npos);
    auto csv = read_csv(text);
    const auto& r = row_of(csv, "C-002");
    CHECK(r.at("text") == "'" + kHostileText);
}

TEST_CASE("Export CSV: fields starting with = + - @ are prefixed with ' so spreadsheets do not run them") {
    Morning w;
    auto csv = read_csv(w.run_export(ExportFormat::csv));
    CHECK(row_of(csv, "C-002").at("text") == "'" + kHostileText);
    const auto& r4 = row_of(csv, "C-004");
    CHECK(r4.at("item_name") == "'@SUM(1+1)*cmd|' /C calc'!A0");
    CHECK(r4.at("staff_name") == "'+1+1");
    CHECK(r4.at("text") == "'-2+3 投诉");
    // No field of any row starts a formula.
    for (const auto& row : csv.rows) {
        for (const auto& [col, value] : row) {
            INFO(col << " = " << value);
            if (value.empty()) continue;
            CHECK(std::string("=+-@").find(value.front()) == std::string::npos);
        }
    }
}

TEST_CASE("Export CSV: a 差评 row carries its level, options, labels and the bad flag") {
    Morning w;
    auto csv = read_csv(w.run_export(ExportFormat::csv));
    const auto& bad = row_of(csv, "C-002");
    CHECK(bad.at("level") == "2");
    CHECK(bad.at("level_label") == "不满意");
    CHECK(bad.at("bad") == "1");
    CHECK(bad.at("options") == "101;303");
    CHECK(bad.at("option_labels") == std::string(w.catalog.find("101")->label) + ";" + w.catalog.find("303")->label);
    CHECK(bad.at("tapped_at") == "2026-10-08T10:00:00.250+08:00");
    CHECK(bad.at("hall_code") == "DEMO-0001");
    CHECK(bad.at("area_code") == "370921000000");
    CHECK(bad.at("staff_number") == "1024");
    CHECK(bad.at("staff_name") == "刘敏");
    CHECK(bad.at("catalog") == w.catalog.id() + "@" + std::to_string(w.catalog.version()));
    CHECK(bad.at("device_id") == "hub-01");
    CHECK(bad.at("kind") == "immediate");
    CHECK(bad.at("stage") == "completed");
    CHECK(bad.at("target") == "both");
    const auto& good = row_of(csv, "C-001");
    CHECK(good.at("level") == "5");
    CHECK(good.at("level_label") == "非常满意");
    CHECK(good.at("bad") == "0");
    CHECK(good.at("options").empty());
    CHECK(good.at("text").empty());
}

TEST_CASE("Export CSV: rows come in device sequence order with the ids the store recorded") {
    Morning w;
    auto csv = read_csv(w.run_export(ExportFormat::csv));
    std::vector<std::string> seqs;
    for (const auto& r : csv.rows) seqs.push_back(r.at("seq"));
    CHECK(seqs == std::vector<std::string>{"2", "3", "4", "5"});
    for (const auto& r : csv.rows) {
        auto stored = w.store->find_rating(r.at("id"));
        REQUIRE(stored.has_value());
        CHECK(std::to_string(stored->seq) == r.at("seq"));
        CHECK(stored->case_nos.front() == r.at("case_nos"));
    }
}

TEST_CASE("Export: the date range includes its first millisecond and excludes its end instant") {
    Morning w;
    auto csv = read_csv(w.run_export(ExportFormat::csv));
    std::vector<std::string> cases;
    for (const auto& r : csv.rows) cases.push_back(r.at("case_nos"));
    CHECK(cases == std::vector<std::string>{"C-001", "C-002", "C-003", "C-004"});
    CHECK(row_of(csv, "C-001").at("tapped_at") == "2026-10-08T00:00:00+08:00");
    CHECK(row_of(csv, "C-004").at("tapped_at") == "2026-10-08T23:59:59.999+08:00");

    // Widening by one millisecond each side brings in the neighbours.
    long long n = 0;
    auto wider = read_csv(w.run_export(ExportFormat::csv, false, kFrom - milliseconds{1}, kTo + milliseconds{1}, &n));
    CHECK(n == 6);
    CHECK(wider.rows.size() == 6);
}

TEST_CASE("Export: an empty or inverted range exports the header only") {
    Morning w;
    long long n = -1;
    auto csv = read_csv(w.run_export(ExportFormat::csv, false, kFrom, kFrom, &n));
    CHECK(n == 0);
    CHECK(csv.rows.empty());
    CHECK(csv.header.size() == 29);
    auto inverted = read_csv(w.run_export(ExportFormat::csv, false, kTo, kFrom, &n));
    CHECK(n == 0);
    CHECK(inverted.rows.empty());
    auto j = nlohmann::json::parse(w.run_export(ExportFormat::json, false, kTo, kFrom, &n));
    CHECK(n == 0);
    CHECK(j == nlohmann::json::array());
}

TEST_CASE("Export: an empty store exports a header-only CSV and an empty JSON array") {
    World w;
    long long n = -1;
    auto csv = read_csv(w.run_export(ExportFormat::csv, false, kFrom, kTo, &n));
    CHECK(n == 0);
    CHECK(csv.rows.empty());
    CHECK(nlohmann::json::parse(w.run_export(ExportFormat::json)) == nlohmann::json::array());
}

TEST_CASE("Export: a batch rating lists every case of the batch and the first case's applicant") {
    World w;
    for (const char* no : {"B-1", "B-2", "B-3"}) {
        Case c = w.add_case(no, kName, kPhone, kId);
        c.batch_id = "BATCH-1";
        w.store->save_case(c);
    }
    w.rate("B-2", Level::satisfied, china(2026, 10, 8, 9));
    auto csv = read_csv(w.run_export(ExportFormat::csv));
    REQUIRE(csv.rows.size() == 1);
    CHECK(csv.rows[0].at("case_nos") == "B-1;B-2;B-3");
    CHECK(csv.rows[0].at("applicant_name") == kNameMasked);
    auto j = nlohmann::json::parse(w.run_export(ExportFormat::json));
    REQUIRE(j.size() == 1);
    CHECK(j[0]["case_nos"] == nlohmann::json::array({"B-1", "B-2", "B-3"}));
}

// ---------------------------------------------------------------------------------------------
// JSON

TEST_CASE("Export JSON: the output parses and each record has the expected fields") {
    Morning w;
    long long n = 0;
    auto text = w.run_export(ExportFormat::json, false, kFrom, kTo, &n);
    auto arr = nlohmann::json::parse(text);
    REQUIRE(arr.is_array());
    CHECK(n == 4);
    CHECK(arr.size() == 4);

    const auto& bad = json_of(arr, "C-002");
    for (const char* field :
         {"id",           "device_id",  "seq",           "tapped_at", "case_nos",   "item_code",
          "item_name",    "kind",       "stage",         "target",    "level",      "level_label",
          "bad",          "options",    "option_labels", "text",      "channel",    "window",
          "staff_number", "staff_name", "hall_code",     "area_code", "catalog_id", "catalog_version",
          "public",       "default",    "applicant",     "hash"}) {
        INFO(field);
        CHECK(bad.contains(field));
    }
    CHECK(bad["seq"] == 3);
    CHECK(bad["level"] == 2);
    CHECK(bad["level_label"] == "不满意");
    CHECK(bad["bad"] == true);
    CHECK(bad["options"] == nlohmann::json::array({"101", "303"}));
    CHECK(bad["option_labels"].size() == 2);
    CHECK(bad["channel"] == "window_rater");
    CHECK(bad["window"] == 3);
    CHECK(bad["tapped_at"] == "2026-10-08T10:00:00.250+08:00");
    CHECK(bad["catalog_id"] == w.catalog.id());
    CHECK(bad["catalog_version"] == w.catalog.version());
    CHECK(bad["public"] == true);
    CHECK(bad["default"] == false);
    auto stored = w.store->find_rating(bad["id"].get<std::string>());
    REQUIRE(stored.has_value());
    CHECK(bad["hash"] == stored->hash);
    CHECK(bad["hash"].get<std::string>().size() == 64);
}

TEST_CASE("Export JSON: the free text is exported exactly, without the CSV formula prefix") {
    Morning w;
    auto arr = nlohmann::json::parse(w.run_export(ExportFormat::json));
    CHECK(json_of(arr, "C-002")["text"] == kHostileText);
    CHECK(json_of(arr, "C-004")["staff_name"] == "+1+1");
}

TEST_CASE("Export JSON: applicant data is masked by default and marked as masked") {
    Morning w;
    auto text = w.run_export(ExportFormat::json);
    CHECK(text.find(kName) == std::string::npos);
    CHECK(text.find(kPhone) == std::string::npos);
    CHECK(text.find(kId) == std::string::npos);
    auto arr = nlohmann::json::parse(text);
    const auto& a = json_of(arr, "C-001")["applicant"];
    CHECK(a["name"] == kNameMasked);
    CHECK(a["phone"] == kPhoneMasked);
    CHECK(a["id_number"] == kIdMasked);
    CHECK(a["masked"] == true);
}

TEST_CASE("Export JSON: unmasked export shows the plain applicant data and says so") {
    Morning w;
    auto arr = nlohmann::json::parse(w.run_export(ExportFormat::json, true));
    const auto& a = json_of(arr, "C-003")["applicant"];
    CHECK(a["name"] == kName2);
    CHECK(a["phone"] == kPhone2);
    CHECK(a["id_number"] == kId2);
    CHECK(a["masked"] == false);
}

TEST_CASE("Export JSON: invalid UTF-8 in stored text does not abort the export") {
    World w;
    w.add_case("C-BIN", kName, kPhone, kId, "事项\xff\xfe名称");
    w.rate("C-BIN", Level::satisfied, china(2026, 10, 8, 9));
    std::string text;
    REQUIRE_NOTHROW(text = w.run_export(ExportFormat::json));
    auto arr = nlohmann::json::parse(text);
    REQUIRE(arr.size() == 1);
    CHECK(arr[0]["item_name"].get<std::string>().rfind("事项", 0) == 0);
}

// ---------------------------------------------------------------------------------------------
// Read-only stores (hcpctl export)

TEST_CASE("Export from a read-only store without the key leaves the applicant columns empty") {
    Morning w;
    w.store.reset();  // the hub has closed the database
    auto ro = Store::open_read_only(w.db, std::nullopt);
    long long n = 0;
    auto text = w.run_export(ro, ExportFormat::csv, false, kFrom, kTo, &n);
    CHECK(n == 4);
    auto csv = read_csv(text);
    REQUIRE(csv.rows.size() == 4);
    for (const auto& r : csv.rows) {
        CHECK(r.at("applicant_name").empty());
        CHECK(r.at("applicant_phone").empty());
        CHECK(r.at("applicant_id").empty());
        CHECK_FALSE(r.at("id").empty());  // the rating itself is there
    }
    CHECK(row_of(csv, "C-002").at("text") == "'" + kHostileText);

    auto arr = nlohmann::json::parse(w.run_export(ro, ExportFormat::json));
    REQUIRE(arr.size() == 4);
    for (const auto& j : arr) {
        CHECK(j["applicant"]["name"] == "");
        CHECK(j["applicant"]["phone"] == "");
        CHECK(j["applicant"]["id_number"] == "");
    }
    // Even "unmasked" cannot reveal what it cannot decrypt.
    auto unmasked = w.run_export(ro, ExportFormat::csv, true);
    CHECK(unmasked.find(kName) == std::string::npos);
    CHECK(unmasked.find(kPhone) == std::string::npos);
}

TEST_CASE("Export from a read-only store with the key masks by default and reveals when asked") {
    Morning w;
    w.store.reset();
    auto ro = Store::open_read_only(w.db, w.key);
    auto masked = read_csv(w.run_export(ro, ExportFormat::csv));
    CHECK(row_of(masked, "C-001").at("applicant_phone") == kPhoneMasked);
    auto plain = read_csv(w.run_export(ro, ExportFormat::csv, true));
    CHECK(row_of(plain, "C-001").at("applicant_phone") == kPhone);
}

TEST_CASE("Export: a read-only store opened with another key is refused, not exported as garbage") {
    Morning w;
    w.store.reset();
    try {
        (void)Store::open_read_only(w.db, SecretKey::random());
        FAIL("opened with the wrong key");
    } catch (const Error& e) {
        CHECK(e.code() == Errc::key_invalid);
    }
}
