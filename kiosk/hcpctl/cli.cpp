#include "cli.hpp"

#include <unistd.h>

#include <cstdlib>

namespace hcpctl {

Args::Args(const std::vector<std::string>& argv, const std::set<std::string>& value_options,
           const std::set<std::string>& flags) {
    for (size_t i = 0; i < argv.size(); ++i) {
        const std::string& a = argv[i];
        if (a.rfind("--", 0) != 0 || a == "--") {
            m_positionals.push_back(a);
            continue;
        }
        std::string name = a.substr(2);
        std::optional<std::string> inline_value;
        if (auto eq = name.find('='); eq != std::string::npos) {
            inline_value = name.substr(eq + 1);
            name = name.substr(0, eq);
        }
        if (value_options.count(name) != 0) {
            if (inline_value) {
                m_options[name] = *inline_value;
            } else if (i + 1 < argv.size()) {
                m_options[name] = argv[++i];
            } else {
                throw UsageError("--" + name + " needs a value");
            }
        } else if (flags.count(name) != 0 && !inline_value) {
            m_flags.insert(name);
        } else {
            std::string known;
            for (const auto& o : value_options) known += " --" + o;
            for (const auto& f : flags) known += " --" + f;
            throw UsageError("unknown option --" + name + (known.empty() ? "" : "; known:" + known));
        }
    }
}

std::optional<std::string> Args::option(const std::string& name) const {
    auto it = m_options.find(name);
    if (it == m_options.end()) return std::nullopt;
    return it->second;
}

bool Args::flag(const std::string& name) const { return m_flags.count(name) != 0; }

void Args::expect_positionals(size_t n, const std::string& usage) const {
    if (m_positionals.size() != n) throw UsageError("usage: " + usage);
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
