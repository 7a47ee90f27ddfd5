// hcpctl key create FILE
#include <CLI/CLI.hpp>

#include <iostream>
#include <memory>

#include "cli.hpp"
#include "hcp/base/crypto.hpp"

namespace hcpctl {

namespace {

int key_create(const std::string& file) {
    auto key = hcp::SecretKey::create_file(file);
    std::cout << "created " << file << " (mode 0600, fingerprint " << key.fingerprint()
              << "). Back it up: without it the applicant data in the database cannot be read.\n";
    return kExitOk;
}

}  // namespace

void add_key_command(CLI::App& app, int& exit_code) {
    CLI::App& key = add_command_group(app, "key", "key files");
    CLI::App& create = *key.add_subcommand("create", "create a new key file (mode 0600); never overwrites");
    auto file = std::make_shared<std::string>();
    create.add_option("FILE", *file, "where to write the key")->required();
    create.callback([file, &exit_code] { exit_code = key_create(*file); });
}

}  // namespace hcpctl
