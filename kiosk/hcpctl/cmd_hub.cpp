// hcpctl hub: the hub headless — HubService (core services, uploader, maintenance, hall API)
// until SIGINT/SIGTERM; SIGUSR1 prints the sync summary. Under systemd (hcp-hub.service,
// Type=notify, WatchdogSec=) it sends READY=1 once the API listens, WATCHDOG=1 after each
// passed health check and STOPPING=1 at shutdown.
#include <signal.h>
#include <time.h>

#include <httplib.h>
#include <CLI/CLI.hpp>

#include <cerrno>
#include <chrono>
#include <iostream>
#include <memory>
#include <optional>

#include "cli.hpp"
#include "hcp/base/sd_notify.hpp"
#include "hcp/config/config.hpp"
#include "hcp/hub_server/hall_api.hpp"
#include "hcp/hub_server/hub_service.hpp"

namespace hcpctl {

namespace {

// The watchdog's health check: the store answers a query and the hall API answers its own
// /api/v1/health over the network stack. Returns what failed, or empty when healthy. A hub whose
// database is wedged or whose request threads are stuck stops feeding the watchdog, and systemd
// restarts it (Restart=on-failure) instead of leaving a hall without its hub.
std::string health_problem(hcp::HubService& service, const hcp::HallApiConfig& api) {
    try {
        (void)service.sync_state();
    } catch (const std::exception& e) {
        return std::string("store: ") + e.what();
    }
    if (auto port = service.api_port()) {
        const bool any = api.listen_host == "0.0.0.0" || api.listen_host == "::" || api.listen_host.empty();
        httplib::Client client(any ? std::string("127.0.0.1") : api.listen_host, *port);
        client.set_connection_timeout(2);
        client.set_read_timeout(3);
        auto res = client.Get("/api/v1/health");
        if (!res) return "hall API: no answer from its own /api/v1/health (" + httplib::to_string(res.error()) + ")";
        if (res->status != 200) return "hall API: /api/v1/health answered " + std::to_string(res->status);
    }
    return {};
}

struct HubArgs {
    std::string config;
    std::optional<std::string> listen;
};

int run_hub(const HubArgs& args) {
    hcp::Config config = hcp::load_config(args.config);
    if (config.device.roles.count(hcp::DeviceRole::hub) == 0)
        throw UsageError(args.config + " is not a hub's configuration (device.roles has no \"hub\")");

    hcp::HubServiceOptions options;
    // `hcpctl hub` always serves the API (the embedded hub in hcp-kiosk may not need it).
    hcp::HallApiConfig api = hcp::hall_api_config(config);
    if (args.listen) {
        auto hp = hcp::parse_listen(*args.listen);
        if (!hp) throw UsageError("--listen must be HOST:PORT, e.g. 127.0.0.1:8787");
        api.listen_host = hp->first;
        api.listen_port = hp->second;
    }
    if (api.devices.empty() && api.systems.empty())
        std::cerr << "hcpctl hub: warning: no API tokens ([api] and its tokens_file); every request but "
                     "/api/v1/health will get 401\n";
    options.api = api;

    // Block the signals before any thread starts so only sigwait() below receives them.
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGINT);
    sigaddset(&signals, SIGTERM);
    sigaddset(&signals, SIGUSR1);
    sigaddset(&signals, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);

    hcp::SecretKey key = hcp::SecretKey::load_file(config.store.key_file);
    auto started = hcp::HubService::start(config, std::move(key), std::move(options));
    if (!started) {
        const auto& f = started.error();
        std::cerr << "hcpctl hub: " << f.message_zh << "\n  (" << to_string(f.cause) << ": " << f.detail << ")\n";
        return kExitFailed;
    }
    auto& service = *started.value();
    std::cout << "hcpctl hub: hall " << config.hall.code << " serving on http://" << api.listen_host << ':'
              << service.api_port().value_or(0) << "/api/v1"
              << (service.upload_configured() ? ", uploading" : ", upload not configured")
              << " (SIGUSR1: sync summary; Ctrl-C stops)" << std::endl;

    const auto systemd = hcp::sd::Notifier::from_environment();
    auto log_notify = [](const hcp::sd::NotifyResult& r) {
        if (!r) std::cerr << "hcpctl hub: sd_notify: " << r.error().message << std::endl;
    };
    log_notify(systemd.ready("hall " + config.hall.code + ": " + service.summary_zh()));
    // Without a watchdog the loop only waits for signals; with one it wakes every half interval.
    const auto ping = systemd.watchdog_ping_interval();
    std::string last_problem;
    for (;;) {
        int sig = 0;
        if (ping) {
            const auto us = ping->count();
            const timespec wait{static_cast<time_t>(us / 1000000), static_cast<long>((us % 1000000) * 1000)};
            sig = sigtimedwait(&signals, nullptr, &wait);
            if (sig < 0) {
                if (errno != EAGAIN && errno != EINTR) break;
                const std::string problem = health_problem(service, api);
                if (problem.empty()) {
                    log_notify(systemd.watchdog());
                    if (!last_problem.empty()) log_notify(systemd.status("healthy again"));
                } else if (problem != last_problem) {
                    // No WATCHDOG=1: systemd restarts the hub if this lasts WatchdogSec.
                    std::cerr << "hcpctl hub: health check failed: " << problem << std::endl;
                    log_notify(systemd.status("health check failed: " + problem));
                }
                last_problem = problem;
                continue;
            }
        } else {
            sigwait(&signals, &sig);
        }
        if (sig == SIGHUP) {
            // `systemctl reload`: the calendar files (a notice just imported) and every pending
            // deadline with them.
            log_notify(systemd.status("reloading the working-day calendar"));
            const auto report = service.reload_calendar();
            std::cout << "hcpctl hub: calendar " << (report.calendar_reloaded ? "reloaded" : "unchanged or not loaded")
                      << std::endl;
            for (const auto& e : report.errors) std::cout << "hcpctl hub: " << e << std::endl;
            log_notify(systemd.ready("calendar reloaded"));
            continue;
        }
        if (sig != SIGUSR1) break;
        try {
            std::cout << "hcpctl hub: sync: " << service.summary_zh() << std::endl;
        } catch (const std::exception& e) {
            std::cout << "hcpctl hub: sync state unavailable: " << e.what() << std::endl;
        }
    }
    std::cout << "hcpctl hub: stopping" << std::endl;
    log_notify(systemd.stopping("stopping"));
    service.stop();
    return kExitOk;
}

}  // namespace

void add_hub_command(CLI::App& app, int& exit_code) {
    CLI::App& cmd =
        *app.add_subcommand("hub",
                            "run the hub headless: the hall API (docs/hall-api.md), uploads and maintenance until\n"
                            "SIGINT/SIGTERM; SIGUSR1 prints the sync summary; SIGHUP reloads the working-day calendar");
    auto o = std::make_shared<HubArgs>();
    cmd.add_option("--config", o->config, "the hub's configuration (device.roles has \"hub\")")
        ->option_text("FILE")
        ->required();
    cmd.add_option("--listen", o->listen, "serve the hall API here instead of [api] listen")->option_text("HOST:PORT");
    cmd.callback([o, &exit_code] { exit_code = run_hub(*o); });
}

}  // namespace hcpctl
