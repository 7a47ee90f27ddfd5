#include "hcp/printer/settings.hpp"

#include <toml++/toml.h>

#include "hcp/error.hpp"
#include "hcp/printer/transport.hpp"
#include "hcp/token.hpp"

namespace hcp::printer {

PrinterSettings load_printer_settings(const std::filesystem::path& file) {
    toml::table root;
    try {
        root = toml::parse_file(file.string());
    } catch (const toml::parse_error& e) {
        throw Error(Errc::config_invalid,
                    file.string() + ":" + std::to_string(e.source().begin.line) + ": " + std::string(e.description()));
    }
    auto fail = [&](const toml::node* n, const std::string& key, const std::string& what) -> void {
        const auto line = n != nullptr ? n->source().begin.line : 0;
        throw Error(Errc::config_invalid, file.string() + ":" + std::to_string(line) + ": printer." + key + ": " + what);
    };
    for (const auto& [k, v] : root)
        if (k.str() != "printer") fail(&v, std::string(k.str()), "unknown table (only [printer])");
    const auto* t = root["printer"].as_table();
    if (t == nullptr) throw Error(Errc::config_invalid, file.string() + ": missing [printer] table");
    PrinterSettings s;
    auto str = [&](const char* key) -> std::optional<std::string> {
        const auto* n = t->get(key);
        if (n == nullptr) return std::nullopt;
        auto v = n->value<std::string>();
        if (!v || v->empty()) fail(n, key, "must be a non-empty string");
        return v;
    };
    for (const auto& [k, v] : *t) {
        const std::string key(k.str());
        if (key != "profile" && key != "transport" && key != "jobs_dir" && key != "hall_code" &&
            key != "qr_url_prefix" && key != "token_key_file" && key != "qr_valid_days")
            fail(&v, key, "unknown key (allowed: profile, transport, jobs_dir, hall_code, qr_url_prefix, "
                          "token_key_file, qr_valid_days)");
    }
    if (auto v = str("profile")) s.profile = *v;
    if (auto v = str("transport")) {
        try {
            parse_transport(*v);
        } catch (const Error& e) {
            fail(t->get("transport"), "transport", e.what());
        }
        s.transport = *v;
    }
    if (auto v = str("jobs_dir")) s.jobs_dir = *v;
    if (auto v = str("hall_code")) s.hall_code = *v;
    if (auto v = str("qr_url_prefix")) {
        if (!token::is_qr_alphanumeric(*v))
            fail(t->get("qr_url_prefix"), "qr_url_prefix",
                 "must be uppercase (A-Z 0-9 $%*+-./:) so the QR uses alphanumeric mode, e.g. HTTPS://HCP.EXAMPLE.CN/R/");
        s.qr_url_prefix = *v;
    }
    if (auto v = str("token_key_file")) s.token_key_file = *v;
    if (const auto* n = t->get("qr_valid_days")) {
        const auto d = n->value_exact<std::int64_t>();
        if (!d || *d < 1 || *d > 3650) fail(n, "qr_valid_days", "must be an integer from 1 to 3650");
        s.qr_valid_days = static_cast<int>(*d);
    }
    return s;
}

}  // namespace hcp::printer
