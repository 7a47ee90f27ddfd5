#pragma once
// Command-line options of hcp-kiosk. Settings the configuration file lacks (language, large
// text) are flags (docs/kiosk-ui.md).
#include <filesystem>
#include <iosfwd>
#include <optional>
#include <string>
#include <variant>

namespace hcp::ui {

struct Options {
    std::filesystem::path config;  // --config FILE
    bool headless = false;         // --headless: SDL dummy video + software renderer
    std::filesystem::path script;  // --script FILE
    std::filesystem::path shots;   // --shots DIR
    int width = 1920;              // --size WxH (headless, or windowed with --windowed)
    int height = 1080;
    bool windowed = false;               // --windowed: a normal window instead of full screen
    std::string lang = "zh_CN";          // --lang zh_CN|en
    bool large_text = false;             // --large-text
    std::optional<int> timeout_seconds;  // --timeout-seconds N (overrides rating.timeout_seconds)
    std::optional<std::string> role;     // --role rater|selfservice|display|ticket (overrides device.roles)
    // --link local|remote|demo: the hub in this process (LocalHubLink, the default when the
    // config's roles include hub), a hub at device.hub_url (RemoteHubLink, the default for a
    // terminal with hub_url; token from $HCP_HUB_TOKEN), or the in-memory DemoHubLink (tests of
    // the offline and disk-full screens; never durable).
    std::optional<std::string> link;
    std::optional<std::filesystem::path> data_dir;  // --data-dir DIR: the hub's store and key here
    // --no-upload: the embedded hub keeps every rating in its outbox and starts no uploader,
    // even with [upload] in the configuration (UI tests, a demo without a platform).
    bool no_upload = false;
    // --voice-wav FILE TEXT: speak TEXT with the configured [display] voice into FILE and exit.
    std::optional<std::filesystem::path> voice_wav;
    std::string voice_text;
    bool stats = false;  // --stats: print frame statistics at exit
};

// Parses the command line (argv[0] is the program). Returns the options, or the exit code when
// the program must stop at once: 0 after --help (the help is written to `out`), 2 after a bad
// option (what is wrong and where to find the help are written to `err`).
std::variant<Options, int> parse_options(int argc, const char* const* argv, std::ostream& out, std::ostream& err);

}  // namespace hcp::ui
