// hcpctl platform-sim: the reference 好差评 platform on loopback (docs/upload-protocol.md).
// `./dev demo` and the upload tests use it; the fault switches make a misbehaving platform.
#include <csignal>
#include <iostream>

#include "cli.hpp"
#include "hcp/upload/upload.hpp"
#include "platform_sim.hpp"

namespace hcpctl {

namespace {

double rate(const Args& a, const std::string& name) {
    auto v = a.option(name);
    if (!v) return 0;
    double d = 0;
    try {
        d = std::stod(*v);
    } catch (const std::exception&) {
        throw UsageError("--" + name + " needs a number in [0, 1]");
    }
    if (d < 0 || d > 1) throw UsageError("--" + name + " needs a number in [0, 1]");
    return d;
}

int integer(const Args& a, const std::string& name, int fallback, int lo, int hi) {
    auto v = a.option(name);
    if (!v) return fallback;
    try {
        size_t used = 0;
        int i = std::stoi(*v, &used);
        if (used == v->size() && i >= lo && i <= hi) return i;
    } catch (const std::exception&) {
    }
    throw UsageError("--" + name + " needs an integer in " + std::to_string(lo) + ".." + std::to_string(hi));
}

}  // namespace

int cmd_platform_sim(const std::vector<std::string>& argv) {
    const std::string usage =
        "usage: hcpctl platform-sim --secret FILE [--db FILE] [--port N] [--error-rate P] [--reset-rate P]\n"
        "       [--timeout-rate P] [--timeout-ms N] [--garbage-rate P] [--duplicate-reply-rate P]\n"
        "       [--burst-429 N] [--retry-after N] [--latency-ms N] [--hostile KIND] [--seed N]\n"
        "       [--tls-cert PEM --tls-key PEM]";
    Args a(argv,
           {"secret", "db", "port", "error-rate", "reset-rate", "timeout-rate", "timeout-ms", "garbage-rate",
            "duplicate-reply-rate", "burst-429", "retry-after", "latency-ms", "hostile", "seed", "replay-window",
            "tls-cert", "tls-key"},
           {});
    a.expect_positionals(0, usage);
    auto secret = a.option("secret");
    if (!secret) throw UsageError("--secret FILE is required (64 hex digits, mode 0600)\n" + usage);
    hcp::sim::SimOptions o;
    o.secret = hcp::load_hall_secret(*secret);
    o.database = a.option("db").value_or("platform-sim.db");
    o.port = integer(a, "port", 8780, 0, 65535);
    o.seed = static_cast<std::uint64_t>(integer(a, "seed", 1, 0, 1 << 30));
    o.replay_window_seconds = integer(a, "replay-window", 300, 1, 86400);
    o.tls_cert = a.option("tls-cert").value_or("");
    o.tls_key = a.option("tls-key").value_or("");
    if (o.tls_cert.empty() != o.tls_key.empty()) throw UsageError("--tls-cert and --tls-key go together");
    hcp::sim::Faults f;
    f.error_rate = rate(a, "error-rate");
    f.reset_rate = rate(a, "reset-rate");
    f.timeout_rate = rate(a, "timeout-rate");
    f.timeout_ms = integer(a, "timeout-ms", 3000, 0, 600000);
    f.garbage_rate = rate(a, "garbage-rate");
    f.duplicate_reply_rate = rate(a, "duplicate-reply-rate");
    f.burst_429 = integer(a, "burst-429", 0, 0, 1000000);
    f.retry_after_seconds = integer(a, "retry-after", 1, 0, 86400);
    f.latency_ms = integer(a, "latency-ms", 0, 0, 600000);
    f.hostile = a.option("hostile").value_or("");
    if (!f.hostile.empty() && f.hostile != "malformed_json" && f.hostile != "wrong_content_type" &&
        f.hostile != "giant_body" && f.hostile != "redirect" && f.hostile != "missing_results")
        throw UsageError("--hostile is one of malformed_json, wrong_content_type, giant_body, redirect, missing_results");

    // Wait for SIGINT/SIGTERM in this thread; the server threads never see them.
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, nullptr);

    hcp::sim::PlatformSim sim(o);
    sim.set_faults(f);
    int port = sim.start();
    std::cout << "platform-sim listening on " << sim.base_url() << " (arrivals: " << sim.base_url()
              << "/, stats: /sim/stats, faults: POST /sim/faults); database " << o.database.string() << std::endl;
    (void)port;
    int sig = 0;
    sigwait(&set, &sig);
    sim.stop();
    auto s = sim.stats();
    std::cout << "platform-sim stopped: " << s.requests << " requests, " << s.accepted << " accepted, " << s.duplicates
              << " duplicates, " << s.rejected << " rejected, " << s.auth_failures << " auth failures\n";
    return kExitOk;
}

}  // namespace hcpctl
