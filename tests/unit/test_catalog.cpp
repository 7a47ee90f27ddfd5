// OptionCatalog: the shipped 差评 catalog (policy/004 附件1) and hostile catalog files.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "hcp/base/error.hpp"
#include "hcp/domain/catalog.hpp"
#include "test_support.hpp"

using Catch::Matchers::Contains;
using hcp::OptionCatalog;

namespace {

const OptionCatalog& shipped() {
    static const OptionCatalog cat = OptionCatalog::load_file(hcp::test::assets_dir() / "catalog" / "cn-004.toml");
    return cat;
}

// A small valid catalog; hostile tests change one line of it.
const std::string kValid = R"([catalog]
id = "test-1"
version = 3
name = "测试目录"
source = "unit test"

[[dimension]]
code = "1"
name = "服务态度"

[[dimension.option]]
code = "101"
label = "不一次性告知"

[[dimension.option]]
code = "102"
label = "工作人员推诿扯皮"

[[dimension]]
code = "5"
name = "其他"
free_text = true
)";

std::string replaced(std::string s, const std::string& from, const std::string& to) {
    auto pos = s.find(from);
    REQUIRE(pos != std::string::npos);
    return s.replace(pos, from.size(), to);
}

std::string catalog_error(const std::string& toml, const std::string& origin = "bad.toml") {
    try {
        OptionCatalog::parse(toml, origin);
    } catch (const hcp::Error& e) {
        CHECK(e.code() == hcp::Errc::catalog_invalid);
        return e.what();
    }
    FAIL("the catalog was accepted");
    return {};
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// The shipped catalog

TEST_CASE("Catalog: the shipped cn-004 catalog has 5 dimensions and 21 options") {
    const auto& cat = shipped();
    CHECK(cat.id() == "cn-004");
    CHECK(cat.version() == 1);
    CHECK(cat.name() == "政务服务“一次一评，一事一评”差评评价内容");
    CHECK_THAT(cat.source(), Contains("融政监管字〔2021〕2号"));
    REQUIRE(cat.dimensions().size() == 5);
    CHECK(cat.option_count() == 21);
    const std::vector<std::string> names = {"服务态度", "服务质量", "服务效率", "服务环境", "其他"};
    const std::vector<size_t> counts = {3, 8, 5, 5, 0};
    for (size_t i = 0; i < 5; ++i) {
        const auto& dim = cat.dimensions()[i];
        INFO("dimension " << i);
        CHECK(dim.code == std::to_string(i + 1));
        CHECK(dim.name == names[i]);
        CHECK(dim.options.size() == counts[i]);
        CHECK(dim.free_text == (i == 4));
        // Codes are the dimension code followed by a two-digit number: 101, 102, … 405.
        for (size_t k = 0; k < dim.options.size(); ++k)
            CHECK(dim.options[k].code == std::to_string((i + 1) * 100 + k + 1));
    }
}

TEST_CASE("Catalog: the shipped labels are the policy text without the trailing semicolon") {
    const auto& cat = shipped();
    struct Expected {
        const char* code;
        const char* label;
    };
    const Expected expected[] = {
        {"101", "不一次性告知"},
        {"102", "工作人员推诿扯皮"},
        {"103", "工作人员服务态度生硬"},
        {"201", "不能跑一个大厅办完"},
        {"202", "服务指南看不懂、有错误、无样本、少清单"},
        {"203", "申请材料繁琐，同样材料多次提交"},
        {"204", "办事环节繁多、程序复杂"},
        {"205", "多头跑窗口和部门，跑动次数与承诺的不一致"},
        {"206", "承诺网办但无法在线办理"},
        {"207", "服务收费不透明不合理"},
        {"208", "在办事指南之外增加新的审批条件"},
        {"301", "咨询不方便、回复不及时"},
        {"302", "网上申请不便捷"},
        {"303", "排队等候时间长、重复取号排队"},  // source typo 时冋长 fixed
        {"304", "工作人员业务不熟练"},
        {"305", "未在承诺时限内办结"},
        {"401", "服务导询不到位"},
        {"402", "服务标识不清晰"},
        {"403", "窗口分区不合理"},
        {"404", "服务网络（系统）不稳定"},
        {"405", "服务设施设备不便民"},
    };
    for (const auto& e : expected) {
        INFO(e.code);
        const auto* option = cat.find(e.code);
        REQUIRE(option != nullptr);
        CHECK(option->label == e.label);
        CHECK(option->label.find("；") == std::string::npos);
    }
}

TEST_CASE("Catalog: find and dimension_of look options up by code") {
    const auto& cat = shipped();
    REQUIRE(cat.dimension_of("303") != nullptr);
    CHECK(cat.dimension_of("303")->name == "服务效率");
    CHECK(cat.dimension_of("101")->code == "1");
    CHECK(cat.dimension_of("405")->name == "服务环境");
    CHECK(cat.find("999") == nullptr);
    CHECK(cat.find("") == nullptr);
    CHECK(cat.find("1") == nullptr);  // a dimension code is not an option code
    CHECK(cat.dimension_of("5") == nullptr);
    CHECK(cat.dimension_of("506") == nullptr);
}

TEST_CASE("Catalog: a province's own catalog loads from its file") {
    hcp::test::TempDir dir;
    hcp::test::write_file(dir / "gd.toml", kValid);
    auto cat = OptionCatalog::load_file(dir / "gd.toml");
    CHECK(cat.id() == "test-1");
    CHECK(cat.version() == 3);
    CHECK(cat.option_count() == 2);
    CHECK(cat.dimensions().back().free_text);
    CHECK(cat.dimensions().back().options.empty());
}

// ---------------------------------------------------------------------------------------------
// Hostile files

TEST_CASE("Catalog: an option code used twice is refused, also across dimensions") {
    CHECK_THAT(catalog_error(replaced(kValid, "code = \"102\"", "code = \"101\"")),
               Contains("bad.toml:16:8: dimension[0].option[1].code: option code '101' is already "
                        "used at line 12"));
    auto toml = kValid + R"(
[[dimension]]
code = "2"
name = "服务质量"
[[dimension.option]]
code = "102"
label = "不能跑一个大厅办完"
)";
    CHECK_THAT(catalog_error(toml), Contains("dimension[2].option[0].code: option code '102'"));
}

TEST_CASE("Catalog: a dimension code used twice is refused") {
    CHECK_THAT(catalog_error(replaced(kValid, "code = \"5\"", "code = \"1\"")),
               Contains("dimension[1].code: dimension code '1' is already used at line 8"));
}

TEST_CASE("Catalog: codes are 1 to 8 letters or digits") {
    CHECK_THAT(catalog_error(replaced(kValid, "code = \"101\"", "code = \"10-1\"")), Contains("'10-1' is not a code"));
    CHECK_THAT(catalog_error(replaced(kValid, "code = \"101\"", "code = \"123456789\"")), Contains("is not a code"));
    CHECK_THAT(catalog_error(replaced(kValid, "code = \"101\"", "code = \"\"")), Contains("is not a code"));
    CHECK_THAT(catalog_error(replaced(kValid, "code = \"101\"", "code = 101")),
               Contains("dimension[0].option[0].code: must be a text value in quotes, not an integer"));
}

TEST_CASE("Catalog: an empty, blank or over-long label is refused") {
    CHECK_THAT(catalog_error(replaced(kValid, "label = \"不一次性告知\"", "label = \"\"")),
               Contains("bad.toml:13:9: dimension[0].option[0].label: must not be empty"));
    CHECK_THAT(catalog_error(replaced(kValid, "label = \"不一次性告知\"", "label = \"\u3000 \"")),
               Contains("must not be empty"));
    CHECK_THAT(catalog_error(replaced(kValid, "label = \"不一次性告知\"", "label = \" 不一次性告知\"")),
               Contains("leading or trailing spaces"));
    std::string long_label(41 * 3, 'x');
    CHECK_THAT(catalog_error(replaced(kValid, "不一次性告知", long_label)),
               Contains("is 123 bytes long; at most 120 allowed"));
    CHECK_NOTHROW(OptionCatalog::parse(replaced(kValid, "不一次性告知", std::string(120, 'x')), "ok"));
    CHECK_THAT(catalog_error(replaced(kValid, "label = \"不一次性告知\"", "label = \"a\\u0007b\"")),
               Contains("control characters"));
    CHECK_THAT(catalog_error(replaced(kValid, "label = \"不一次性告知\"", "label = \"\"\"a\nb\"\"\"")),
               Contains("control characters"));
}

TEST_CASE("Catalog: the same label twice in one dimension is refused") {
    CHECK_THAT(catalog_error(replaced(kValid, "工作人员推诿扯皮", "不一次性告知")),
               Contains("the same label is already used at line 13"));
}

TEST_CASE("Catalog: a free-text dimension has no options and a normal one needs some") {
    auto with_options = kValid + R"(
[[dimension.option]]
code = "501"
label = "其他"
)";
    CHECK_THAT(catalog_error(with_options),
               Contains("dimension[1].option: a free_text dimension is answered with text"));
    CHECK_THAT(catalog_error(replaced(kValid, "free_text = true\n", "")),
               Contains("dimension[1].option: missing; a dimension needs at least one"));
    CHECK_THAT(catalog_error(replaced(kValid, "free_text = true", "free_text = \"yes\"")),
               Contains("dimension[1].free_text: must be true or false, not a string"));
    auto two = kValid + "\n[[dimension]]\ncode = \"6\"\nname = \"意见\"\nfree_text = true\n";
    CHECK_THAT(catalog_error(two), Contains("only one dimension may be free text"));
}

TEST_CASE("Catalog: unknown keys are refused with a did-you-mean suggestion") {
    CHECK_THAT(catalog_error(replaced(kValid, "label = \"不一次性告知\"", "labl = \"不一次性告知\"")),
               Contains("dimension[0].option[0].labl: unknown key 'labl'; did you mean 'label'?"));
    CHECK_THAT(catalog_error(replaced(kValid, "free_text", "freetext")), Contains("did you mean 'free_text'?"));
    CHECK_THAT(catalog_error(replaced(kValid, "version = 3", "versoin = 3")), Contains("did you mean 'version'?"));
    CHECK_THAT(catalog_error(kValid + "[[dimensions]]\ncode = \"7\"\n"), Contains("did you mean 'dimension'?"));
}

TEST_CASE("Catalog: wrongly typed values are refused") {
    CHECK_THAT(catalog_error(replaced(kValid, "version = 3", "version = \"3\"")),
               Contains("catalog.version: must be an integer from 1 to 1000000, not a string"));
    CHECK_THAT(catalog_error(replaced(kValid, "name = \"测试目录\"", "name = 7")),
               Contains("catalog.name: must be a text value"));
    CHECK_THAT(catalog_error("dimension = \"x\"\n" + kValid.substr(0, kValid.find("[[dimension]]"))),
               Contains("dimension: must be [[dimension]] sections"));
    CHECK_THAT(catalog_error("catalog = 1\n"), Contains("catalog: must be a [catalog] section"));
}

TEST_CASE("Catalog: the version runs from 1 to 1000000") {
    CHECK_THAT(catalog_error(replaced(kValid, "version = 3", "version = 0")),
               Contains("bad.toml:3:11: catalog.version: is 0; must be an integer from 1 to 1000000"));
    CHECK_THAT(catalog_error(replaced(kValid, "version = 3", "version = -1")), Contains("is -1"));
    CHECK_THAT(catalog_error(replaced(kValid, "version = 3", "version = 1000001")), Contains("is 1000001"));
    CHECK_NOTHROW(OptionCatalog::parse(replaced(kValid, "version = 3", "version = 1000000"), "ok"));
}

TEST_CASE("Catalog: the id is 1 to 32 lowercase letters, digits and dashes") {
    CHECK_THAT(catalog_error(replaced(kValid, "id = \"test-1\"", "id = \"Test_1\"")),
               Contains("catalog.id: 'Test_1' is not an id"));
    CHECK_THAT(catalog_error(replaced(kValid, "id = \"test-1\"", "id = \"\"")), Contains("catalog.id"));
    CHECK_THAT(catalog_error(replaced(kValid, "id = \"test-1\"", "id = \"" + std::string(33, 'a') + "\"")),
               Contains("is not an id"));
}

TEST_CASE("Catalog: a file without a catalog section or without dimensions is refused") {
    auto no_head = kValid.substr(kValid.find("[[dimension]]"));
    CHECK_THAT(catalog_error(no_head), Contains("catalog: missing; a [catalog] section is required"));
    auto no_dims = kValid.substr(0, kValid.find("[[dimension]]"));
    CHECK_THAT(catalog_error(no_dims), Contains("dimension: missing; at least one [[dimension]]"));
    CHECK_THAT(catalog_error("", "empty.toml"), Contains("empty.toml:1:1: catalog: missing"));
}

TEST_CASE("Catalog: every problem in a file is reported at once") {
    auto toml =
        replaced(replaced(kValid, "version = 3", "version = 0"), "label = \"工作人员推诿扯皮\"", "label = \"\"");
    auto msg = catalog_error(toml);
    CHECK_THAT(msg, Contains("bad.toml:3:"));
    CHECK_THAT(msg, Contains("bad.toml:17:"));
}

TEST_CASE("Catalog: syntax errors, binary garbage and NUL bytes are refused") {
    CHECK_THAT(catalog_error("[catalog]\nid = \"x\nversion = 1\n", "syntax.toml"), Contains("syntax.toml:2"));
    std::string garbage;
    for (int i = 1; i < 600; ++i) garbage += static_cast<char>((i * 131 + 7) % 255 + 1);
    CHECK_THAT(catalog_error(garbage, "garbage.bin"), Contains("garbage.bin"));
    std::string with_nul = kValid;
    with_nul[5] = '\0';
    CHECK_THAT(catalog_error(with_nul), Contains("NUL bytes"));
    CHECK_THAT(catalog_error(kValid + "# " + std::string(1 << 20, 'x') + "\n"), Contains("at most 1 MiB"));
}

TEST_CASE("Catalog: a file with thousands of problems gives a bounded message") {
    std::string keys;
    for (int i = 0; i < 3000; ++i) keys += "unknown" + std::to_string(i) + " = 1\n";
    auto msg = catalog_error(replaced(kValid, "[catalog]\n", "[catalog]\n" + keys));
    CHECK_THAT(msg, Contains("more problem(s)"));
    CHECK(msg.size() < 20000);
}

TEST_CASE("Catalog: a missing file is an I/O failure") {
    hcp::test::TempDir dir;
    try {
        OptionCatalog::load_file(dir / "missing.toml");
        FAIL("missing file accepted");
    } catch (const hcp::Error& e) {
        CHECK(e.code() == hcp::Errc::io_failure);
        CHECK_THAT(std::string(e.what()), Contains("missing.toml"));
    }
}
