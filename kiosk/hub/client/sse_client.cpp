#include "sse_client.hpp"

#include "hub_client.hpp"

namespace hcp::api {

namespace {

constexpr size_t kMaxBlockBytes = 1024 * 1024;  // a broken stream, not an event

}  // namespace

SseEvent parse_sse_block(std::string_view block) {
    SseEvent e;
    size_t pos = 0;
    while (pos < block.size()) {
        size_t end = block.find('\n', pos);
        if (end == std::string_view::npos) end = block.size();
        std::string_view line = block.substr(pos, end - pos);
        pos = end + 1;
        if (line.empty() || line.front() == ':') continue;
        auto field = [&](std::string_view name, std::string& out, bool append) {
            if (line.substr(0, name.size()) != name) return false;
            auto v = line.substr(name.size());
            if (!v.empty() && v.front() == ' ') v.remove_prefix(1);
            if (append)
                out.append(v);
            else
                out.assign(v);
            return true;
        };
        std::string id;
        if (field("id:", id, false)) {
            try {
                e.id = std::stoll(id);
            } catch (const std::exception&) {
                e.id = -1;
            }
        } else if (!field("event:", e.type, false)) {
            field("data:", e.data, true);
        }
    }
    return e;
}

SseClient::SseClient(SseClientOptions options, SseCallbacks callbacks)
    : m_opt(std::move(options)), m_cb(std::move(callbacks)), m_last_id(m_opt.last_id) {}

SseClient::~SseClient() {
    stop();
}

void SseClient::start() {
    std::lock_guard lock(m_mutex);
    if (m_thread.joinable()) return;
    m_stop = false;
    m_thread = std::thread([this] { run(); });
}

void SseClient::stop() {
    std::thread t;
    {
        std::lock_guard lock(m_mutex);
        m_stop = true;
        if (m_client != nullptr) m_client->stop();
        t = std::move(m_thread);
    }
    m_cv.notify_all();
    if (t.joinable()) t.join();
}

long long SseClient::last_id() const {
    std::lock_guard lock(m_mutex);
    return m_last_id;
}

void SseClient::run() {
    for (;;) {
        const auto client = hub_client(m_opt.hub_url, m_opt.token, m_opt.connect_timeout, m_opt.read_timeout);
        httplib::Client& cli = *client;
        httplib::Headers headers;
        {
            std::lock_guard lock(m_mutex);
            if (m_stop) return;
            m_client = &cli;
            if (m_opt.resume && m_last_id >= 0) headers.emplace("Last-Event-ID", std::to_string(m_last_id));
        }
        std::string buffer;
        bool opened = false;
        int refused_status = 0;  // a non-200 answer (httplib then reports only "Canceled")
        auto res = cli.Get(
            m_opt.path, headers,
            [&](const httplib::Response& r) {
                if (r.status != 200) {
                    refused_status = r.status;
                    return false;
                }
                opened = true;
                if (m_cb.on_open) m_cb.on_open();
                return true;
            },
            [&](const char* data, size_t len) {
                buffer.append(data, len);
                if (buffer.size() > kMaxBlockBytes) return false;
                size_t sep;
                while ((sep = buffer.find("\n\n")) != std::string::npos) {
                    SseEvent e = parse_sse_block(std::string_view(buffer).substr(0, sep));
                    buffer.erase(0, sep + 2);
                    if (e.id >= 0) {
                        std::lock_guard lock(m_mutex);
                        m_last_id = e.id;
                    }
                    if (m_cb.on_event) m_cb.on_event(e);
                }
                std::lock_guard lock(m_mutex);
                return !m_stop;
            });
        {
            std::lock_guard lock(m_mutex);
            m_client = nullptr;
            if (m_stop) return;
        }
        if ((!opened || !res) && m_cb.on_lost)
            m_cb.on_lost(refused_status != 0 ? "event stream answered " + std::to_string(refused_status)
                         : res               ? "event stream ended"
                                             : "hub unreachable: " + httplib::to_string(res.error()));
        std::unique_lock lock(m_mutex);
        m_cv.wait_for(lock, m_opt.reconnect_delay, [&] { return m_stop; });
        if (m_stop) return;
    }
}

}  // namespace hcp::api
