// hcpctl key create FILE
#include <iostream>

#include "cli.hpp"
#include "hcp/base/crypto.hpp"

namespace hcpctl {

int cmd_key(const std::vector<std::string>& argv) {
    Args args(argv, {}, {});
    const std::string usage = "hcpctl key create FILE";
    args.expect_positionals(2, usage);
    if (args.positionals()[0] != "create") throw UsageError("usage: " + usage);
    auto key = hcp::SecretKey::create_file(args.positionals()[1]);
    std::cout << "created " << args.positionals()[1] << " (mode 0600, fingerprint " << key.fingerprint()
              << "). Back it up: without it the applicant data in the database cannot be read.\n";
    return kExitOk;
}

}  // namespace hcpctl
