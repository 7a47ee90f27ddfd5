// hcp-kiosk: the citizen-facing program (window rating terminal, self-service rating).
// main() builds the services and passes them by reference; nothing here is global.
#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <optional>
#include <sstream>

#include "app.hpp"
#include "demo_hub_link.hpp"
#include "hcp/catalog.hpp"
#include "hcp/config.hpp"
#include "hcp/crypto.hpp"
#include "hcp/hub.hpp"
#include "hcp/local_hub_link.hpp"
#include "hcp/remote_hub_link.hpp"
#include "journal_link.hpp"

namespace {

using hcp::ui::DemoHubLink;

// The link the screens talk to, and what stands behind it.
struct Links {
    std::unique_ptr<hcp::Hub> hub;              // the hub in this process (embedded default)
    std::unique_ptr<hcp::LocalHubLink> local;
    std::unique_ptr<hcp::RemoteHubLink> remote;  // a hub on another host (HTTP + SSE, local outbox)
    std::unique_ptr<DemoHubLink> demo;          // in-memory stand-in (tests of offline/disk full)
    std::unique_ptr<hcp::ui::JournalLink> journal;
};

// Builds the hub named by the configuration, creating its key on first start (as hcpctl demo
// does). --data-dir moves the store and key (tests use a fresh folder per run).
void open_local_hub(Links& links, hcp::Config& config, const hcp::ui::Options& options) {
    if (options.data_dir) {
        std::filesystem::create_directories(*options.data_dir);
        config.store.database = *options.data_dir / "hub.db";
        config.store.key_file = *options.data_dir / "store.key";
    }
    std::filesystem::create_directories(config.store.database.parent_path());
    if (!std::filesystem::exists(config.store.key_file)) hcp::SecretKey::create_file(config.store.key_file);
    const auto key = hcp::SecretKey::load_file(config.store.key_file);
    links.hub = std::make_unique<hcp::Hub>(hcp::HubSetup::from_config(config), key);
    links.local = std::make_unique<hcp::LocalHubLink>(*links.hub);
    links.journal = std::make_unique<hcp::ui::JournalLink>(*links.local);
}

// A terminal whose hub runs elsewhere (device.hub_url): ratings go over the hall API, or into
// this terminal's own store when the hub cannot be reached, and are forwarded later.
void open_remote_link(Links& links, hcp::Config& config, const hcp::ui::Options& options) {
    if (options.data_dir) {
        std::filesystem::create_directories(*options.data_dir);
        config.store.database = *options.data_dir / "terminal.db";
        config.store.key_file = *options.data_dir / "store.key";
    }
    std::filesystem::create_directories(config.store.database.parent_path());
    if (!std::filesystem::exists(config.store.key_file)) hcp::SecretKey::create_file(config.store.key_file);
    const auto key = hcp::SecretKey::load_file(config.store.key_file);
    hcp::RemoteHubLinkOptions o;
    o.hub_url = config.device.hub_url;
    // The device token is not in the configuration yet (see docs/kiosk-ui.md): from the
    // environment, so it never shows in `ps`.
    if (const char* token = std::getenv("HCP_HUB_TOKEN")) o.token = token;
    o.store.path = config.store.database;
    o.store.device_id = config.device.id;
    o.store.min_free_bytes = config.store.min_free_mb * 1024 * 1024;
    o.hall = config.hall;
    o.catalog = hcp::OptionCatalog::load_file(config.rating.catalog);
    links.remote = std::make_unique<hcp::RemoteHubLink>(std::move(o), key);
    links.journal = std::make_unique<hcp::ui::JournalLink>(*links.remote);
}

struct CaseSpec {
    hcp::Case c;
    bool self_service = false;
    std::vector<std::string> batch;  // more case numbers rated together (批量业务)
};

// `case CASE_NO ITEM_CODE STAFF_NO [selfservice] [promised] [accepted] [batch=NO,NO…]`: the business system
// reports a case at this terminal's window. Names come from the configuration.
std::optional<std::string> parse_case(const hcp::Config& cfg, const std::vector<std::string>& w, CaseSpec& out) {
    if (w.size() < 4) return "usage: case CASE_NO ITEM_CODE STAFF_NO [selfservice] [promised] [accepted] [batch=NO,NO]";
    hcp::Case& c = out.c;
    c.case_no = w[1];
    for (const auto& item : cfg.items) if (item.code == w[2]) c.item = item;
    if (c.item.code.empty()) return "unknown item code " + w[2];
    for (const auto& s : cfg.staff) if (s.number == w[3]) c.staff = s;
    if (c.staff.number.empty()) return "unknown staff number " + w[3];
    c.kind = hcp::CaseKind::immediate;
    c.stage = hcp::Stage::completed;
    c.window = cfg.device.window;
    for (size_t i = 4; i < w.size(); ++i) {
        if (w[i] == "selfservice") out.self_service = true;
        else if (w[i] == "promised") c.kind = hcp::CaseKind::promised;
        else if (w[i] == "accepted") c.stage = hcp::Stage::accepted;
        else if (w[i].rfind("batch=", 0) == 0) {
            std::string rest = w[i].substr(6);
            for (size_t at = 0; at <= rest.size();) {
                const size_t comma = std::min(rest.find(',', at), rest.size());
                if (comma > at) out.batch.push_back(rest.substr(at, comma - at));
                at = comma + 1;
            }
        }
        else return "unknown case flag " + w[i];
    }
    if (out.self_service) c.window = 0;
    c.accepted_at = hcp::now();
    if (c.stage == hcp::Stage::completed) c.completed_at = hcp::now();
    return std::nullopt;
}

std::string hub_command(Links& links, const hcp::Config& cfg, const std::vector<std::string>& w) {
    const std::string& c = w.front();
    if (c == "case") {
        CaseSpec spec;
        if (auto err = parse_case(cfg, w, spec)) return *err;
        if (links.demo) {
            if (!spec.batch.empty()) return "batch needs the hub in this process (--link local)";
            links.demo->open_case(spec.c, spec.self_service);
            return {};
        }
        if (!links.hub) return "case needs the hub in this process (--link local or demo)";
        hcp::CaseReport r;
        r.case_no = spec.c.case_no;
        r.item_code = spec.c.item.code;
        r.item_name = spec.c.item.name;
        r.department = spec.c.item.department;
        r.kind = spec.c.kind;
        r.stage = spec.c.stage;
        r.window = spec.c.window;
        r.staff_no = spec.c.staff.number;
        r.staff_name = spec.c.staff.name;
        r.batch = spec.batch;
        auto reply = links.hub->report_case(r);
        if (!reply.ok()) return "hub refused the case: " + reply.error().message;
        return {};
    }
    if (c == "hub" && w.size() == 2 && (w[1] == "online" || w[1] == "offline")) {
        if (!links.demo) return "hub online/offline needs --link demo";
        links.demo->set_online(w[1] == "online");
        return {};
    }
    if (c == "disk" && w.size() == 2 && (w[1] == "full" || w[1] == "ok")) {
        if (!links.demo) return "disk full/ok needs --link demo";
        links.demo->set_disk_full(w[1] == "full");
        return {};
    }
    if (c == "expect-journal" && w.size() >= 2) {
        std::string want;
        for (size_t i = 1; i < w.size(); ++i) want += (i > 1 ? " " : "") + w[i];
        std::string seen;
        for (const auto& line : links.journal->journal()) {
            if (line.find(want) != std::string::npos) return {};
            seen += "\n    " + line;
        }
        return "journal lacks \"" + want + "\"; it has:" + seen;
    }
    return "unknown command " + c;
}

}  // namespace

int main(int argc, char** argv) {
    const auto started = hcp::ui::Clock::now();
    hcp::ui::Options options;
    try {
        options = hcp::ui::parse_options(std::vector<std::string>(argv + 1, argv + argc));
    } catch (const std::exception& e) {
        std::cerr << "hcp-kiosk: " << e.what() << '\n' << hcp::ui::usage();
        return 2;
    }
    if (options.help) {
        std::cout << hcp::ui::usage();
        return 0;
    }
    try {
        hcp::ui::I18n i18n(std::filesystem::path(HCP_SOURCE_ASSETS_DIR) / "lang");
        std::optional<hcp::Config> config;
        std::string config_error;
        Links links;
        try {
            config = hcp::load_config(options.config);
            const bool has_hub = config->device.roles.count(hcp::DeviceRole::hub) != 0;
            const std::string fallback = has_hub ? "local" : (config->device.hub_url.empty() ? "demo" : "remote");
            const std::string which = options.link.value_or(fallback);
            if (which == "local") {
                if (!has_hub) throw hcp::Error(hcp::Errc::config_invalid, "--link local needs role hub in device.roles");
                open_local_hub(links, *config, options);
            } else if (which == "remote") {
                if (config->device.hub_url.empty()) throw hcp::Error(hcp::Errc::config_invalid, "--link remote needs device.hub_url");
                open_remote_link(links, *config, options);
            } else {
                std::cerr << "hcp-kiosk: using the in-memory DemoHubLink (NOT durable; tests and demos only)\n";
                links.demo = std::make_unique<DemoHubLink>(hcp::OptionCatalog::load_file(config->rating.catalog));
                links.journal = std::make_unique<hcp::ui::JournalLink>(*links.demo);
            }
        } catch (const hcp::ConfigError& e) {
            for (const auto& issue : e.issues()) config_error += issue.to_string() + "\n";
            config.reset();
        } catch (const hcp::Error& e) {
            config_error = e.what();
            config.reset();
        }
        if (!config_error.empty()) std::cerr << "hcp-kiosk: configuration error:\n" << config_error;

        hcp::ui::AppServices services{options,  config ? &*config : nullptr, config_error, i18n,
                                      config ? links.journal.get() : nullptr, {}, started};
        if (config && links.journal) {
            services.hub_command = [&links, &config](const std::vector<std::string>& w) {
                return hub_command(links, *config, w);
            };
        }
        hcp::ui::App app(std::move(services));
        return app.run();
    } catch (const std::exception& e) {
        std::cerr << "hcp-kiosk: " << e.what() << '\n';
        return 1;
    }
}
