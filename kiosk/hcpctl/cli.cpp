#include "cli.hpp"

#include <CLI/CLI.hpp>

#include <cstdlib>

namespace hcpctl {

CLI::App& add_command_group(CLI::App& parent, const std::string& name, const std::string& description) {
    CLI::App& group = *parent.add_subcommand(name, description);
    // At most one subcommand, checked by CLI11; "none" is checked here rather than with
    // require_subcommand(1) so that a misspelt subcommand is named ("not expected: delete")
    // instead of being reported as a missing one.
    group.require_subcommand(0, 1);
    group.callback([&group] {
        if (!group.get_subcommands().empty()) return;
        std::string names;
        for (const CLI::App* sub : group.get_subcommands({})) names += (names.empty() ? "" : ", ") + sub->get_name();
        throw CLI::RequiredError("A subcommand is required: " + names, CLI::ExitCodes::RequiredError);
    });
    return group;
}

std::filesystem::path assets_dir() {
    if (const char* env = std::getenv("HCP_ASSETS_DIR"); env != nullptr && *env != '\0') return env;
    std::error_code ec;
    auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
    if (!ec) {
        auto installed = exe.parent_path().parent_path() / "share" / "hcp-kiosk" / "assets";
        if (std::filesystem::exists(installed / "catalog", ec)) return installed;
    }
    return HCP_SOURCE_ASSETS_DIR;
}

}  // namespace hcpctl
