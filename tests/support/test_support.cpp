#include "test_support.hpp"

#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>

namespace hcp::test {

TempDir::TempDir() {
    std::random_device rd;
    for (int attempt = 0; attempt < 100; ++attempt) {
        auto candidate =
            std::filesystem::temp_directory_path() / ("hcp-test-" + std::to_string(rd()) + std::to_string(attempt));
        if (std::filesystem::create_directory(candidate)) {
            m_path = candidate;
            return;
        }
    }
    throw std::runtime_error("cannot create a temporary directory");
}

TempDir::~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(m_path, ec);
}

std::filesystem::path assets_dir() {
    return HCP_TEST_ASSETS_DIR;
}
std::filesystem::path test_data_dir() {
    return HCP_TEST_DATA_DIR;
}

std::string read_file(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    if (!in) throw std::runtime_error("cannot read " + p.string());
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

void write_file(const std::filesystem::path& p, const std::string& content) {
    std::ofstream out(p, std::ios::binary | std::ios::trunc);
    if (!out) throw std::runtime_error("cannot write " + p.string());
    out << content;
}

CommandResult run_command(const std::string& command) {
    CommandResult result;
    std::string full = command + " 2>&1";
    FILE* pipe = popen(full.c_str(), "r");
    if (pipe == nullptr) throw std::runtime_error("popen failed for " + command);
    char buffer[4096];
    size_t n = 0;
    while ((n = fread(buffer, 1, sizeof buffer, pipe)) > 0) result.output.append(buffer, n);
    int status = pclose(pipe);
    result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return result;
}

std::string hcpctl_path() {
    return HCP_HCPCTL_PATH;
}

std::string shell_quote(const std::string& s) {
    std::string out = "'";
    for (char c : s) {
        if (c == '\'')
            out += "'\\''";
        else
            out += c;
    }
    return out + "'";
}

CommandResult run_hcpctl(const std::string& args) {
    return run_command(shell_quote(hcpctl_path()) + " " + args + " 2>&1");
}

}  // namespace hcp::test

#include <sqlite3.h>

namespace hcp::test {

namespace {

struct RawDb {
    sqlite3* db = nullptr;
    explicit RawDb(const std::filesystem::path& p) {
        if (sqlite3_open(p.c_str(), &db) != SQLITE_OK) throw std::runtime_error("cannot open " + p.string());
    }
    ~RawDb() { sqlite3_close(db); }
};

}  // namespace

void raw_exec(const std::filesystem::path& db, const std::string& sql) {
    RawDb raw(db);
    char* err = nullptr;
    if (sqlite3_exec(raw.db, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
        std::string msg = err != nullptr ? err : "?";
        sqlite3_free(err);
        throw std::runtime_error("raw_exec: " + msg);
    }
}

std::string raw_text(const std::filesystem::path& db, const std::string& sql) {
    RawDb raw(db);
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(raw.db, sql.c_str(), -1, &st, nullptr) != SQLITE_OK)
        throw std::runtime_error(std::string("raw_text: ") + sqlite3_errmsg(raw.db));
    std::string out;
    if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0) != nullptr)
        out = reinterpret_cast<const char*>(sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    return out;
}

long long raw_int(const std::filesystem::path& db, const std::string& sql) {
    std::string text = raw_text(db, sql);
    return text.empty() ? 0 : std::stoll(text);
}

}  // namespace hcp::test
