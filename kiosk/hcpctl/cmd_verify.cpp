// hcpctl verify DB [--key FILE] [--json]
#include <CLI/CLI.hpp>

#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>

#include "cli.hpp"
#include "hcp/store/verify.hpp"

namespace hcpctl {

namespace {

struct VerifyArgs {
    std::string db;
    std::optional<std::string> key;
    bool json = false;
};

int verify(const VerifyArgs& args) {
    std::optional<hcp::SecretKey> key;
    if (args.key) key = hcp::SecretKey::load_file(*args.key);
    auto report = hcp::verify_store(args.db, key);

    if (args.json) {
        nlohmann::json j;
        j["ok"] = report.ok();
        j["ratings"] = report.ratings;
        j["devices"] = report.devices;
        j["mac_checked"] = report.mac_checked;
        j["findings"] = nlohmann::json::array();
        for (const auto& f : report.findings) {
            j["findings"].push_back({{"kind", hcp::to_string(f.kind)},
                                     {"device", f.device_id},
                                     {"seq_first", f.seq_first},
                                     {"seq_last", f.seq_last},
                                     {"original_seq", f.original_seq},
                                     {"description", f.describe()}});
        }
        j["superseded"] = nlohmann::json::array();
        for (const auto& l : report.superseded)
            j["superseded"].push_back({{"device", l.device_id},
                                       {"seq", l.seq},
                                       {"rating_id", l.rating_id},
                                       {"superseded_by", l.superseded_by}});
        std::cout << j.dump(2) << '\n';
    } else {
        std::cout << args.db << ": " << report.ratings << " ratings from " << report.devices << " device(s); ";
        std::cout << (report.mac_checked ? "hashes, sequence and device MACs checked\n"
                                         : "hashes and sequence checked (give --key to also check device MACs)\n");
        // A superseded link is a normal flow (the citizen rated the case twice), not tampering.
        for (const auto& l : report.superseded)
            std::cout << "superseded  device " << l.device_id << " seq " << l.seq << " (rating " << l.rating_id
                      << "): its case was rated meanwhile by rating " << l.superseded_by
                      << "; kept in the chain, not counted\n";
        for (const auto& f : report.findings) std::cout << "TAMPERED  " << f.describe() << '\n';
        std::cout << (report.ok() ? "ok: every chain is intact\n"
                                  : std::to_string(report.findings.size()) + " problem(s) found\n");
    }
    return report.ok() ? kExitOk : kExitFindings;
}

}  // namespace

void add_verify_command(CLI::App& app, int& exit_code) {
    CLI::App& cmd = *app.add_subcommand(
        "verify",
        "check every rating chain for deleted, altered, reordered or inserted ratings (read-only);\n"
        "exit 1 on findings");
    auto o = std::make_shared<VerifyArgs>();
    cmd.add_option("DB", o->db, "the rating database")->required();
    cmd.add_option("--key", o->key, "the store key: also check each device's MACs")->option_text("FILE");
    cmd.add_flag("--json", o->json, "print the report as JSON");
    cmd.callback([o, &exit_code] { exit_code = verify(*o); });
}

}  // namespace hcpctl
