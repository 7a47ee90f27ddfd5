// The UI text files: both languages carry every key, and every key the program uses exists.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <string>

namespace {

const std::filesystem::path kAssets = HCP_SOURCE_ASSETS_DIR;

std::set<std::string> keys_of(const std::string& lang) {
    std::ifstream in(kAssets / "lang" / (lang + ".json"));
    REQUIRE(in);
    const auto doc = nlohmann::json::parse(in);
    REQUIRE(doc.is_object());
    std::set<std::string> keys;
    for (const auto& [key, value] : doc.items()) {
        REQUIRE(value.is_string());
        keys.insert(key);
    }
    return keys;
}

// String literals in kiosk/app that look like UI text keys ("idle.hint", "msg.refused.title" …).
std::set<std::string> keys_used_in_code() {
    // A literal ending in '.' is the stem of a built key ("display.month." + n): not matched.
    const std::regex key(
        R"re("((?:header|idle|status|rating|level|bad|thanks|common|msg|kb|theme|ticket|display)\.[a-z0-9_.]*[a-z0-9_])")re");
    std::set<std::string> used;
    for (const auto& entry : std::filesystem::recursive_directory_iterator(kAssets.parent_path() / "kiosk" / "app")) {
        const auto ext = entry.path().extension();
        if (ext != ".cpp" && ext != ".hpp") continue;
        std::ifstream in(entry.path());
        std::stringstream text;
        text << in.rdbuf();
        const std::string s = text.str();
        for (std::sregex_iterator it(s.begin(), s.end(), key), end; it != end; ++it) used.insert((*it)[1].str());
    }
    return used;
}

}  // namespace

TEST_CASE("Chinese and English have exactly the same keys") {
    const auto zh = keys_of("zh_CN");
    const auto en = keys_of("en");
    for (const auto& k : zh) {
        INFO("missing in en.json: " << k);
        CHECK(en.count(k) == 1);
    }
    for (const auto& k : en) {
        INFO("missing in zh_CN.json: " << k);
        CHECK(zh.count(k) == 1);
    }
    CHECK(zh.size() > 30);
}

TEST_CASE("Every key used by the program exists in both languages") {
    const auto used = keys_used_in_code();
    REQUIRE(used.size() > 30);
    const auto zh = keys_of("zh_CN");
    const auto en = keys_of("en");
    for (const auto& k : used) {
        INFO("key used in kiosk/app: " << k);
        CHECK(zh.count(k) == 1);
        CHECK(en.count(k) == 1);
    }
}

TEST_CASE("The five level labels are the policy wording") {
    std::ifstream in(kAssets / "lang" / "zh_CN.json");
    const auto zh = nlohmann::json::parse(in);
    CHECK(zh.at("level.5") == "非常满意");
    CHECK(zh.at("level.4") == "满意");
    CHECK(zh.at("level.3") == "基本满意");
    CHECK(zh.at("level.2") == "不满意");
    CHECK(zh.at("level.1") == "非常不满意");
}
