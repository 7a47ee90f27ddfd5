#pragma once
// Command-line options of hcp-kiosk. Settings the configuration file lacks for now (language,
// large text) are flags until the config gains keys for them (docs/kiosk-ui.md).
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace hcp::ui {

struct Options {
    std::filesystem::path config;             // --config FILE
    bool headless = false;                    // --headless: SDL dummy video + software renderer
    std::filesystem::path script;             // --script FILE
    std::filesystem::path shots;              // --shots DIR
    int width = 1920;                         // --size WxH (headless, or windowed with --windowed)
    int height = 1080;
    bool windowed = false;                    // --windowed: a normal window instead of full screen
    std::string lang = "zh_CN";               // --lang zh_CN|en
    bool large_text = false;                  // --large-text
    std::optional<int> timeout_seconds;       // --timeout-seconds N (overrides rating.timeout_seconds)
    std::optional<std::string> role;          // --role rater|selfservice|display|ticket (overrides device.roles)
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
    bool stats = false;                       // --stats: print frame statistics at exit
    bool help = false;
};

// Parses argv; throws std::runtime_error with a one-line message on a bad option.
Options parse_options(const std::vector<std::string>& args);
std::string usage();

}  // namespace hcp::ui
