// hcpctl: the headless tool for installers and tests. Links no UI library.
#include <CLI/CLI.hpp>

#include <iostream>
#include <string>

#include "cli.hpp"
#include "hcp/base/error.hpp"

namespace {

// "hcpctl token verify": the command whose options were being read or that ran.
std::string command_path(const CLI::App& app) {
    std::string path = app.get_name();
    const CLI::App* at = &app;
    for (auto subs = at->get_subcommands(); !subs.empty(); subs = at->get_subcommands()) {
        at = subs.front();
        path += " " + at->get_name();
    }
    return path;
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app("hcpctl — 好差评 kiosk command-line tool", "hcpctl");
    app.set_version_flag("--version", std::string("hcpctl ") + HCP_VERSION, "Print the version and exit");
    app.set_help_flag("-h,--help", "Print this help and exit");
    app.require_subcommand(0, 1);
    // Commands inherit the footer when they are added.
    const std::string exit_codes = "exit codes: 0 ok, 1 problems found, 2 usage error, 3 could not run";
    app.footer(exit_codes);
    app.get_formatter()->label("Usage", "usage");
    app.get_formatter()->column_width(34);
    // Declared before the commands, which inherit it: an option given twice keeps its last value,
    // so a script can override an earlier option by appending one.
    app.option_defaults()->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);

    int exit_code = hcpctl::kExitOk;
    hcpctl::add_check_command(app, exit_code);
    hcpctl::add_config_command(app, exit_code);
    hcpctl::add_provision_command(app, exit_code);
    hcpctl::add_backup_commands(app, exit_code);
    hcpctl::add_key_command(app, exit_code);
    hcpctl::add_verify_command(app, exit_code);
    hcpctl::add_export_command(app, exit_code);
    hcpctl::add_demo_command(app, exit_code);
    hcpctl::add_platform_sim_command(app, exit_code);
    hcpctl::add_sync_command(app, exit_code);
    hcpctl::add_print_command(app, exit_code);
    hcpctl::add_token_command(app, exit_code);
    hcpctl::add_staff_command(app, exit_code);
    hcpctl::add_hub_command(app, exit_code);
    hcpctl::add_calendar_command(app, exit_code);
    hcpctl::add_reminders_command(app, exit_code);
    app.footer(exit_codes + "\n`hcpctl COMMAND --help` describes a command, its subcommands and options.");
    // `hcpctl help` and `hcpctl version`, kept for scripts that use the words; not listed.
    app.add_subcommand("help")->group("")->callback(
        [&app] { std::cout << app.get_formatter()->make_help(&app, app.get_name(), CLI::AppFormatMode::Normal); });
    app.add_subcommand("version")->group("")->callback([] { std::cout << "hcpctl " << HCP_VERSION << '\n'; });

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        if (e.get_exit_code() == static_cast<int>(CLI::ExitCodes::Success)) return app.exit(e);  // --help, --version
        const std::string path = command_path(app);
        std::cerr << path << ": " << e.what() << "\nRun '" << path << " --help' for the options.\n";
        return hcpctl::kExitUsage;
    } catch (const hcpctl::UsageError& e) {
        std::cerr << command_path(app) << ": " << e.what() << '\n';
        return hcpctl::kExitUsage;
    } catch (const hcp::Error& e) {
        std::cerr << command_path(app) << ": " << e.what() << '\n';
        return hcpctl::kExitFailed;
    } catch (const std::exception& e) {
        std::cerr << command_path(app) << ": unexpected error: " << e.what() << '\n';
        return hcpctl::kExitFailed;
    }
    if (app.get_subcommands().empty()) {
        // No command: the overview, as a usage error so that a script calling `hcpctl` alone fails.
        std::cout << app.help();
        return hcpctl::kExitUsage;
    }
    return exit_code;
}
