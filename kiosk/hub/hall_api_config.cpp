// The hall API's settings: [api] of the main configuration (validated by the core) and the
// tokens file, read through the core's strict TomlReader so problems come as file:line:column
// with did-you-mean, like the main configuration. Tokens are secrets: the file must not be
// readable by group or others.
#include <sys/stat.h>

#include <algorithm>
#include <set>

#include "hcp/hall_api.hpp"
#include "toml_util.hpp"

namespace hcp {

ApiTokens parse_api_tokens(std::string_view toml_text, const std::string& origin) {
    detail::TomlReader rd(origin);
    ApiTokens out;
    auto root = rd.parse(toml_text);
    if (!root) throw ConfigError(rd.issues());
    rd.check_keys(*root, "", {"device", "system"});
    std::set<std::string> tokens, device_ids, system_ids;
    auto check_token = [&](const toml::table& t, const std::string& path, const std::string& token) {
        if (token.size() < 16) rd.error(t.get("token"), path + ".token", "must be at least 16 characters");
        if (!tokens.insert(token).second)
            rd.error(t.get("token"), path + ".token", "is used twice; give every device and system its own");
    };
    auto entries = [&](std::string_view key) {
        std::vector<std::pair<std::string, const toml::table*>> list;
        const toml::node* node = root->get(key);
        if (node == nullptr) return list;
        const toml::array* arr = node->as_array();
        if (arr == nullptr) {
            rd.error(node, std::string(key), "must be written as [[" + std::string(key) + "]] entries");
            return list;
        }
        for (size_t i = 0; i < arr->size(); ++i) {
            const std::string path = std::string(key) + "[" + std::to_string(i) + "]";
            if (const auto* t = arr->get(i)->as_table())
                list.emplace_back(path, t);
            else
                rd.error(arr->get(i), path, "must be a table");
        }
        return list;
    };
    for (const auto& [path, t] : entries("device")) {
        rd.check_keys(*t, path, {"id", "token", "window"});
        ApiDeviceToken d;
        d.id = rd.get_string(*t, path, "id", true, 32).value_or("");
        d.token = rd.get_string(*t, path, "token", true, 200).value_or("");
        d.window = static_cast<int>(rd.get_int(*t, path, "window", true, 0, 999).value_or(0));
        check_token(*t, path, d.token);
        if (!d.id.empty() && !device_ids.insert(d.id).second)
            rd.error(t->get("id"), path + ".id", "device '" + d.id + "' is listed twice");
        out.devices.push_back(std::move(d));
    }
    for (const auto& [path, t] : entries("system")) {
        rd.check_keys(*t, path, {"id", "token"});
        ApiSystemToken s;
        s.id = rd.get_string(*t, path, "id", true, 64).value_or("");
        s.token = rd.get_string(*t, path, "token", true, 200).value_or("");
        check_token(*t, path, s.token);
        if (!s.id.empty() && !system_ids.insert(s.id).second)
            rd.error(t->get("id"), path + ".id", "system '" + s.id + "' is listed twice");
        out.systems.push_back(std::move(s));
    }
    if (!rd.ok()) throw ConfigError(rd.issues());
    return out;
}

ApiTokens load_api_tokens(const std::filesystem::path& path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0)
        throw Error(Errc::io_failure, "cannot read the API tokens file " + path.string() +
                                          " (set [api].tokens_file, see docs/hall-api.md)");
    if ((st.st_mode & 077) != 0)
        throw Error(Errc::key_invalid, "API tokens file " + path.string() +
                                           " is readable by others; run: chmod 600 " + path.string());
    return parse_api_tokens(detail::read_text_file(path), path.string());
}

HallApiConfig hall_api_config(const Config& config) {
    HallApiConfig out;
    if (!config.api) return out;
    const ApiConfig& a = *config.api;
    out.listen_host = a.listen_host;
    out.listen_port = a.listen_port;
    out.max_body_bytes = a.max_body_bytes;
    out.sse_keepalive_seconds = a.sse_keepalive_seconds;
    out.max_sse_clients = a.max_sse_clients;
    out.request_threads = a.request_threads;
    ApiTokens tokens = load_api_tokens(a.tokens_file);
    out.devices = std::move(tokens.devices);
    out.systems = std::move(tokens.systems);
    return out;
}

std::string load_hub_token(const std::filesystem::path& path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0)
        throw Error(Errc::key_invalid, "cannot read this device's hub token " + path.string() +
                                           " (copy it from the hub's API tokens file, see docs/hall-api.md)");
    if ((st.st_mode & 077) != 0)
        throw Error(Errc::key_invalid,
                    "hub token " + path.string() + " is readable by others; run: chmod 600 " + path.string());
    std::string text = detail::read_text_file(path);
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ')) text.pop_back();
    const bool printable = std::all_of(text.begin(), text.end(), [](char c) { return c > ' ' && c < 0x7f; });
    if (text.size() < 16 || text.size() > 200 || !printable)
        throw Error(Errc::key_invalid, "hub token " + path.string() +
                                           " must be one line of 16 to 200 printable characters without spaces");
    return text;
}

}  // namespace hcp
