// The hall API's own small TOML file (docs/hall-api.md). Read through the core's strict
// TomlReader so problems come as file:line:column with did-you-mean, like the main config.
#include <charconv>

#include "hcp/hall_api.hpp"
#include "toml_util.hpp"

namespace hcp {

std::optional<std::pair<std::string, int>> parse_listen(std::string_view text) {
    auto colon = text.rfind(':');
    if (colon == std::string_view::npos || colon == 0) return std::nullopt;
    std::string host(text.substr(0, colon));
    auto port_text = text.substr(colon + 1);
    int port = -1;
    auto [p, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (ec != std::errc{} || p != port_text.data() + port_text.size() || port < 0 || port > 65535)
        return std::nullopt;
    return std::make_pair(host, port);
}

HallApiConfig parse_hall_api_config(std::string_view toml_text, const std::string& origin) {
    detail::TomlReader rd(origin);
    HallApiConfig cfg;
    auto root = rd.parse(toml_text);
    if (!root) throw ConfigError(rd.issues());
    rd.check_keys(*root, "", {"api", "device", "system"});
    if (const auto* api = rd.get_table(*root, "", "api", false)) {
        rd.check_keys(*api, "api", {"listen", "max_body_bytes", "sse_keepalive_seconds", "max_sse_clients",
                                    "request_threads"});
        if (auto l = rd.get_string(*api, "api", "listen", false, 100)) {
            if (auto hp = parse_listen(*l)) {
                cfg.listen_host = hp->first;
                cfg.listen_port = hp->second;
            } else {
                rd.error(api->get("listen"), "api.listen", "must be HOST:PORT, e.g. \"127.0.0.1:8787\"");
            }
        }
        if (auto v = rd.get_int(*api, "api", "max_body_bytes", false, 1024, 1024 * 1024))
            cfg.max_body_bytes = static_cast<size_t>(*v);
        if (auto v = rd.get_int(*api, "api", "sse_keepalive_seconds", false, 1, 300))
            cfg.sse_keepalive_seconds = static_cast<int>(*v);
        if (auto v = rd.get_int(*api, "api", "max_sse_clients", false, 1, 1000))
            cfg.max_sse_clients = static_cast<int>(*v);
        if (auto v = rd.get_int(*api, "api", "request_threads", false, 1, 64))
            cfg.request_threads = static_cast<int>(*v);
    }
    std::set<std::string> tokens;
    auto check_token = [&](const toml::table& t, const std::string& path, const std::string& token) {
        if (token.size() < 16) rd.error(t.get("token"), path + ".token", "must be at least 16 characters");
        if (!tokens.insert(token).second) rd.error(t.get("token"), path + ".token", "is used twice; give every device and system its own");
    };
    if (const auto* devices = rd.get_array(*root, "", "device", false)) {
        for (size_t i = 0; i < devices->size(); ++i) {
            const std::string path = "device[" + std::to_string(i) + "]";
            const auto* t = devices->get(i)->as_table();
            if (!t) {
                rd.error(devices->get(i), path, "must be a table");
                continue;
            }
            rd.check_keys(*t, path, {"id", "token", "window"});
            ApiDeviceToken d;
            d.id = rd.get_string(*t, path, "id", true, 32).value_or("");
            d.token = rd.get_string(*t, path, "token", true, 200).value_or("");
            d.window = static_cast<int>(rd.get_int(*t, path, "window", true, 0, 999).value_or(0));
            check_token(*t, path, d.token);
            cfg.devices.push_back(std::move(d));
        }
    }
    if (const auto* systems = rd.get_array(*root, "", "system", false)) {
        for (size_t i = 0; i < systems->size(); ++i) {
            const std::string path = "system[" + std::to_string(i) + "]";
            const auto* t = systems->get(i)->as_table();
            if (!t) {
                rd.error(systems->get(i), path, "must be a table");
                continue;
            }
            rd.check_keys(*t, path, {"id", "token"});
            ApiSystemToken s;
            s.id = rd.get_string(*t, path, "id", true, 64).value_or("");
            s.token = rd.get_string(*t, path, "token", true, 200).value_or("");
            check_token(*t, path, s.token);
            cfg.systems.push_back(std::move(s));
        }
    }
    if (!rd.ok()) throw ConfigError(rd.issues());
    return cfg;
}

HallApiConfig load_hall_api_config(const std::filesystem::path& path) {
    return parse_hall_api_config(detail::read_text_file(path), path.string());
}

}  // namespace hcp
