// hcpctl sync: drain the upload outbox once and say what happened (docs/sync.md).
#include <iostream>

#include "cli.hpp"
#include "hcp/config.hpp"
#include "hcp/store_outbox.hpp"
#include "hcp/upload.hpp"

namespace hcpctl {

int cmd_sync(const std::vector<std::string>& argv) {
    const std::string usage =
        "usage: hcpctl sync UPLOAD_TOML (--config CONFIG | --db DB --hall CODE) [--status]";
    Args a(argv, {"config", "db", "hall"}, {"status"});
    a.expect_positionals(1, usage);
    std::filesystem::path db;
    std::string hall;
    if (auto c = a.option("config")) {
        auto cfg = hcp::load_config(*c);
        db = cfg.store.database;
        hall = cfg.hall.code;
    }
    if (auto d = a.option("db")) db = *d;
    if (auto h = a.option("hall")) hall = *h;
    if (db.empty() || hall.empty()) throw UsageError("the database and the hall code are needed\n" + usage);

    auto queue = hcp::OutboxQueue::open(db);
    if (a.flag("status")) {
        auto s = queue.sync_state();
        std::cout << s.summary(hcp::now()) << '\n';
        return s.not_uploaded == 0 && s.rejected == 0 ? kExitOk : kExitFindings;
    }
    auto cfg = hcp::load_upload_config(a.positionals()[0]);
    hcp::PlatformProfile profile = hcp::generic_profile();
    if (cfg.profile != "generic") profile = hcp::load_platform_profile(assets_dir() / "platforms" / (cfg.profile + ".json"));
    hcp::Uploader up(cfg, profile, hcp::load_hall_secret(cfg.secret_file), db, hall);
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
