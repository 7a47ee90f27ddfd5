// hcpctl sync: drain the upload outbox once and say what happened (docs/sync.md).
//
// The installer's form reads everything from the main configuration ([upload], [store],
// [hall], paths.assets for the province profile):
//   hcpctl sync --config /etc/hcp-kiosk/hall.toml [--status]
// The older form with a stand-alone [upload] file stays for tools and tests:
//   hcpctl sync UPLOAD_TOML --db DB --hall CODE [--status]
#include <iostream>

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

}  // namespace

int cmd_sync(const std::vector<std::string>& argv) {
    const std::string usage =
        "usage: hcpctl sync --config CONFIG [--status]\n"
        "       hcpctl sync UPLOAD_TOML --db DB --hall CODE [--status]";
    Args a(argv, {"config", "db", "hall"}, {"status"});
    if (a.positionals().size() > 1) throw UsageError("too many arguments\n" + usage);
    std::filesystem::path db;
    std::string hall;
    std::optional<hcp::UploadConfig> upload;
    std::filesystem::path assets = assets_dir();
    // A terminal's outbox holds ratings waiting for its hub (target "hub"); a hub's, ratings
    // waiting for the platform.
    std::string target = "platform";
    if (auto c = a.option("config")) {
        auto cfg = hcp::load_config(*c);
        db = cfg.store.database;
        hall = cfg.hall.code;
        upload = cfg.upload;
        assets = cfg.paths.assets;
        if (cfg.device.roles.count(hcp::DeviceRole::hub) == 0 && !cfg.device.hub_url.empty()) target = "hub";
    }
    if (auto d = a.option("db")) db = *d;
    if (auto h = a.option("hall")) hall = *h;
    if (!a.positionals().empty()) upload = hcp::load_upload_config(a.positionals()[0]);
    if (db.empty() || hall.empty()) throw UsageError("the database and the hall code are needed\n" + usage);

    auto queue = hcp::OutboxQueue::open(db, target);
    if (a.flag("status")) {
        if (target == "hub") std::cout << "terminal: ratings waiting for the hub " << *a.option("config") << "\n";
        auto s = queue.sync_state();
        std::cout << s.summary(hcp::now()) << '\n' << s.summary_zh(hcp::now()) << '\n';
        return s.not_uploaded == 0 && s.rejected == 0 ? kExitOk : kExitFindings;
    }
    if (target == "hub") {
        throw UsageError("this is a terminal: its ratings go to its hub (device.hub_url), which hcp-kiosk forwards "
                         "by itself; only a hub uploads to the platform. Use --status to see what waits.\n" + usage);
    }
    if (!upload) {
        throw UsageError("the configuration has no [upload] section: this hub keeps its ratings and uploads "
                         "nothing. Add [upload] (docs/config.md) to upload.\n" + usage);
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

}  // namespace hcpctl
