// hcpctl verify DB [--key FILE] [--json]
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli.hpp"
#include "hcp/store/verify.hpp"

namespace hcpctl {

int cmd_verify(const std::vector<std::string>& argv) {
    Args args(argv, {"key"}, {"json"});
    args.expect_positionals(1, "hcpctl verify DB [--key FILE] [--json]");
    std::optional<hcp::SecretKey> key;
    if (auto k = args.option("key")) key = hcp::SecretKey::load_file(*k);
    auto report = hcp::verify_store(args.positionals()[0], key);

    if (args.flag("json")) {
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
        std::cout << j.dump(2) << '\n';
    } else {
        std::cout << args.positionals()[0] << ": " << report.ratings << " ratings from " << report.devices
                  << " device(s); ";
        std::cout << (report.mac_checked ? "hashes, sequence and device MACs checked\n"
                                         : "hashes and sequence checked (give --key to also check device MACs)\n");
        for (const auto& f : report.findings) std::cout << "TAMPERED  " << f.describe() << '\n';
        std::cout << (report.ok() ? "ok: every chain is intact\n"
                                  : std::to_string(report.findings.size()) + " problem(s) found\n");
    }
    return report.ok() ? kExitOk : kExitFindings;
}

}  // namespace hcpctl
