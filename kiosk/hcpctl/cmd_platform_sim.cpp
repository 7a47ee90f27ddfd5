// hcpctl platform-sim: the reference 好差评 platform on loopback (docs/upload-protocol.md).
// `./dev demo` and the upload tests use it; the fault switches make a misbehaving platform.
#include <CLI/CLI.hpp>

#include <csignal>
#include <iostream>
#include <memory>

#include "cli.hpp"
#include "hcp/upload/upload.hpp"
#include "platform_sim.hpp"

namespace hcpctl {

namespace {

struct SimArgs {
    std::string secret;
    hcp::sim::SimOptions sim;
    hcp::sim::Faults faults;
};

int run_platform_sim(SimArgs& a) {
    hcp::sim::SimOptions& o = a.sim;
    o.secret = hcp::load_hall_secret(a.secret);
    if (o.tls_cert.empty() != o.tls_key.empty()) throw UsageError("--tls-cert and --tls-key go together");
    const hcp::sim::Faults& f = a.faults;

    // Wait for SIGINT/SIGTERM in this thread; the server threads never see them.
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, nullptr);

    hcp::sim::PlatformSim sim(o);
    sim.set_faults(f);
    sim.start();
    std::cout << "platform-sim listening on " << sim.base_url() << " (arrivals: " << sim.base_url()
              << "/, stats: /sim/stats, faults: POST /sim/faults); database " << o.database.string() << std::endl;
    int sig = 0;
    sigwait(&set, &sig);
    sim.stop();
    auto s = sim.stats();
    std::cout << "platform-sim stopped: " << s.requests << " requests, " << s.accepted << " accepted, " << s.duplicates
              << " duplicates, " << s.rejected << " rejected, " << s.auth_failures << " auth failures\n";
    return kExitOk;
}

}  // namespace

void add_platform_sim_command(CLI::App& app, int& exit_code) {
    CLI::App& cmd =
        *app.add_subcommand("platform-sim",
                            "the reference 好差评 platform on 127.0.0.1 (arrivals page at /) until SIGINT/SIGTERM;\n"
                            "the fault switches make a misbehaving platform");
    auto a = std::make_shared<SimArgs>();
    hcp::sim::SimOptions& o = a->sim;
    hcp::sim::Faults& f = a->faults;
    // A quiet platform (Faults' defaults) on its usual port.
    o.database = "platform-sim.db";
    o.port = 8780;
    const CLI::Range probability(0.0, 1.0);
    cmd.add_option("--secret", a->secret, "the hall secret (64 hex digits, mode 0600)")
        ->option_text("FILE")
        ->required();
    cmd.add_option("--db", o.database, "where arrived ratings are kept (default platform-sim.db)")->option_text("FILE");
    cmd.add_option("--port", o.port, "TCP port on 127.0.0.1 (default 8780; 0: any free port)")
        ->option_text("N")
        ->check(CLI::Range(0, 65535));
    cmd.add_option("--seed", o.seed, "seed of the fault dice (default 1)")
        ->option_text("N")
        ->check(CLI::Range(0, 1 << 30));
    cmd.add_option("--replay-window", o.replay_window_seconds, "accepted clock skew and nonce memory (default 300)")
        ->option_text("SECONDS")
        ->check(CLI::Range(1, 86400));
    cmd.add_option("--tls-cert", o.tls_cert, "serve HTTPS with this certificate (with --tls-key)")->option_text("PEM");
    cmd.add_option("--tls-key", o.tls_key, "the certificate's private key (with --tls-cert)")->option_text("PEM");
    // The fault switches: shares of requests (0..1) and whole numbers, each in one group of --help.
    const std::string faults = "Fault switches";
    auto share = [&](const char* name, double& field, const char* help) {
        cmd.add_option(name, field, help)->option_text("P")->check(probability)->group(faults);
    };
    auto whole = [&](const char* name, int& field, const char* help, int max) {
        cmd.add_option(name, field, help)->option_text("N")->check(CLI::Range(0, max))->group(faults);
    };
    share("--error-rate", f.error_rate, "share of requests answered 500");
    share("--reset-rate", f.reset_rate, "share of connections reset");
    share("--timeout-rate", f.timeout_rate, "share of requests left unanswered for --timeout-ms");
    whole("--timeout-ms", f.timeout_ms, "how long an unanswered request hangs (default 3000)", 600000);
    share("--garbage-rate", f.garbage_rate, "share of answers that are not JSON");
    share("--duplicate-reply-rate", f.duplicate_reply_rate, "share of accepted ratings answered as duplicates");
    whole("--burst-429", f.burst_429, "answer the first N requests 429", 1000000);
    whole("--drop-next", f.drop_next, "store the next N requests, then close their connection before any answer",
          1000000);
    whole("--retry-after", f.retry_after_seconds, "Retry-After seconds of a 429 (default 1)", 86400);
    whole("--latency-ms", f.latency_ms, "delay before every answer", 600000);
    cmd.add_option("--hostile", f.hostile, "answer every request in one hostile way")
        ->option_text("KIND")
        ->check(CLI::IsMember({"malformed_json", "wrong_content_type", "giant_body", "redirect", "missing_results"}))
        ->group(faults);
    cmd.callback([a, &exit_code] { exit_code = run_platform_sim(*a); });
}

}  // namespace hcpctl
