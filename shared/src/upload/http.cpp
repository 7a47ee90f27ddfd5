// The uploader: libcurl on its own thread (hcp/upload.hpp). libcurl stays in this file.
#include <curl/curl.h>

#include <atomic>
#include <iostream>
#include <mutex>

#include "hcp/upload/upload.hpp"

namespace hcp {

namespace {

struct CurlDeleter {
    void operator()(CURL* c) const noexcept { curl_easy_cleanup(c); }
};
struct SlistDeleter {
    void operator()(curl_slist* l) const noexcept { curl_slist_free_all(l); }
};
using CurlPtr = std::unique_ptr<CURL, CurlDeleter>;
using SlistPtr = std::unique_ptr<curl_slist, SlistDeleter>;

void curl_global() {
    static std::once_flag once;
    std::call_once(once, [] {
        if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
            throw Error(Errc::io_failure, "libcurl cannot initialise");
    });
}

struct Reply {
    std::string body;
    long long limit = 0;
    bool too_big = false;
    std::string content_type, retry_after, location;
    bool has_retry_after = false;
};

size_t on_body(char* data, size_t size, size_t n, void* user) {
    auto* r = static_cast<Reply*>(user);
    size_t bytes = size * n;
    if (static_cast<long long>(r->body.size() + bytes) > r->limit) {
        r->too_big = true;
        return 0;  // aborts the transfer with CURLE_WRITE_ERROR
    }
    r->body.append(data, bytes);
    return bytes;
}

std::string trim(std::string s) {
    while (!s.empty() && (s.back() == '\r' || s.back() == '\n' || s.back() == ' ')) s.pop_back();
    size_t i = 0;
    while (i < s.size() && s[i] == ' ') ++i;
    return s.substr(i);
}

size_t on_header(char* data, size_t size, size_t n, void* user) {
    auto* r = static_cast<Reply*>(user);
    std::string line(data, size * n);
    auto colon = line.find(':');
    if (colon != std::string::npos) {
        std::string name;
        for (size_t i = 0; i < colon; ++i) name += static_cast<char>(std::tolower(static_cast<unsigned char>(line[i])));
        std::string value = trim(line.substr(colon + 1));
        if (name == "content-type")
            r->content_type = value;
        else if (name == "retry-after") {
            r->retry_after = value;
            r->has_retry_after = true;
        } else if (name == "location")
            r->location = value;
    }
    return size * n;
}

int on_progress(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
    return static_cast<std::atomic<bool>*>(user)->load() ? 1 : 0;  // non-zero aborts
}

}  // namespace

struct Uploader::Impl {
    UploadConfig config;
    PlatformProfile profile;
    SecretKey secret;
    std::filesystem::path store_path;
    std::string hall_code;
    std::string url, path;
    std::function<TimePoint()> clock = [] { return hcp::now(); };
    std::function<void(const std::string&)> log = [](const std::string& line) {
        std::cerr << "upload: " << line << '\n';
    };

    std::mutex drain_mutex;  // one drain at a time; guards queue, curl, failures, not_before, samples
    std::optional<OutboxQueue> queue;
    CurlPtr curl;
    int failures = 0;
    // The backoff deadline runs on the steady clock: a wall-clock jump neither stalls nor skips it.
    std::optional<std::chrono::steady_clock::time_point> not_before;
    // The platform's answer to a batch whose rows could not be updated (the store failed, e.g. a
    // full disk): written before anything else on the next drain, so the rows do not wait out
    // their lease as "sent" once the store works again.
    struct Answer {
        std::vector<std::string> acked;
        std::vector<std::pair<std::string, std::string>> rejected;  // id, reason
    };
    std::optional<Answer> unrecorded;
    void record(OutboxQueue& outbox, TimePoint now) {
        for (const auto& [id, reason] : unrecorded->rejected) outbox.mark_rejected(id, reason, now);
        outbox.mark_acked(unrecorded->acked, now);
        unrecorded.reset();
    }
    // Wall and steady time at the end of the last drain: their drift apart is a clock jump.
    std::optional<std::pair<TimePoint, std::chrono::steady_clock::time_point>> last_sample;

    std::atomic<bool> stopping{false};
    std::mutex wake_mutex;
    std::condition_variable wake;
    bool notified = false;
    std::thread thread;
    mutable std::mutex report_mutex;
    DrainReport last;

    Impl(UploadConfig c, PlatformProfile p, SecretKey s, std::filesystem::path sp, std::string hall)
        : config(std::move(c)),
          profile(std::move(p)),
          secret(std::move(s)),
          store_path(std::move(sp)),
          hall_code(std::move(hall)) {
        url = config.base_url + "/v1/evaluations:batch";
        path = url_path(url);
    }

    // The furthest ahead this uploader ever schedules a row (backoff, Retry-After, lease). A
    // row due later than now + horizon was scheduled by a clock that has since gone back.
    std::chrono::milliseconds horizon() const {
        using namespace std::chrono;
        return std::max<milliseconds>(milliseconds{config.backoff_max_ms}, seconds{config.max_retry_after_seconds}) +
               seconds{config.timeout_seconds + config.connect_timeout_seconds + 60} + minutes{1};
    }

    OutboxQueue& q() {
        if (!queue) {
            queue = OutboxQueue::open(store_path);
            // Rows left "sent" by a previous run have an unknown fate: resend them now.
            const TimePoint now = clock();
            auto n = queue->requeue_in_flight(now);
            if (n > 0) log(std::to_string(n) + " ratings were in flight at the last stop; resending them");
            // Rows due beyond the horizon were scheduled before the clock went back (possibly
            // while the hub was off): due now instead of hours or days from now.
            auto m = queue->reschedule_due_after(now + horizon(), now);
            if (m > 0)
                log(std::to_string(m) + " ratings were scheduled beyond any backoff (the clock went back); due now");
        }
        return *queue;
    }

    // Wall-clock jumps between drains (NTP stepping a wrong clock, an admin setting the date)
    // show as wall time drifting from steady time. Rows scheduled by the old wall clock are then
    // made due now; the backoff itself is on the steady clock and stays in force.
    void notice_clock_jump(OutboxQueue& queue_ref) {
        const TimePoint wall = clock();
        const auto steady = std::chrono::steady_clock::now();
        if (last_sample) {
            auto drift = std::chrono::duration_cast<std::chrono::milliseconds>((wall - last_sample->first) -
                                                                               (steady - last_sample->second));
            if (drift > std::chrono::seconds{5} || drift < -std::chrono::seconds{5}) {
                auto n = queue_ref.reschedule_due_after(wall, wall);
                log("the system clock jumped " + std::string(drift.count() < 0 ? "back" : "forward") + " by " +
                    format_age(std::chrono::abs(drift)) + " (" + std::to_string(drift.count()) + " ms); " +
                    std::to_string(n) + " ratings rescheduled to now");
            }
        }
        last_sample.emplace(wall, steady);
    }

    AttemptResult post(const OutboxBatch& batch);
    DrainReport drain();
    void run();
};

AttemptResult Uploader::Impl::post(const OutboxBatch& batch) {
    curl_global();
    if (!curl) curl.reset(curl_easy_init());
    if (!curl)
        return AttemptResult{AttemptCause::transport_error, 0, std::nullopt, {}, "libcurl could not create a handle"};
    CURL* c = curl.get();
    curl_easy_reset(c);

    const std::string body = render_batch(profile, batch, hall_code);
    const auto now_s = std::chrono::duration_cast<std::chrono::seconds>(clock().time_since_epoch()).count();
    const std::string timestamp = std::to_string(now_s);
    std::string nonce = uuid_v4();
    nonce.erase(std::remove(nonce.begin(), nonce.end(), '-'), nonce.end());
    const std::string signature = sign_request(secret, "POST", path, timestamp, nonce, body);

    curl_slist* raw = nullptr;
    for (const std::string& h : {std::string("Content-Type: application/json"), std::string("Accept: application/json"),
                                 "X-Hcp-Device: " + batch.device_id, "X-Hcp-Timestamp: " + timestamp,
                                 "X-Hcp-Nonce: " + nonce, "X-Hcp-Signature: " + signature, std::string("Expect:")}) {
        curl_slist* next = curl_slist_append(raw, h.c_str());
        if (!next) {
            curl_slist_free_all(raw);
            return AttemptResult{AttemptCause::transport_error, 0, std::nullopt, {}, "out of memory building headers"};
        }
        raw = next;
    }
    SlistPtr headers(raw);

    Reply reply;
    reply.limit = config.max_reply_bytes;
    char errbuf[CURL_ERROR_SIZE] = {};
    curl_easy_setopt(c, CURLOPT_URL, url.c_str());
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_POST, 1L);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body.data());
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers.get());
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &reply);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, &reply);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);  // a redirect is a protocol error
    // One connection per request: on a reused connection that dies before the answer, libcurl
    // sends the same request again by itself — same timestamp, nonce and signature — which a
    // platform following §3 refuses as a replay. Each of our attempts is signed afresh instead.
    curl_easy_setopt(c, CURLOPT_FRESH_CONNECT, 1L);
    curl_easy_setopt(c, CURLOPT_FORBID_REUSE, 1L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(config.timeout_seconds) * 1000L);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(config.connect_timeout_seconds) * 1000L);
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
    if (!config.ca_bundle.empty()) curl_easy_setopt(c, CURLOPT_CAINFO, config.ca_bundle.c_str());
    if (!config.pinned_public_key.empty())
        curl_easy_setopt(c, CURLOPT_PINNEDPUBLICKEY, config.pinned_public_key.c_str());
    // Only the configured proxy: an empty string also ignores http_proxy from the environment.
    curl_easy_setopt(c, CURLOPT_PROXY, config.proxy.c_str());
    curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, on_progress);
    curl_easy_setopt(c, CURLOPT_XFERINFODATA, &stopping);

    CURLcode rc = curl_easy_perform(c);
    AttemptResult a;
    if (rc != CURLE_OK) {
        std::string detail = errbuf[0] ? errbuf : curl_easy_strerror(rc);
        if (reply.too_big) {
            a.cause = AttemptCause::protocol_error;
            a.message = "reply larger than " + std::to_string(config.max_reply_bytes) + " bytes refused";
        } else if (rc == CURLE_OPERATION_TIMEDOUT) {
            a.cause = AttemptCause::timeout;
            a.message = "no answer within the timeout (outcome unknown; the batch is resent): " + detail;
        } else if (rc == CURLE_ABORTED_BY_CALLBACK) {
            a.cause = AttemptCause::transport_error;
            a.message = "stopped during the request (outcome unknown; resent at the next start)";
        } else if (rc == CURLE_PEER_FAILED_VERIFICATION || rc == CURLE_SSL_CONNECT_ERROR ||
                   rc == CURLE_SSL_PINNEDPUBKEYNOTMATCH || rc == CURLE_SSL_CACERT_BADFILE ||
                   rc == CURLE_SSL_CERTPROBLEM) {
            a.cause = AttemptCause::transport_error;
            a.message = "TLS failure (certificate, pin or CA bundle): " + detail;
        } else if (rc == CURLE_GOT_NOTHING) {
            a.cause = AttemptCause::transport_error;
            a.message =
                "the platform closed the connection without answering (outcome unknown; the batch is "
                "resent with a new signature): " +
                detail;
        } else if (rc == CURLE_SEND_ERROR || rc == CURLE_RECV_ERROR || rc == CURLE_PARTIAL_FILE) {
            a.cause = AttemptCause::transport_error;
            a.message =
                "the connection broke during the request (outcome unknown; the batch is resent with a new "
                "signature): " +
                detail;
        } else if (rc == CURLE_COULDNT_CONNECT || rc == CURLE_COULDNT_RESOLVE_HOST ||
                   rc == CURLE_COULDNT_RESOLVE_PROXY) {
            a.cause = AttemptCause::transport_error;
            a.message = "cannot reach the platform (nothing was sent): " + detail;
        } else {
            a.cause = AttemptCause::transport_error;
            a.message = "transport failure: " + detail;
        }
        return a;
    }
    long status = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    std::vector<std::string> ids;
    ids.reserve(batch.ratings.size());
    for (const auto& r : batch.ratings) ids.push_back(r.id);
    return classify_reply(status, reply.content_type, reply.body,
                          reply.has_retry_after ? std::optional<std::string_view>(reply.retry_after) : std::nullopt,
                          ids, reply.location, clock());
}

DrainReport Uploader::Impl::drain() {
    std::lock_guard<std::mutex> guard(drain_mutex);
    DrainReport report;
    OutboxQueue& queue_ref = q();
    notice_clock_jump(queue_ref);
    if (unrecorded) record(queue_ref, clock());
    while (!stopping.load()) {
        TimePoint now = clock();
        if (not_before && std::chrono::steady_clock::now() < *not_before) {
            report.next_attempt_at = now + std::chrono::duration_cast<std::chrono::milliseconds>(
                                               *not_before - std::chrono::steady_clock::now());
            break;
        }
        // The lease outlives the request: a crash mid-request leaves the rows due again later
        // (and at the next start, requeue_in_flight makes them due at once).
        auto lease = now + std::chrono::seconds{config.timeout_seconds + config.connect_timeout_seconds + 60};
        OutboxBatch batch = queue_ref.claim(config.batch_size, now, lease);
        if (batch.ratings.empty()) break;
        ++report.requests;
        AttemptResult a = post(batch);
        now = clock();
        std::vector<std::string> unanswered;
        if (a.ok()) {
            std::set<std::string> answered;
            Answer answer;
            for (const auto& r : a.results) {
                answered.insert(r.id);
                if (r.status == ItemStatus::rejected) {
                    answer.rejected.emplace_back(r.id, r.reason);
                    ++report.rejected;
                    log("rating " + r.id + " rejected by the platform: " + r.reason);
                } else {
                    answer.acked.push_back(r.id);
                    ++(r.status == ItemStatus::accepted ? report.accepted : report.duplicates);
                }
            }
            unrecorded = std::move(answer);
            record(queue_ref, now);
            for (const auto& r : batch.ratings)
                if (!answered.count(r.id)) unanswered.push_back(r.id);
            if (unanswered.empty()) {
                failures = 0;
                not_before.reset();
                queue_ref.note_success(now);
                continue;
            }
            a.cause = AttemptCause::protocol_error;
            a.message = "the reply did not answer " + std::to_string(unanswered.size()) + " of " +
                        std::to_string(batch.ratings.size()) + " ratings";
        } else {
            for (const auto& r : batch.ratings) unanswered.push_back(r.id);
        }
        ++failures;
        auto delay = backoff_delay(failures, config.backoff_base_ms, config.backoff_max_ms);
        if (a.retry_after) {
            auto cap = std::chrono::milliseconds{std::chrono::seconds{config.max_retry_after_seconds}};
            delay = std::max(delay, std::min(*a.retry_after, cap));
        }
        not_before = std::chrono::steady_clock::now() + delay;
        queue_ref.mark_retry(unanswered, a.message, now + delay);
        queue_ref.note_error(a.message, now);
        report.retried += static_cast<long long>(unanswered.size());
        report.stopped_on_error = true;
        report.last_error = a.message;
        report.next_attempt_at = now + delay;
        log(a.message + "; " + std::to_string(unanswered.size()) + " ratings retried in " +
            std::to_string(delay.count()) + " ms");
        break;
    }
    last_sample.emplace(clock(), std::chrono::steady_clock::now());
    {
        std::lock_guard<std::mutex> lk(report_mutex);
        last = report;
    }
    return report;
}

void Uploader::Impl::run() {
    while (!stopping.load()) {
        DrainReport report;
        try {
            report = drain();
        } catch (const std::exception& e) {
            // The store is busy or failing: keep the thread alive and try again later.
            log(std::string("store error: ") + e.what());
            report.next_attempt_at = clock() + std::chrono::seconds{5};
        }
        std::optional<TimePoint> due = report.next_attempt_at;
        if (!due) {
            std::lock_guard<std::mutex> guard(drain_mutex);
            try {
                due = q().next_due();
            } catch (const std::exception&) {
                due = clock() + std::chrono::seconds{5};
            }
        }
        auto wait = std::chrono::milliseconds{std::chrono::hours{1}};
        if (due)
            wait = std::clamp(std::chrono::duration_cast<std::chrono::milliseconds>(*due - clock()),
                              std::chrono::milliseconds{0}, wait);
        std::unique_lock<std::mutex> lk(wake_mutex);
        wake.wait_until(lk, std::chrono::steady_clock::now() + wait, [&] { return stopping.load() || notified; });
        notified = false;
    }
}

Uploader::Uploader(UploadConfig config, PlatformProfile profile, SecretKey hall_secret,
                   std::filesystem::path store_path, std::string hall_code)
    : m_impl(std::make_unique<Impl>(std::move(config), std::move(profile), std::move(hall_secret),
                                    std::move(store_path), std::move(hall_code))) {}

Uploader::~Uploader() {
    stop();
}

DrainReport Uploader::drain_once() {
    return m_impl->drain();
}

void Uploader::start() {
    if (m_impl->thread.joinable()) return;
    m_impl->stopping = false;
    m_impl->thread = std::thread([this] { m_impl->run(); });
}

void Uploader::stop() {
    {
        std::lock_guard<std::mutex> lk(m_impl->wake_mutex);
        m_impl->stopping = true;
    }
    m_impl->wake.notify_all();
    if (m_impl->thread.joinable()) m_impl->thread.join();
}

void Uploader::notify() {
    {
        std::lock_guard<std::mutex> lk(m_impl->wake_mutex);
        m_impl->notified = true;
    }
    m_impl->wake.notify_all();
}

DrainReport Uploader::last_report() const {
    std::lock_guard<std::mutex> lk(m_impl->report_mutex);
    return m_impl->last;
}

void Uploader::set_clock(std::function<TimePoint()> clock) {
    m_impl->clock = std::move(clock);
}
void Uploader::set_log(std::function<void(const std::string&)> sink) {
    m_impl->log = std::move(sink);
}

}  // namespace hcp
