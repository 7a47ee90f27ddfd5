#pragma once
// The hall API (DESIGN §6, docs/hall-api.md): JSON over HTTP under /api/v1 for business systems
// and terminals, served from the hub. HTTP stays in this library; hcp::Hub knows nothing of it.
//
// Contracts:
// - Every request but GET /api/v1/health needs `Authorization: Bearer <token>`; a device token
//   may read events and cases and submit ratings (only for its own window), a business-system
//   token may report and read cases.
// - Bodies above max_body_bytes get 413, non-JSON bodies 415, malformed JSON or fields 400;
//   every error is {"error": {"code", "message"}} (message in Chinese where a screen shows it).
// - start() binds and serves on a background thread pool; stop() returns after every request
//   thread (SSE streams included) has finished.
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "hcp/hub.hpp"

namespace hcp {

struct ApiDeviceToken {
    std::string id;      // device id (as in its own config)
    std::string token;   // ≥ 16 characters
    int window = 0;      // the window it serves; 0 = self-service
};

struct ApiSystemToken {
    std::string id;      // business system name
    std::string token;   // ≥ 16 characters
};

// Loaded from a small TOML file (see docs/hall-api.md); the keys move into the main config
// later.
struct HallApiConfig {
    std::string listen_host = "127.0.0.1";
    int listen_port = 8787;         // 0 = any free port (tests)
    size_t max_body_bytes = 64 * 1024;
    int sse_keepalive_seconds = 15;
    int max_sse_clients = 32;
    int request_threads = 8;        // besides the SSE streams
    std::vector<ApiDeviceToken> devices;
    std::vector<ApiSystemToken> systems;
};

// Throws ConfigError listing every problem (file:line:column, did-you-mean for unknown keys).
HallApiConfig load_hall_api_config(const std::filesystem::path& path);
HallApiConfig parse_hall_api_config(std::string_view toml_text, const std::string& origin);
// "127.0.0.1:8787" → host and port; nullopt when malformed.
std::optional<std::pair<std::string, int>> parse_listen(std::string_view text);

enum class ServeErrc { bind_failed, already_running };

struct ServeFailure {
    ServeErrc cause = ServeErrc::bind_failed;
    std::string detail;
};

class HallApiServer {
public:
    // The hub must outlive the server.
    HallApiServer(Hub& hub, HallApiConfig config);
    ~HallApiServer();  // stops
    HallApiServer(const HallApiServer&) = delete;
    HallApiServer& operator=(const HallApiServer&) = delete;

    // Binds and starts serving; returns the bound port.
    Result<int, ServeFailure> start();
    void stop();
    int port() const noexcept;
    int sse_clients() const noexcept;

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

}  // namespace hcp
