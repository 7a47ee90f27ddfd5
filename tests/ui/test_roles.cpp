// Which role a terminal shows, and the command line that picks it.
#include <catch2/catch.hpp>

#include <sstream>
#include <variant>
#include <vector>

#include "shell/options.hpp"
#include "shell/role_choice.hpp"

using hcp::DeviceRole;
using hcp::ui::RoleKind;

namespace {

RoleKind shown(std::set<DeviceRole> roles, std::optional<std::string> flag = std::nullopt) {
    hcp::Config config;
    config.device.roles = std::move(roles);
    hcp::ui::Options options;
    options.role = std::move(flag);
    return hcp::ui::choose_role(&config, options);
}

std::variant<hcp::ui::Options, int> parse(std::vector<const char*> args, std::string* out_text = nullptr,
                                          std::string* err_text = nullptr) {
    args.insert(args.begin(), "hcp-kiosk");
    std::ostringstream out, err;
    auto r = hcp::ui::parse_options(static_cast<int>(args.size()), args.data(), out, err);
    if (out_text != nullptr) *out_text = out.str();
    if (err_text != nullptr) *err_text = err.str();
    return r;
}

}  // namespace

TEST_CASE("a device with a rating role shows the rating journey whatever else it runs", "[roles]") {
    CHECK(shown({DeviceRole::hub, DeviceRole::rater, DeviceRole::display, DeviceRole::ticket}) == RoleKind::rater);
    CHECK(shown({DeviceRole::rater, DeviceRole::selfservice}) == RoleKind::rater);
    CHECK(shown({DeviceRole::selfservice, DeviceRole::display}) == RoleKind::self_service);
}

TEST_CASE("without a rating role the display comes before the ticket station", "[roles]") {
    CHECK(shown({DeviceRole::hub, DeviceRole::display, DeviceRole::ticket}) == RoleKind::display);
    CHECK(shown({DeviceRole::hub, DeviceRole::ticket}) == RoleKind::ticket);
    CHECK(shown({DeviceRole::hub}) == RoleKind::rater);
}

TEST_CASE("the role flag overrides device.roles, also without a configuration", "[roles]") {
    CHECK(shown({DeviceRole::rater}, "display") == RoleKind::display);
    CHECK(shown({DeviceRole::display}, "ticket") == RoleKind::ticket);
    CHECK(shown({DeviceRole::display}, "rater") == RoleKind::rater);
    hcp::ui::Options options;
    options.role = "display";
    CHECK(hcp::ui::choose_role(nullptr, options) == RoleKind::display);
    CHECK(hcp::ui::choose_role(nullptr, hcp::ui::Options{}) == RoleKind::rater);
}

TEST_CASE("the command line reads every option of hcp-kiosk", "[options]") {
    auto r =
        parse({"--config",    "/etc/hall.toml", "--headless", "--script", "s.hcp", "--shots",      "shots",
               "--size",      "1280x800",       "--windowed", "--lang",   "en",    "--large-text", "--timeout-seconds",
               "30",          "--role",         "ticket",     "--link",   "demo",  "--data-dir",   "data",
               "--no-upload", "--stats"});
    REQUIRE(std::holds_alternative<hcp::ui::Options>(r));
    const auto& o = std::get<hcp::ui::Options>(r);
    CHECK(o.config == "/etc/hall.toml");
    CHECK(o.headless);
    CHECK(o.script == "s.hcp");
    CHECK(o.shots == "shots");
    CHECK(o.width == 1280);
    CHECK(o.height == 800);
    CHECK(o.windowed);
    CHECK(o.lang == "en");
    CHECK(o.large_text);
    CHECK(o.timeout_seconds == 30);
    CHECK(o.role == "ticket");
    CHECK(o.link == "demo");
    CHECK(o.data_dir == std::filesystem::path("data"));
    CHECK(o.no_upload);
    CHECK(o.stats);
    CHECK_FALSE(o.voice_wav);

    auto v = parse({"--voice-wav", "out.wav", "三号窗口"});
    REQUIRE(std::holds_alternative<hcp::ui::Options>(v));
    CHECK(std::get<hcp::ui::Options>(v).voice_wav == std::filesystem::path("out.wav"));
    CHECK(std::get<hcp::ui::Options>(v).voice_text == "三号窗口");

    auto d = parse({});
    REQUIRE(std::holds_alternative<hcp::ui::Options>(d));
    CHECK(std::get<hcp::ui::Options>(d).width == 1920);
    CHECK(std::get<hcp::ui::Options>(d).lang == "zh_CN");
    CHECK_FALSE(std::get<hcp::ui::Options>(d).role);
}

TEST_CASE("the help lists the options and a bad option stops with exit code 2 and a message", "[options]") {
    std::string out, err;
    auto help = parse({"--help"}, &out, &err);
    REQUIRE(std::holds_alternative<int>(help));
    CHECK(std::get<int>(help) == 0);
    for (const char* name : {"--config", "--headless", "--script", "--role", "--link", "--voice-wav"}) {
        CHECK(out.find(name) != std::string::npos);
    }
    for (std::vector<const char*> bad : {std::vector<const char*>{"--bogus"},
                                         {"--lang", "fr"},
                                         {"--size", "100x100"},
                                         {"--timeout-seconds", "0"},
                                         {"--role", "printer"},
                                         {"--voice-wav", "a.wav"}}) {
        auto r = parse(bad, &out, &err);
        REQUIRE(std::holds_alternative<int>(r));
        CHECK(std::get<int>(r) == 2);
        CHECK_FALSE(err.empty());
    }
}
