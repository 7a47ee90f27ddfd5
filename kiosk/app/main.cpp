// hcp-kiosk: the citizen-facing program (window rating terminal, self-service rating).
// main() builds the services and passes them by reference; nothing here is global.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <sstream>
#include <thread>
#include <variant>

#include "display/hall_feed.hpp"
#include "display/voice/speech.hpp"
#include "hcp/base/crypto.hpp"
#include "hcp/config/config.hpp"
#include "hcp/domain/catalog.hpp"
#include "hcp/hub/hub.hpp"
#include "hcp/hub/local_hub_link.hpp"
#include "hcp/hub_client/remote_hub_link.hpp"
#include "hcp/hub_client/remote_queue.hpp"
#include "hcp/hub_server/hall_api.hpp"
#include "hcp/hub_server/hub_service.hpp"
#include "hcp/store/store.hpp"
#include "rating/demo_hub_link.hpp"
#include "rating/journal_link.hpp"
#include "shell/app.hpp"
#include "shell/asset_paths.hpp"
#include "ticket/ticket_desk.hpp"

namespace {

using hcp::ui::DemoHubLink;

// The link the screens talk to, and what stands behind it.
struct Links {
    // The hub in this process (embedded default): HubService runs the Hub with its uploader,
    // maintenance (default ratings, personal-data purge) and, with [api], the hall API.
    std::unique_ptr<hcp::HubService> service;
    hcp::Hub* hub = nullptr;  // service->hub()
    std::unique_ptr<hcp::LocalHubLink> local;
    std::unique_ptr<hcp::RemoteHubLink> remote;  // a hub on another host (HTTP + SSE, local outbox)
    std::unique_ptr<DemoHubLink> demo;           // in-memory stand-in (tests of offline/disk full)
    // Around the link while a script runs (--script): what the terminal got back, for
    // `expect-journal`. Never in production: a terminal keeps no level past the submit.
    std::unique_ptr<hcp::ui::JournalLink> journal;
    // The hub's queue and event bus for the hall display (role display), when this process runs
    // the hub and the configuration has categories.
    std::unique_ptr<hcp::ui::LocalHallFeed> hall;
    // The same queue for the ticket station (role ticket): takes tickets, publishes queue_changed.
    std::unique_ptr<hcp::ui::LocalTicketDesk> desk;
    // A display or ticket station whose hub runs on another host: the hall API's queue.
    std::unique_ptr<hcp::RemoteQueue> remote_queue;
    std::unique_ptr<hcp::ui::RemoteHallFeed> remote_hall;
    std::unique_ptr<hcp::ui::RemoteTicketDesk> remote_desk;
    // The store behind the link (hub store, or the terminal's own), for `expect-stored`.
    std::filesystem::path store_path;
    std::optional<hcp::SecretKey> store_key;
    std::string hub_token;  // a remote hub's bearer token (device.hub_token_file)
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
    if (options.no_upload) config.upload.reset();
    auto started = hcp::HubService::start(config, key);
    if (!started) {
        // Shown on the configuration-error screen: the installer reads what to fix there.
        const auto& f = started.error();
        throw hcp::Error(hcp::Errc::config_invalid, f.message_zh + "\n(" + f.detail + ")");
    }
    links.service = std::move(started.value());
    links.hub = &links.service->hub();
    links.store_path = config.store.database;
    links.store_key = key;
    links.local = std::make_unique<hcp::LocalHubLink>(*links.hub);
}

// The first line of a token file, without surrounding blanks. Throws hcp::Error (shown on the
// configuration-error screen) when it cannot be read or is empty.
std::string read_token_file(const std::filesystem::path& file) {
    std::ifstream in(file);
    std::string line;
    if (!in || !std::getline(in, line)) {
        throw hcp::Error(hcp::Errc::config_invalid, "cannot read device.hub_token_file " + file.string());
    }
    const auto a = line.find_first_not_of(" \t\r");
    const auto b = line.find_last_not_of(" \t\r");
    if (a == std::string::npos)
        throw hcp::Error(hcp::Errc::config_invalid, "device.hub_token_file " + file.string() + " is empty");
    return line.substr(a, b - a + 1);
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
    // The device's bearer token: device.hub_token_file (one line, a secret: never in the
    // world-readable configuration), else $HCP_HUB_TOKEN; never on the command line (`ps`).
    if (!config.device.hub_token_file.empty()) {
        o.token = read_token_file(config.device.hub_token_file);
    } else if (const char* token = std::getenv("HCP_HUB_TOKEN")) {
        o.token = token;
    }
    links.hub_token = o.token;
    o.store.path = config.store.database;
    o.store.device_id = config.device.id;
    o.store.min_free_bytes = config.store.min_free_mb * 1024 * 1024;
    o.hall = config.hall;
    o.catalog = hcp::OptionCatalog::load_file(config.rating.catalog);
    links.remote = std::make_unique<hcp::RemoteHubLink>(std::move(o), key);
    links.store_path = config.store.database;
    links.store_key = key;
}

struct CaseSpec {
    hcp::Case c;
    bool self_service = false;
    std::vector<std::string> batch;       // more case numbers rated together (批量业务)
    std::optional<std::string> theme_id;  // 主题式: the theme and its other linked items
    std::vector<hcp::ThemeItem> theme_items;
};

std::vector<std::string> split(const std::string& s, char sep) {
    std::vector<std::string> out;
    for (size_t at = 0; at <= s.size();) {
        const size_t end = std::min(s.find(sep, at), s.size());
        if (end > at) out.push_back(s.substr(at, end - at));
        at = end + 1;
    }
    return out;
}

// `case CASE_NO ITEM_CODE STAFF_NO [selfservice] [promised] [accepted] [batch=NO,NO…]
//  [theme=THEME_ID:CASE_NO/ITEM_CODE,CASE_NO/ITEM_CODE…]`: the business system reports a case at
// this terminal's window. Names come from the configuration.
std::optional<std::string> parse_case(const hcp::Config& cfg, const std::vector<std::string>& w, CaseSpec& out) {
    if (w.size() < 4)
        return "usage: case CASE_NO ITEM_CODE STAFF_NO [selfservice] [promised] [accepted] [batch=NO,NO] "
               "[theme=ID:NO/ITEM,NO/ITEM]";
    hcp::Case& c = out.c;
    c.case_no = w[1];
    for (const auto& item : cfg.items)
        if (item.code == w[2]) c.item = item;
    if (c.item.code.empty()) return "unknown item code " + w[2];
    for (const auto& s : cfg.staff)
        if (s.number == w[3]) c.staff = s;
    if (c.staff.number.empty()) return "unknown staff number " + w[3];
    c.kind = hcp::CaseKind::immediate;
    c.stage = hcp::Stage::completed;
    c.window = cfg.device.window;
    for (size_t i = 4; i < w.size(); ++i) {
        if (w[i] == "selfservice")
            out.self_service = true;
        else if (w[i] == "promised")
            c.kind = hcp::CaseKind::promised;
        else if (w[i] == "accepted")
            c.stage = hcp::Stage::accepted;
        else if (w[i].rfind("batch=", 0) == 0) {
            out.batch = split(w[i].substr(6), ',');
        } else if (w[i].rfind("theme=", 0) == 0) {
            const std::string rest = w[i].substr(6);
            const size_t colon = rest.find(':');
            if (colon == std::string::npos || colon == 0) return "theme=ID:CASE_NO/ITEM_CODE,… expected";
            out.theme_id = rest.substr(0, colon);
            for (const auto& member : split(rest.substr(colon + 1), ',')) {
                const size_t slash = member.find('/');
                if (slash == std::string::npos) return "theme member " + member + " is not CASE_NO/ITEM_CODE";
                hcp::ThemeItem t;
                t.case_no = member.substr(0, slash);
                t.item_code = member.substr(slash + 1);
                for (const auto& item : cfg.items)
                    if (item.code == t.item_code) t.item_name = item.name;
                if (t.item_name.empty()) return "unknown item code " + t.item_code;
                out.theme_items.push_back(std::move(t));
            }
        } else
            return "unknown case flag " + w[i];
    }
    if (out.self_service) c.window = 0;
    c.accepted_at = hcp::now();
    if (c.stage == hcp::Stage::completed) c.completed_at = hcp::now();
    return std::nullopt;
}

// `queue take CATEGORY [priority]`, `queue book CODE CATEGORY [DAY]`, `queue sign-in WINDOW STAFF_NO`, `queue call-next|recall|
// complete WINDOW`: the queue in this process, changed as the hall API changes it and published
// the same way (queue_called, then queue_changed), so scripts drive the hall display.
std::string queue_command(Links& links, const hcp::Config& cfg, const std::vector<std::string>& w) {
    hcp::QueueEngine* q = links.service ? links.service->queue() : nullptr;
    if (q == nullptr) return "queue needs the hub in this process and [[category]] in the configuration";
    hcp::EventBus& bus = links.hub->events();
    const std::string usage =
        "usage: queue take CATEGORY [priority] | book CODE CATEGORY [YYYY-MM-DD] | sign-in WINDOW STAFF_NO | "
        "call-next|recall|complete WINDOW";
    if (w.size() < 3) return usage;
    auto refused = [](const hcp::QueueFailure& f) { return "queue refused: " + f.message + " (" + f.message_zh + ")"; };
    if (w[1] == "book" && (w.size() == 4 || w.size() == 5)) {
        // `queue book CODE CATEGORY [DAY]`: what the business system's POST /appointments does.
        const std::string day = w.size() == 5 ? w[4] : hcp::format_date(hcp::china_date(hcp::now()));
        auto r = q->book_appointment(w[2], w[3], day);
        if (!r) return refused(r.error());
        std::cout << "queue: booked " << r.value().code << " for " << r.value().business_day << '\n';
        return {};
    }
    if (w[1] == "take") {
        std::string code = w[2];
        for (const auto& c : cfg.categories)
            if (w[2].size() == 1 && c.prefix == w[2][0]) code = c.code;  // a prefix letter names its category
        auto r = q->take_ticket(code, w.size() > 3 && w[3] == "priority");
        if (!r) return refused(r.error());
        std::cout << "queue: took " << r.value().ticket.number << '\n';
        hcp::publish_queue_changed(bus);
        return {};
    }
    int window = 0;
    try {
        window = std::stoi(w[2]);
    } catch (const std::exception&) {
        return usage;
    }
    if (w[1] == "sign-in" && w.size() == 4) {
        hcp::Staff staff;
        for (const auto& s : cfg.staff)
            if (s.number == w[3]) staff = s;
        if (staff.number.empty()) return "unknown staff number " + w[3];
        auto r = q->open_window(window, staff);
        if (!r) return refused(r.error());
        hcp::publish_queue_changed(bus);
        return {};
    }
    if (w[1] == "call-next" || w[1] == "recall") {
        auto r = w[1] == "recall" ? q->recall(window) : q->call_next(window);
        if (!r) return refused(r.error());
        hcp::publish_queue_call(bus, r.value());
        hcp::publish_queue_changed(bus);
        return {};
    }
    if (w[1] == "complete") {
        auto r = q->complete(window);
        if (!r) return refused(r.error());
        hcp::publish_queue_changed(bus);
        return {};
    }
    return usage;
}

std::string hub_command(Links& links, const hcp::Config& cfg, const std::vector<std::string>& w) {
    const std::string& c = w.front();
    if (c == "queue") return queue_command(links, cfg, w);
    if (c == "case") {
        CaseSpec spec;
        if (auto err = parse_case(cfg, w, spec)) return *err;
        if (links.demo) {
            if (!spec.batch.empty() || spec.theme_id)
                return "batch and theme need the hub in this process (--link local)";
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
        r.theme_id = spec.theme_id;
        r.theme_items = spec.theme_items;
        auto reply = links.hub->report_case(r);
        if (!reply.ok()) return "hub refused the case: " + reply.error().message;
        return {};
    }
    if (c == "hub" && w.size() == 2 && (w[1] == "online" || w[1] == "offline")) {
        if (!links.demo) return "hub online/offline needs --link demo";
        links.demo->set_online(w[1] == "online");
        return {};
    }
    if (c == "hub" && w.size() == 3 && w[1] == "slow") {
        // Every submit takes this long (a slow RemoteHubLink stand-in: the screen must stay live).
        if (!links.demo) return "hub slow needs --link demo";
        int ms = 0;
        try {
            ms = std::stoi(w[2]);
        } catch (const std::exception&) {
            return "hub slow MS: MS must be a number";
        }
        if (ms < 0 || ms > 60000) return "hub slow MS: 0 to 60000";
        links.demo->set_submit_delay(std::chrono::milliseconds(ms));
        return {};
    }
    if (c == "expect-stored" && w.size() >= 3) {
        // expect-stored CASE_NO TEXT…: a rating in the store covers CASE_NO and its summary
        // ("count=N cases=… level=… options=… text=…") contains TEXT.
        if (links.store_path.empty()) return "expect-stored needs a store (--link local or remote)";
        std::string want;
        for (size_t i = 2; i < w.size(); ++i) want += (i > 2 ? " " : "") + w[i];
        auto store = hcp::Store::open_read_only(links.store_path, links.store_key);
        std::vector<std::string> found;
        for (const auto& r : store.ratings_between(hcp::TimePoint{}, hcp::now() + std::chrono::hours(24))) {
            if (std::find(r.case_nos.begin(), r.case_nos.end(), w[1]) == r.case_nos.end()) continue;
            std::string cases, options;
            for (const auto& n : r.case_nos) cases += (cases.empty() ? "" : ",") + n;
            for (const auto& o : r.option_codes) options += (options.empty() ? "" : ",") + o;
            found.push_back("cases=" + cases + " level=" + std::to_string(hcp::to_int(r.level)) + " target=" +
                            std::string(hcp::to_string(r.target)) + " options=" + options + " text=" + r.text);
        }
        std::string summary = "count=" + std::to_string(found.size());
        for (const auto& f : found) summary += " | " + f;
        if (summary.find(want) != std::string::npos) return {};
        return "store lacks \"" + want + "\" for " + w[1] + "; it has: " + summary;
    }
    if (c == "sh" && w.size() >= 2) {
        // Tests only: runs a shell command (start or stop a hub in another process …) and fails
        // the script when it exits non-zero.
        std::string cmd;
        for (size_t i = 1; i < w.size(); ++i) cmd += (i > 1 ? " " : "") + w[i];
        const int rc = std::system(cmd.c_str());
        if (rc != 0) return "command failed (" + std::to_string(rc) + "): " + cmd;
        return {};
    }
    if (c == "disk" && w.size() == 2 && (w[1] == "full" || w[1] == "ok")) {
        if (!links.demo) return "disk full/ok needs --link demo";
        links.demo->set_disk_full(w[1] == "full");
        return {};
    }
    if (c == "expect-journal" && w.size() >= 2) {
        if (!links.journal) return "expect-journal needs --script";
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

// --voice-wav FILE TEXT: TEXT spoken with the configuration's [display] voice, into FILE. The
// installer hears the voice without a call; tests check the synthesis.
int voice_wav(const hcp::ui::Options& options) {
    try {
        const hcp::Config config = hcp::load_config(options.config);
        hcp::ui::voice::SpeechSettings s;
        s.voice = config.display.voice_name;
        s.rate = config.display.voice_rate;
        s.volume = config.display.voice_volume;
        auto engine = hcp::ui::voice::SpeechSynthesizer::open(s);
        if (!engine) throw std::runtime_error(engine.error().detail);
        auto pcm = engine.value()->synthesize(options.voice_text);
        if (!pcm) throw std::runtime_error(pcm.error().detail);
        if (!hcp::ui::voice::write_wav(*options.voice_wav, pcm.value()))
            throw std::runtime_error("cannot write " + options.voice_wav->string());
        std::cout << "voice-wav: " << options.voice_wav->string() << " seconds=" << pcm.value().seconds() << '\n';
        return 0;
    } catch (const std::exception& e) {
        std::cerr << "hcp-kiosk: " << e.what() << '\n';
        return 1;
    }
}

}  // namespace

int main(int argc, char** argv) {
    const auto started = hcp::ui::Clock::now();
    // Log lines reach the journal (or a test's log file) as they happen, not when a buffer fills.
    std::setvbuf(stdout, nullptr, _IOLBF, BUFSIZ);
    auto parsed = hcp::ui::parse_options(argc, argv, std::cout, std::cerr);
    if (const int* exit_code = std::get_if<int>(&parsed)) return *exit_code;
    const hcp::ui::Options options = std::get<hcp::ui::Options>(std::move(parsed));
    if (options.voice_wav) return voice_wav(options);
    try {
        hcp::ui::I18n i18n(hcp::ui::assets_dir() / "lang");
        std::optional<hcp::Config> config;
        std::string config_error;
        Links links;
        try {
            config = hcp::load_config(options.config);
            const bool has_hub = config->device.roles.count(hcp::DeviceRole::hub) != 0;
            const std::string fallback = has_hub ? "local" : (config->device.hub_url.empty() ? "demo" : "remote");
            const std::string which = options.link.value_or(fallback);
            if (which == "local") {
                if (!has_hub)
                    throw hcp::Error(hcp::Errc::config_invalid, "--link local needs role hub in device.roles");
                open_local_hub(links, *config, options);
                if (hcp::QueueEngine* q = links.service->queue()) {
                    links.hall = std::make_unique<hcp::ui::LocalHallFeed>(*q, links.hub->events());
                    links.desk = std::make_unique<hcp::ui::LocalTicketDesk>(*q, links.hub->events());
                }
            } else if (which == "remote") {
                if (config->device.hub_url.empty())
                    throw hcp::Error(hcp::Errc::config_invalid, "--link remote needs device.hub_url");
                open_remote_link(links, *config, options);
                const auto& roles = config->device.roles;
                if (roles.count(hcp::DeviceRole::display) != 0 || roles.count(hcp::DeviceRole::ticket) != 0) {
                    hcp::RemoteQueueOptions q;
                    q.hub_url = config->device.hub_url;
                    q.token = links.hub_token;
                    links.remote_queue = std::make_unique<hcp::RemoteQueue>(std::move(q));
                    links.remote_hall = std::make_unique<hcp::ui::RemoteHallFeed>(*links.remote_queue);
                    links.remote_desk = std::make_unique<hcp::ui::RemoteTicketDesk>(*links.remote_queue);
                }
            } else {
                std::cerr << "hcp-kiosk: using the in-memory DemoHubLink (NOT durable; tests and demos only)\n";
                links.demo = std::make_unique<DemoHubLink>(hcp::OptionCatalog::load_file(config->rating.catalog));
            }
        } catch (const hcp::ConfigError& e) {
            for (const auto& issue : e.issues()) config_error += issue.to_string() + "\n";
            config.reset();
        } catch (const hcp::Error& e) {
            config_error = e.what();
            config.reset();
        }
        if (!config_error.empty()) std::cerr << "hcp-kiosk: configuration error:\n" << config_error;

        hcp::HubLink* link = nullptr;
        if (config) {
            if (links.local)
                link = links.local.get();
            else if (links.remote)
                link = links.remote.get();
            else
                link = links.demo.get();
        }
        if (link != nullptr && !options.script.empty()) {
            links.journal = std::make_unique<hcp::ui::JournalLink>(*link);
            link = links.journal.get();
        }
        hcp::ui::AppServices services{
            options, config ? &*config : nullptr, config_error, i18n, link, {}, started, nullptr, nullptr, {}};
        if (link != nullptr) {
            services.hub_command = [&links, &config](const std::vector<std::string>& w) {
                return hub_command(links, *config, w);
            };
        }
        services.hall = links.hall ? static_cast<hcp::ui::HallFeed*>(links.hall.get()) : links.remote_hall.get();
        services.desk = links.desk ? static_cast<hcp::ui::TicketDesk*>(links.desk.get()) : links.remote_desk.get();
        if (links.service) {
            hcp::HubService* service = links.service.get();
            services.upload_summary = [service] { return service->summary_zh(); };
        }
        hcp::ui::App app(std::move(services));
        return app.run();
    } catch (const std::exception& e) {
        std::cerr << "hcp-kiosk: " << e.what() << '\n';
        return 1;
    }
}
