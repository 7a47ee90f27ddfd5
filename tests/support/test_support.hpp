#pragma once
// Helpers shared by the test suites.
#include <filesystem>
#include <string>

namespace hcp::test {

// A fresh directory under the system temp folder, removed with everything in it on destruction.
class TempDir {
public:
    TempDir();
    ~TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    const std::filesystem::path& path() const noexcept { return m_path; }
    std::filesystem::path operator/(const std::string& name) const { return m_path / name; }

private:
    std::filesystem::path m_path;
};

std::filesystem::path assets_dir();     // the source tree's assets/
std::filesystem::path test_data_dir();  // tests/data/
std::string read_file(const std::filesystem::path& p);
void write_file(const std::filesystem::path& p, const std::string& content);

// Runs a shell command, returns its exit status and captures stdout+stderr.
struct CommandResult {
    int exit_code = -1;
    std::string output;
};
CommandResult run_command(const std::string& command);
// `s` single-quoted for /bin/sh (a ' inside becomes '\'').
std::string shell_quote(const std::string& s);
inline std::string shell_quote(const std::filesystem::path& p) {
    return shell_quote(p.string());
}
// hcpctl with `args` (already quoted), stderr joined to stdout.
CommandResult run_hcpctl(const std::string& args);
std::string hcpctl_path();

}  // namespace hcp::test

struct sqlite3;

namespace hcp::test {

// Raw access to a database file, bypassing the store: how an attacker or a broken tool would
// touch it. Each call opens, runs, closes.
void raw_exec(const std::filesystem::path& db, const std::string& sql);
long long raw_int(const std::filesystem::path& db, const std::string& sql);
std::string raw_text(const std::filesystem::path& db, const std::string& sql);

}  // namespace hcp::test
