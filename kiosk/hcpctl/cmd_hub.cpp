// hcpctl hub: the hub headless — core services and the hall API, until SIGINT/SIGTERM.
#include <signal.h>

#include <iostream>

#include "cli.hpp"
#include "hcp/config.hpp"
#include "hcp/hall_api.hpp"
#include "hcp/hub.hpp"

namespace hcpctl {

int cmd_hub(const std::vector<std::string>& argv) {
    const std::string usage = "usage: hcpctl hub --config FILE [--api FILE] [--listen HOST:PORT]";
    Args args(argv, {"config", "api", "listen"}, {});
    args.expect_positionals(0, usage);
    auto config_path = args.option("config");
    if (!config_path) throw UsageError("--config FILE is required\n" + usage);
    hcp::Config config = hcp::load_config(*config_path);
    // The API settings live in their own file until the lead moves them into the main config.
    std::filesystem::path api_path = args.option("api").value_or(
        (std::filesystem::path(*config_path).parent_path() / "hall-api.toml").string());
    hcp::HallApiConfig api = hcp::load_hall_api_config(api_path);
    if (auto listen = args.option("listen")) {
        auto hp = hcp::parse_listen(*listen);
        if (!hp) throw UsageError("--listen must be HOST:PORT, e.g. 127.0.0.1:8787");
        api.listen_host = hp->first;
        api.listen_port = hp->second;
    }
    if (api.devices.empty() && api.systems.empty())
        std::cerr << "hcpctl hub: warning: " << api_path.string()
                  << " has no tokens; every request but /api/v1/health will get 401\n";

    // Block the stop signals before any thread starts so only sigwait() below receives them.
    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGINT);
    sigaddset(&stop_signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

    hcp::SecretKey key = hcp::SecretKey::load_file(config.store.key_file);
    hcp::Hub hub(hcp::HubSetup::from_config(config), key);
    hcp::HallApiServer server(hub, api);
    auto started = server.start();
    if (!started) {
        std::cerr << "hcpctl hub: " << started.error().detail << '\n';
        return kExitFailed;
    }
    std::cout << "hcpctl hub: hall " << config.hall.code << " serving on http://" << api.listen_host << ':'
              << started.value() << "/api/v1 (Ctrl-C stops)" << std::endl;
    int sig = 0;
    sigwait(&stop_signals, &sig);
    std::cout << "hcpctl hub: stopping" << std::endl;
    server.stop();
    return kExitOk;
}

}  // namespace hcpctl
