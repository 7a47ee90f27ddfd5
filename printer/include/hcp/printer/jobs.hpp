#pragma once
// The job manager: one worker thread per printer, jobs persisted on disk so a reprint is always
// possible and a restart knows what happened.
//
//   queued → sending → sent → confirmed      (confirmed only after an end-of-job status round trip)
//                    ↘ failed (reason)        (paper out, offline, cover open, link errors)
//
// Before each job the printer's status is read with DLE EOT where the profile says it is
// supported; after an aborted job the printer is flushed (NUL padding) and reset (ESC @) before
// the next one, also when the next one comes from another process on the same jobs folder (the
// pending resync is a file there). On a link that cannot ask the printer, a job is `sent` only
// once the link says the printer took every byte (Transport::drain). Reasons are plain Chinese a
// person can act on.
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "hcp/printer/profile.hpp"
#include "hcp/printer/transport.hpp"

namespace hcp::printer {

enum class JobState { queued, sending, sent, confirmed, failed };
std::string_view to_string(JobState s) noexcept;

enum class PrinterCondition { ready, paper_near_end, paper_out, cover_open, offline, no_answer, unknown };
std::string_view to_string(PrinterCondition c) noexcept;
std::string_view message_zh(PrinterCondition c) noexcept;

// Interprets DLE EOT replies (n = 1, 2, 4; Epson layout). Returns unknown on malformed bytes.
PrinterCondition condition_from_status(std::uint8_t printer, std::uint8_t offline_cause, std::uint8_t paper);
// Asks the printer over a bidirectional transport. `first_answer` bounds the first query and its
// answer, which wait behind whatever the printer has not processed yet; the others get `timeout`.
PrinterCondition query_status(Transport& t, Millis timeout, Millis first_answer);
inline PrinterCondition query_status(Transport& t, Millis timeout) {
    return query_status(t, timeout, timeout);
}

struct Job {
    std::string id;
    std::string label;  // e.g. "ticket A012"
    JobState state = JobState::queued;
    std::string reason;  // set when failed (Chinese), or a warning such as paper near end
    int attempts = 0;
    bool finished = false;  // no further state change will come (confirmed, failed, or sent on a one-way link)
};

struct JobOptions {
    Millis connect_timeout{3000};
    Millis write_timeout{5000};
    Millis status_timeout{1500};
    // One English line per state change that matters (failures with the transport's detail,
    // warnings). Empty: written to stderr as "hcp-printer: …".
    std::function<void(const std::string&)> log;
    // The slowest pace at which a working printer takes a job (it prints while it reads): a
    // full-width raster line of 80 mm paper is 72 bytes, a slow 50 mm/s printer draws 400 lines a
    // second, so 2 000 B/s leaves a wide margin. Sets how long the end-of-job status may take.
    int slowest_printer_bytes_per_second = 2000;
};

// How long the end-of-job status answer may take for a job of `job_bytes`: `status_timeout`
// plus the time the printer (or a slower link, e.g. serial at 9600 baud = 960 B/s) needs to take
// the bytes ahead of the query.
Millis end_of_job_wait(size_t job_bytes, std::optional<int> link_bytes_per_second, const JobOptions& options);

class JobManager {
public:
    using TransportFactory = std::function<std::unique_ptr<Transport>()>;
    // Loads persisted jobs from `dir` (jobs left in queued/sending from a crash are marked
    // failed with a reprint hint — never sent twice automatically) and starts the worker.
    JobManager(std::filesystem::path dir, Profile profile, TransportFactory factory, JobOptions options = {});
    ~JobManager();  // stops the worker after the current job
    JobManager(const JobManager&) = delete;
    JobManager& operator=(const JobManager&) = delete;

    std::string submit(std::vector<std::uint8_t> bytes, std::string label);
    std::string reprint(const std::string& id);  // a new job with the same bytes
    std::optional<Job> job(const std::string& id) const;
    std::vector<Job> jobs() const;
    // Waits until the job is confirmed, sent (on links that cannot confirm) or failed.
    std::optional<Job> wait(const std::string& id, Millis timeout) const;

private:
    void run();
    void process(Job& job);
    void persist(const Job& job) const;
    void set_state(Job& job, JobState s, std::string reason = {});
    void log(const std::string& line) const;
    void need_resync(bool needed);

    std::filesystem::path m_dir;
    Profile m_profile;
    TransportFactory m_factory;
    JobOptions m_options;
    mutable std::mutex m_mutex;
    mutable std::condition_variable m_changed;
    std::map<std::string, Job> m_jobs;
    std::deque<std::string> m_queue;
    std::uint64_t m_next = 1;
    bool m_stop = false;
    bool m_needs_reset = false;
    std::thread m_worker;
};

}  // namespace hcp::printer
