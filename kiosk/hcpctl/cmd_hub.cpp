// hcpctl hub: the hub headless — HubService (core services, uploader, maintenance, hall API)
// until SIGINT/SIGTERM; SIGUSR1 prints the sync summary.
#include <signal.h>

#include <iostream>

#include "cli.hpp"
#include "hcp/config.hpp"
#include "hcp/hall_api.hpp"
#include "hcp/hub_service.hpp"

namespace hcpctl {

int cmd_hub(const std::vector<std::string>& argv) {
    const std::string usage = "usage: hcpctl hub --config FILE [--listen HOST:PORT]";
    Args args(argv, {"config", "listen"}, {});
    args.expect_positionals(0, usage);
    auto config_path = args.option("config");
    if (!config_path) throw UsageError("--config FILE is required\n" + usage);
    hcp::Config config = hcp::load_config(*config_path);
    if (config.device.roles.count(hcp::DeviceRole::hub) == 0)
        throw UsageError(*config_path + " is not a hub's configuration (device.roles has no \"hub\")");

    hcp::HubServiceOptions options;
    // `hcpctl hub` always serves the API (the embedded hub in hcp-kiosk may not need it).
    hcp::HallApiConfig api = hcp::hall_api_config(config);
    if (auto listen = args.option("listen")) {
        auto hp = hcp::parse_listen(*listen);
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
    for (;;) {
        int sig = 0;
        sigwait(&signals, &sig);
        if (sig != SIGUSR1) break;
        try {
            std::cout << "hcpctl hub: sync: " << service.summary_zh() << std::endl;
        } catch (const std::exception& e) {
            std::cout << "hcpctl hub: sync state unavailable: " << e.what() << std::endl;
        }
    }
    std::cout << "hcpctl hub: stopping" << std::endl;
    service.stop();
    return kExitOk;
}

}  // namespace hcpctl
