// The hall API's settings: [api] of the main configuration (validated by the core) and the
// tokens file, read through the core's strict TomlReader so problems come as file:line:column
// with did-you-mean, like the main configuration. Tokens are secrets: the file must not be
// readable by group or others.
#include <sodium.h>
#include <sys/stat.h>

#include <algorithm>
#include <cstring>
#include <set>

#include "hcp/base/crypto.hpp"
#include "hcp/detail/toml_util.hpp"
#include "hcp/hub_server/hall_api.hpp"

namespace hcp {

std::set<DeviceRole> effective_roles(const ApiDeviceToken& device) {
    if (!device.roles.empty()) return device.roles;
    if (device.window > 0) return {DeviceRole::rater};
    return {DeviceRole::ticket, DeviceRole::selfservice, DeviceRole::display};
}

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
        rd.check_keys(*t, path, {"id", "token", "window", "roles"});
        ApiDeviceToken d;
        d.id = rd.get_string(*t, path, "id", true, 32).value_or("");
        d.token = rd.get_string(*t, path, "token", true, 200).value_or("");
        d.window = static_cast<int>(rd.get_int(*t, path, "window", true, 0, 999).value_or(0));
        if (const toml::array* arr = rd.get_array(*t, path, "roles", false)) {
            if (arr->empty())
                rd.error(arr, path + ".roles", "must list at least one of ticket, rater, selfservice, display");
            for (size_t i = 0; i < arr->size(); ++i) {
                const auto* role_text = (*arr)[i].as_string();
                const auto role = role_text != nullptr ? parse_device_role(role_text->get()) : std::nullopt;
                if (!role || *role == DeviceRole::hub)
                    rd.error(&(*arr)[i], path + ".roles[" + std::to_string(i) + "]",
                             "must be one of ticket, rater, selfservice, display");
                else
                    d.roles.insert(*role);
            }
        }
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
        throw Error(Errc::key_invalid,
                    "API tokens file " + path.string() + " is readable by others; run: chmod 600 " + path.string());
    return parse_api_tokens(detail::read_text_file(path), path.string());
}

std::vector<StaffPin> parse_staff_pins(std::string_view toml_text, const std::string& origin) {
    detail::TomlReader rd(origin);
    std::vector<StaffPin> out;
    auto root = rd.parse(toml_text);
    if (!root) throw ConfigError(rd.issues());
    rd.check_keys(*root, "", {"staff"});
    std::set<std::string> numbers;
    if (const toml::node* node = root->get("staff")) {
        const toml::array* arr = node->as_array();
        if (arr == nullptr) rd.error(node, "staff", "must be written as [[staff]] entries");
        for (size_t i = 0; arr != nullptr && i < arr->size(); ++i) {
            const std::string path = "staff[" + std::to_string(i) + "]";
            const auto* t = arr->get(i)->as_table();
            if (t == nullptr) {
                rd.error(arr->get(i), path, "must be a table");
                continue;
            }
            rd.check_keys(*t, path, {"number", "pin_hash"});
            StaffPin p;
            p.staff_no = rd.get_string(*t, path, "number", true, 32).value_or("");
            p.pin_hash = rd.get_string(*t, path, "pin_hash", true, crypto_pwhash_STRBYTES - 1).value_or("");
            if (!p.pin_hash.empty() && p.pin_hash.rfind("$argon2id$", 0) != 0)
                rd.error(
                    t->get("pin_hash"), path + ".pin_hash",
                    "must be an argon2id hash (\"$argon2id$v=19$…\", made by hash_staff_pin), never the PIN itself");
            if (!p.staff_no.empty() && !numbers.insert(p.staff_no).second)
                rd.error(t->get("number"), path + ".number", "staff '" + p.staff_no + "' is listed twice");
            out.push_back(std::move(p));
        }
    }
    if (!rd.ok()) throw ConfigError(rd.issues());
    return out;
}

std::vector<StaffPin> load_staff_pins(const std::filesystem::path& path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0)
        throw Error(Errc::io_failure, "cannot read the staff PIN file " + path.string() +
                                          " (set [api].staff_pins_file, see docs/config.md)");
    if ((st.st_mode & 077) != 0)
        throw Error(Errc::key_invalid,
                    "staff PIN file " + path.string() + " is readable by others; run: chmod 600 " + path.string());
    return parse_staff_pins(detail::read_text_file(path), path.string());
}

std::string staff_pin_problem(std::string_view pin) {
    const bool digits = std::all_of(pin.begin(), pin.end(), [](char c) { return c >= '0' && c <= '9'; });
    if (pin.size() < 4 || pin.size() > 12 || !digits) return "密码须为 4 到 12 位数字。";
    return {};
}

std::string hash_staff_pin(std::string_view pin) {
    if (auto why = staff_pin_problem(pin); !why.empty())
        throw Error(Errc::invalid_argument, "a staff PIN must be 4 to 12 digits");
    crypto_init();
    char out[crypto_pwhash_STRBYTES];
    if (crypto_pwhash_str(out, pin.data(), pin.size(), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                          crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
        throw Error(Errc::crypto_failure, "argon2id hashing failed (out of memory?)");
    return std::string(out);
}

bool verify_staff_pin(std::string_view pin_hash, std::string_view pin) {
    if (pin_hash.size() >= crypto_pwhash_STRBYTES || pin_hash.rfind("$argon2id$", 0) != 0) return false;
    crypto_init();
    char str[crypto_pwhash_STRBYTES] = {};
    std::memcpy(str, pin_hash.data(), pin_hash.size());
    return crypto_pwhash_str_verify(str, pin.data(), pin.size()) == 0;
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
    std::error_code ec;
    // Absent: the console cannot sign in (it says so). Present but unreadable: load says why.
    if (!a.staff_pins_file.empty() && (std::filesystem::exists(a.staff_pins_file, ec) || ec))
        out.staff_pins = load_staff_pins(a.staff_pins_file);
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
