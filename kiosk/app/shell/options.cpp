#include "shell/options.hpp"

#include <CLI/CLI.hpp>

#include <ostream>
#include <vector>

#include "shell/asset_paths.hpp"

namespace hcp::ui {

namespace {

// --size WxH: both numbers inside what SDL and the layout handle.
std::string check_size(const std::string& v) {
    const auto x = v.find('x');
    if (x == std::string::npos || x == 0 || x + 1 == v.size()) return "must be WxH, e.g. 1920x1080";
    try {
        const int w = std::stoi(v.substr(0, x));
        const int h = std::stoi(v.substr(x + 1));
        if (w < 320 || h < 240 || w > 8192 || h > 8192) return "out of range (320x240 to 8192x8192)";
    } catch (const std::exception&) {
        return "must be WxH, e.g. 1920x1080";
    }
    return {};
}

}  // namespace

std::variant<Options, int> parse_options(int argc, const char* const* argv, std::ostream& out, std::ostream& err) {
    Options o;
    std::string config = default_config_file().string();
    std::string script, shots, size, data_dir, timeout_seconds, role, link;
    std::vector<std::string> voice;

    CLI::App app(
        "hcp-kiosk: the hall's touch screen — window rating terminal, self-service rating, "
        "ticket station or hall display, as device.roles in the configuration says.",
        "hcp-kiosk");
    app.add_option("--config", config, "The hall configuration (TOML)")->type_name("FILE")->capture_default_str();
    app.add_flag("--headless", o.headless, "No screen: SDL's dummy video driver and the software renderer (tests)");
    app.add_option("--script", script, "Run a test script (one command a line) and exit with its result")
        ->type_name("FILE");
    app.add_option("--shots", shots, "Where the script's screenshots are written")->type_name("DIR");
    app.add_option("--size", size, "Window size (headless, or with --windowed); default 1920x1080")
        ->type_name("WxH")
        ->check(CLI::Validator(check_size, "", "size"));
    app.add_flag("--windowed", o.windowed, "A normal window instead of full screen");
    app.add_option("--lang", o.lang, "Language of the screens between citizens")
        ->check(CLI::IsMember({"zh_CN", "en"}))
        ->capture_default_str();
    app.add_flag("--large-text", o.large_text, "Large text between citizens");
    app.add_option("--timeout-seconds", timeout_seconds,
                   "Rating screens back to idle after N s (overrides rating.timeout_seconds)")
        ->type_name("N")
        ->check(CLI::Range(1, 3600));
    app.add_option("--role", role, "The role shown (overrides device.roles)")
        ->check(CLI::IsMember({"rater", "selfservice", "display", "ticket"}));
    app.add_option("--link", link,
                   "The hub: local (in this process), remote (device.hub_url) or demo (in memory, never durable)")
        ->check(CLI::IsMember({"local", "remote", "demo"}));
    app.add_option("--data-dir", data_dir, "The store and its key in DIR instead of the configured paths")
        ->type_name("DIR");
    app.add_flag("--no-upload", o.no_upload, "The embedded hub keeps every rating in its outbox and uploads nothing");
    app.add_flag("--stats", o.stats, "Print frame statistics at exit");
    app.add_option("--voice-wav", voice, "Speak TEXT with the configured [display] voice into FILE and exit")
        ->type_name("FILE TEXT")
        ->expected(2);

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        const int code = app.exit(e, out, err);
        return code == 0 ? 0 : 2;
    }
    o.config = config;
    o.script = script;
    o.shots = shots;
    if (!size.empty()) {
        const auto x = size.find('x');
        o.width = std::stoi(size.substr(0, x));
        o.height = std::stoi(size.substr(x + 1));
    }
    if (!timeout_seconds.empty()) o.timeout_seconds = std::stoi(timeout_seconds);
    if (!role.empty()) o.role = role;
    if (!link.empty()) o.link = link;
    if (!data_dir.empty()) o.data_dir = data_dir;
    if (voice.size() == 2) {
        o.voice_wav = voice[0];
        o.voice_text = voice[1];
    }
    return o;
}

}  // namespace hcp::ui
