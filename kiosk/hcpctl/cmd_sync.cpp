// hcpctl sync: drain the upload outbox once and say what happened (docs/sync.md).
//
// The installer's form reads everything from the main configuration ([upload], [store],
// [hall], paths.assets for the province profile):
//   hcpctl sync --config /etc/hcp-kiosk/hall.toml [--status]
// The older form with a stand-alone [upload] file stays for tools and tests:
//   hcpctl sync UPLOAD_TOML --db DB --hall CODE [--status]
#include <CLI/CLI.hpp>

#include <iostream>
#include <memory>
#include <optional>

#include "cli.hpp"
#include "hcp/config/config.hpp"
#include "hcp/store/outbox.hpp"
#include "hcp/upload/upload.hpp"

namespace hcpctl {

namespace {

// assets/platforms/<profile>.json, or the built-in generic protocol when that file is absent.
hcp::PlatformProfile profile_for(const std::string& name, const std::filesystem::path& assets) {
    const auto path = assets / "platforms" / (name + ".json");
    std::error_code ec;
    if (std::filesystem::exists(path, ec)) return hcp::load_platform_profile(path);
    if (name == "generic") return hcp::generic_profile();
    throw UsageError("[upload].profile = \"" + name + "\" but " + path.string() +
                     " does not exist; install it or use a shipped profile (generic, zhejiang)");
}

const char* const kSyncForms =
    "  hcpctl sync --config CONFIG [--status]\n"
    "  hcpctl sync UPLOAD_TOML --db DB --hall CODE [--status]";

struct SyncArgs {
    std::optional<std::string> upload_toml;
    std::optional<std::string> config;
    std::optional<std::string> db;
    std::optional<std::string> hall;
    bool status = false;
};

int run_sync(const SyncArgs& a) {
    const std::string usage = std::string("usage:\n") + kSyncForms;
    std::filesystem::path db;
    std::string hall;
    std::optional<hcp::UploadConfig> upload;
    std::filesystem::path assets = assets_dir();
    // A terminal's outbox holds ratings waiting for its hub (target "hub"); a hub's, ratings
    // waiting for the platform.
    std::string target = "platform";
    if (a.config) {
        auto cfg = hcp::load_config(*a.config);
        db = cfg.store.database;
        hall = cfg.hall.code;
        upload = cfg.upload;
        assets = cfg.paths.assets;
        if (cfg.device.roles.count(hcp::DeviceRole::hub) == 0 && !cfg.device.hub_url.empty()) target = "hub";
    }
    if (a.db) db = *a.db;
    if (a.hall) hall = *a.hall;
    if (a.upload_toml) upload = hcp::load_upload_config(*a.upload_toml);
    if (db.empty() || hall.empty()) throw UsageError("the database and the hall code are needed\n" + usage);

    auto queue = hcp::OutboxQueue::open(db, target);
    if (a.status) {
        if (target == "hub") std::cout << "terminal: ratings waiting for the hub " << *a.config << "\n";
        auto s = queue.sync_state();
        std::cout << s.summary(hcp::now()) << '\n' << s.summary_zh(hcp::now()) << '\n';
        return s.not_uploaded == 0 && s.rejected == 0 ? kExitOk : kExitFindings;
    }
    if (target == "hub") {
        throw UsageError(
            "this is a terminal: its ratings go to its hub (device.hub_url), which hcp-kiosk forwards "
            "by itself; only a hub uploads to the platform. Use --status to see what waits.\n" +
            usage);
    }
    if (!upload) {
        throw UsageError(
            "the configuration has no [upload] section: this hub keeps its ratings and uploads "
            "nothing. Add [upload] (docs/config.md) to upload.\n" +
            usage);
    }
    hcp::Uploader up(*upload, profile_for(upload->profile, assets), hcp::load_hall_secret(upload->secret_file), db,
                     hall);
    up.set_log([](const std::string& line) { std::cerr << "sync: " << line << '\n'; });
    auto r = up.drain_once();
    std::cout << "requests " << r.requests << ", accepted " << r.accepted << ", duplicates " << r.duplicates
              << ", rejected " << r.rejected << ", to retry " << r.retried << '\n';
    if (r.stopped_on_error) std::cout << "stopped: " << r.last_error << '\n';
    auto s = queue.sync_state();
    std::cout << s.summary(hcp::now()) << '\n';
    return r.stopped_on_error ? kExitFailed : kExitOk;
}

}  // namespace

void add_sync_command(CLI::App& app, int& exit_code) {
    CLI::App& cmd =
        *app.add_subcommand("sync",
                            "upload the outbox once and print what happened, or (--status) how many ratings wait and\n"
                            "since when; the database, hall and [upload] come from --config, or from UPLOAD_TOML,\n"
                            "--db and --hall");
    cmd.footer(std::string("\nthe two forms:\n") + kSyncForms);
    auto o = std::make_shared<SyncArgs>();
    cmd.add_option("UPLOAD_TOML", o->upload_toml, "a stand-alone file with an [upload] section (instead of --config)");
    cmd.add_option("--config", o->config, "the device's configuration")->option_text("CONFIG");
    cmd.add_option("--db", o->db, "the database (overrides the configuration's)")->option_text("DB");
    cmd.add_option("--hall", o->hall, "the hall code (overrides the configuration's)")->option_text("CODE");
    cmd.add_flag("--status", o->status, "only say how many ratings wait and since when; exit 1 if any wait");
    cmd.callback([o, &exit_code] { exit_code = run_sync(*o); });
}

}  // namespace hcpctl
