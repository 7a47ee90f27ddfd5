#pragma once
// hcpctl's small argument parser and shared helpers. Exit codes: 0 success, 1 the check found
// problems (invalid config, tampering), 2 usage error, 3 the operation could not run.
#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace hcpctl {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFindings = 1;
inline constexpr int kExitUsage = 2;
inline constexpr int kExitFailed = 3;

class UsageError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// Parsed command line: positionals in order, --name value options, --flag switches.
class Args {
public:
    // `value_options` take a value (--from DATE or --from=DATE); `flags` take none.
    Args(const std::vector<std::string>& argv, const std::set<std::string>& value_options,
         const std::set<std::string>& flags);

    const std::vector<std::string>& positionals() const noexcept { return m_positionals; }
    std::optional<std::string> option(const std::string& name) const;
    bool flag(const std::string& name) const;
    // Throws UsageError unless exactly `n` positionals were given.
    void expect_positionals(size_t n, const std::string& usage) const;

private:
    std::vector<std::string> m_positionals;
    std::map<std::string, std::string> m_options;
    std::set<std::string> m_flags;
};

int cmd_config(const std::vector<std::string>& args);
int cmd_key(const std::vector<std::string>& args);
int cmd_verify(const std::vector<std::string>& args);
int cmd_export(const std::vector<std::string>& args);
int cmd_demo(const std::vector<std::string>& args);
int cmd_hub(const std::vector<std::string>& args);  // hub: hall API headless (kiosk/hub)
int cmd_print(const std::vector<std::string>& args);  // printing issue
int cmd_token(const std::vector<std::string>& args);  // printing issue
int cmd_platform_sim(const std::vector<std::string>& args);  // upload issue
int cmd_sync(const std::vector<std::string>& args);          // upload issue

// Where the shipped assets are: $HCP_ASSETS_DIR, then <exe>/../share/hcp-kiosk/assets, then
// the source tree this binary was built from.
std::filesystem::path assets_dir();

}  // namespace hcpctl
