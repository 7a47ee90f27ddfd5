#pragma once
// hcpctl's commands and what they share. The command line is declared with CLI11: each command
// adds itself, its options, positionals and subcommands to the application with add_*_command,
// and stores its exit code in `exit_code` when it is the command that runs.
//
// Exit codes: 0 success, 1 the check found problems (invalid config, tampering), 2 usage error,
// 3 the operation could not run.
#include <filesystem>
#include <stdexcept>
#include <string>

namespace CLI {
class App;
}

namespace hcpctl {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFindings = 1;
inline constexpr int kExitUsage = 2;
inline constexpr int kExitFailed = 3;

// A value the command line parsed but the command refuses (a date that is not a date, options
// that do not go together, a configuration without the section the command needs): exit 2.
class UsageError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// A command made only of subcommands (`key create`, `token issue`): `name` under `parent`,
// refusing to run without one of its subcommands (exit 2, naming them).
CLI::App& add_command_group(CLI::App& parent, const std::string& name, const std::string& description);

// In the order `hcpctl --help` lists them.
void add_check_command(CLI::App& app, int& exit_code);         // cmd_check.cpp
void add_config_command(CLI::App& app, int& exit_code);        // cmd_config.cpp: config check
void add_provision_command(CLI::App& app, int& exit_code);     // cmd_provision.cpp
void add_backup_commands(CLI::App& app, int& exit_code);       // cmd_backup.cpp: backup, restore
void add_key_command(CLI::App& app, int& exit_code);           // cmd_key.cpp: key create
void add_verify_command(CLI::App& app, int& exit_code);        // cmd_verify.cpp
void add_export_command(CLI::App& app, int& exit_code);        // cmd_export.cpp
void add_demo_command(CLI::App& app, int& exit_code);          // cmd_demo.cpp
void add_platform_sim_command(CLI::App& app, int& exit_code);  // cmd_platform_sim.cpp
void add_sync_command(CLI::App& app, int& exit_code);          // cmd_sync.cpp
void add_print_command(CLI::App& app, int& exit_code);         // cmd_print.cpp: print ticket|…
void add_token_command(CLI::App& app, int& exit_code);         // cmd_token.cpp: token issue|…
void add_staff_command(CLI::App& app, int& exit_code);         // cmd_staff.cpp: staff set-pin
void add_hub_command(CLI::App& app, int& exit_code);           // cmd_hub.cpp
void add_calendar_command(CLI::App& app, int& exit_code);      // cmd_calendar.cpp: calendar show|import|law
void add_reminders_command(CLI::App& app, int& exit_code);     // cmd_reminders.cpp

// Where the shipped assets are: $HCP_ASSETS_DIR, then <exe>/../share/hcp-kiosk/assets, then
// the source tree this binary was built from.
std::filesystem::path assets_dir();

}  // namespace hcpctl
