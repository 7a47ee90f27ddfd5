#pragma once
// Internal: the client side of the hub's event stream (GET /api/v1/events, server-sent events),
// shared by the remote terminal (RemoteHubLink) and the remote queue screens (RemoteQueue).
//
// Contracts:
// - start() runs one reader thread: connect with the bearer token and Last-Event-ID (the last
//   id seen, so the hub replays what was missed), hand each event block to on_event, and after
//   the stream ends or fails wait reconnect_delay and connect again, until stop().
// - on_open runs each time the hub answers 200; on_lost when a connection attempt fails or is
//   refused, or an open stream breaks (hub gone, no keep-alive within read_timeout), with an
//   English reason for the log.
// - Callbacks run on the reader thread. stop() (and the destructor) interrupts a read in
//   progress and joins the thread; afterwards no callback runs. Restartable after stop().
#include <httplib.h>

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

namespace hcp::api {

struct SseEvent {
    long long id = -1;  // -1: the block had no id
    std::string type;   // "event:" (empty: the default "message")
    std::string data;   // "data:" lines joined
};

struct SseClientOptions {
    std::string hub_url;  // "http://192.168.1.10:8787"
    std::string token;    // bearer token
    std::string path;     // "/api/v1/events?window=3"
    std::chrono::milliseconds connect_timeout{3000};
    std::chrono::milliseconds read_timeout{45000};  // > the hub's keep-alive interval
    std::chrono::milliseconds reconnect_delay{1000};
    long long last_id = -1;  // resume after this id (a previous stream's last_id()); -1: new events only
    // Reconnect with Last-Event-ID (the hub replays what was missed). False: every connection
    // starts with new events only (a reader that re-reads a snapshot on connecting instead).
    bool resume = true;
};

struct SseCallbacks {
    std::function<void()> on_open;
    std::function<void(const SseEvent&)> on_event;
    std::function<void(const std::string& why)> on_lost;
};

// Splits one block ("id:", "event:", "data:" lines; ':' comments) into an event.
SseEvent parse_sse_block(std::string_view block);

class SseClient {
public:
    SseClient(SseClientOptions options, SseCallbacks callbacks);
    ~SseClient();  // stop()
    SseClient(const SseClient&) = delete;
    SseClient& operator=(const SseClient&) = delete;

    void start();  // no-op while running
    void stop();
    long long last_id() const;

private:
    void run();

    SseClientOptions m_opt;
    SseCallbacks m_cb;
    mutable std::mutex m_mutex;  // guards the fields below
    std::condition_variable m_cv;
    std::thread m_thread;
    bool m_stop = false;
    httplib::Client* m_client = nullptr;  // the connection being read, to interrupt it
    long long m_last_id = -1;
};

}  // namespace hcp::api
