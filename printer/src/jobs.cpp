// Job manager: persisted jobs, one worker, DLE EOT status before and after each job.
#include "hcp/printer/jobs.hpp"

#include <cstdio>
#include <fstream>
#include <sstream>

namespace hcp::printer {

std::string_view to_string(JobState s) noexcept {
    switch (s) {
        case JobState::queued: return "queued";
        case JobState::sending: return "sending";
        case JobState::sent: return "sent";
        case JobState::confirmed: return "confirmed";
        case JobState::failed: return "failed";
    }
    return "?";
}

std::string_view to_string(PrinterCondition c) noexcept {
    switch (c) {
        case PrinterCondition::ready: return "ready";
        case PrinterCondition::paper_near_end: return "paper_near_end";
        case PrinterCondition::paper_out: return "paper_out";
        case PrinterCondition::cover_open: return "cover_open";
        case PrinterCondition::offline: return "offline";
        case PrinterCondition::no_answer: return "no_answer";
        case PrinterCondition::unknown: return "unknown";
    }
    return "?";
}

std::string_view message_zh(PrinterCondition c) noexcept {
    switch (c) {
        case PrinterCondition::ready: return "打印机就绪。";
        case PrinterCondition::paper_near_end: return "打印纸快用完了，请尽快更换纸卷。";
        case PrinterCondition::paper_out: return "打印机缺纸：请装入新纸卷，合上盖子后重新打印。";
        case PrinterCondition::cover_open: return "打印机盖子没有合好：请合上盖子后重新打印。";
        case PrinterCondition::offline: return "打印机处于离线或故障状态：请检查指示灯，必要时关机重开后重新打印。";
        case PrinterCondition::no_answer: return "打印机没有应答：请检查电源和连接线，然后重新打印。";
        case PrinterCondition::unknown: return "打印机返回了无法识别的状态：请关机重开后重新打印。";
    }
    return "打印机状态未知。";
}

PrinterCondition condition_from_status(std::uint8_t printer, std::uint8_t cause, std::uint8_t paper) {
    // Each reply has bits 1 and 4 set and bits 0 and 7 clear (Epson DLE EOT).
    auto valid = [](std::uint8_t b) { return (b & 0x93U) == 0x12U; };
    if (!valid(printer) || !valid(cause) || !valid(paper)) return PrinterCondition::unknown;
    if ((paper & 0x60U) != 0 || (cause & 0x20U) != 0) return PrinterCondition::paper_out;
    if ((cause & 0x04U) != 0) return PrinterCondition::cover_open;
    if ((printer & 0x08U) != 0 || (cause & 0x40U) != 0) return PrinterCondition::offline;
    if ((paper & 0x0CU) != 0) return PrinterCondition::paper_near_end;
    return PrinterCondition::ready;
}

PrinterCondition query_status(Transport& t, Millis timeout, Millis first_answer) {
    // Drop stale replies from an earlier exchange.
    for (int i = 0; i < 8; ++i) {
        auto stale = t.read(64, Millis(0));
        if (!stale || stale.value().empty()) break;
    }
    std::uint8_t replies[3] = {0, 0, 0};
    const std::uint8_t ns[3] = {1, 2, 4};
    for (int k = 0; k < 3; ++k) {
        const std::uint8_t q[3] = {0x10, 0x04, ns[k]};
        const Millis wait = k == 0 ? first_answer : timeout;
        if (!t.write(q, 3, wait)) return PrinterCondition::no_answer;
        auto r = t.read(1, wait);
        if (!r || r.value().empty()) return PrinterCondition::no_answer;
        replies[k] = r.value()[0];
    }
    return condition_from_status(replies[0], replies[1], replies[2]);
}

namespace {

std::string one_line(std::string s) {
    for (char& c : s)
        if (c == '\n' || c == '\r') c = ' ';
    return s;
}

std::string reason_for(const TransportError& e) {
    switch (e.fault) {
        case TransportFault::unreachable: return "连接不上打印机：请检查打印机电源、网线或USB线，然后重新打印。";
        case TransportFault::connect_timeout:
            return "打印机没有响应连接：请确认打印机已开机、网线已插好、打印机地址设置正确，然后重新打印。";
        case TransportFault::timeout: return "打印机长时间不接收数据（可能缺纸、卡纸或离线）：请检查打印机后重新打印。";
        case TransportFault::disconnected: return "打印中途连接断开：请检查连接线和打印机电源，然后重新打印。";
        case TransportFault::io_error: return "发送打印数据出错：请检查打印机后重新打印。";
        case TransportFault::not_supported: return "该连接方式不支持此操作。";
    }
    return "打印失败：请检查打印机后重新打印。";
}

// The bytes the printer did not take are part of what staff need to know: the paper may hold half
// a receipt.
std::string reason_for_drain(const TransportError& e, size_t job_bytes) {
    const std::string counts =
        "（共 " + std::to_string(job_bytes) + " 字节，还有 " + std::to_string(e.not_taken) + " 字节没有送到打印机）";
    switch (e.fault) {
        case TransportFault::timeout:
            return "打印机没有收下全部打印数据" + counts +
                   "：单据可能没有打印或不完整。请检查打印机电源、纸张和指示灯，然后重新打印。";
        case TransportFault::disconnected:
            return "打印中途连接断开" + counts + "：单据可能不完整。请检查打印机电源和网线，然后重新打印。";
        default: return reason_for(e);
    }
}

constexpr const char* kResyncFile = "resync-needed";

}  // namespace

Millis end_of_job_wait(size_t job_bytes, std::optional<int> link_bytes_per_second, const JobOptions& options) {
    int rate = std::max(options.slowest_printer_bytes_per_second, 1);
    if (link_bytes_per_second && *link_bytes_per_second > 0) rate = std::min(rate, *link_bytes_per_second);
    return options.status_timeout + Millis(static_cast<long long>(job_bytes) * 1000 / rate);
}

JobManager::JobManager(std::filesystem::path dir, Profile profile, TransportFactory factory, JobOptions options)
    : m_dir(std::move(dir)), m_profile(std::move(profile)), m_factory(std::move(factory)), m_options(options) {
    std::filesystem::create_directories(m_dir);
    for (const auto& entry : std::filesystem::directory_iterator(m_dir)) {
        if (entry.path().extension() != ".job") continue;
        std::ifstream f(entry.path());
        Job j;
        j.id = entry.path().stem().string();
        std::string line;
        while (std::getline(f, line)) {
            const auto eq = line.find('=');
            if (eq == std::string::npos) continue;
            const std::string k = line.substr(0, eq), v = line.substr(eq + 1);
            if (k == "state") {
                for (JobState s :
                     {JobState::queued, JobState::sending, JobState::sent, JobState::confirmed, JobState::failed})
                    if (v == to_string(s)) j.state = s;
            } else if (k == "label")
                j.label = v;
            else if (k == "reason")
                j.reason = v;
            else if (k == "attempts")
                j.attempts = std::atoi(v.c_str());
        }
        j.finished = true;
        if (j.state == JobState::queued || j.state == JobState::sending) {
            // Never resend automatically after a restart: a late duplicate ticket is worse.
            j.state = JobState::failed;
            j.reason = "程序重启时这张单据尚未打印完成：如仍需要，请点击重新打印。";
            persist(j);
            need_resync(true);
        }
        const auto n = std::strtoull(j.id.c_str(), nullptr, 10);
        m_next = std::max<std::uint64_t>(m_next, n + 1);
        m_jobs.emplace(j.id, j);
    }
    // A job aborted by an earlier process on this folder left the printer mid-command.
    if (std::filesystem::exists(m_dir / kResyncFile)) m_needs_reset = true;
    m_worker = std::thread([this] { run(); });
}

JobManager::~JobManager() {
    {
        std::lock_guard lock(m_mutex);
        m_stop = true;
    }
    m_changed.notify_all();
    if (m_worker.joinable()) m_worker.join();
}

void JobManager::persist(const Job& j) const {
    const auto file = m_dir / (j.id + ".job");
    const auto tmp = m_dir / (j.id + ".job.tmp");
    {
        std::ofstream f(tmp, std::ios::trunc);
        f << "state=" << to_string(j.state) << "\nlabel=" << one_line(j.label) << "\nreason=" << one_line(j.reason)
          << "\nattempts=" << j.attempts << '\n';
        f.flush();
    }
    std::filesystem::rename(tmp, file);
}

std::string JobManager::submit(std::vector<std::uint8_t> bytes, std::string label) {
    std::unique_lock lock(m_mutex);
    char id[32];
    std::snprintf(id, sizeof id, "%08llu", static_cast<unsigned long long>(m_next++));
    {
        std::ofstream f(m_dir / (std::string(id) + ".bin"), std::ios::binary | std::ios::trunc);
        f.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
        if (!f) throw Error(Errc::io_failure, "printer job: cannot write " + (m_dir / id).string());
    }
    Job j{id, one_line(std::move(label)), JobState::queued, {}, 0, false};
    persist(j);
    m_jobs[id] = j;
    m_queue.push_back(id);
    lock.unlock();
    m_changed.notify_all();
    return id;
}

std::string JobManager::reprint(const std::string& id) {
    std::string label;
    {
        std::lock_guard lock(m_mutex);
        const auto it = m_jobs.find(id);
        if (it == m_jobs.end()) throw Error(Errc::invalid_argument, "printer job " + id + " not found");
        label = it->second.label;
    }
    std::ifstream f(m_dir / (id + ".bin"), std::ios::binary);
    std::vector<std::uint8_t> bytes((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    if (bytes.empty()) throw Error(Errc::io_failure, "printer job " + id + ": its bytes are missing");
    return submit(std::move(bytes), label + " (重打)");
}

std::optional<Job> JobManager::job(const std::string& id) const {
    std::lock_guard lock(m_mutex);
    const auto it = m_jobs.find(id);
    if (it == m_jobs.end()) return std::nullopt;
    return it->second;
}

std::vector<Job> JobManager::jobs() const {
    std::lock_guard lock(m_mutex);
    std::vector<Job> out;
    for (const auto& [id, j] : m_jobs) out.push_back(j);
    return out;
}

std::optional<Job> JobManager::wait(const std::string& id, Millis timeout) const {
    std::unique_lock lock(m_mutex);
    m_changed.wait_for(lock, timeout, [&] {
        const auto it = m_jobs.find(id);
        return it == m_jobs.end() || it->second.finished;
    });
    const auto it = m_jobs.find(id);
    if (it == m_jobs.end()) return std::nullopt;
    return it->second;
}

void JobManager::set_state(Job& job, JobState s, std::string reason) {
    std::lock_guard lock(m_mutex);
    job.state = s;
    if (!reason.empty()) job.reason = std::move(reason);
    if (s == JobState::confirmed || s == JobState::failed) job.finished = true;
    persist(job);
    m_jobs[job.id] = job;
    m_changed.notify_all();
}

void JobManager::log(const std::string& line) const {
    if (m_options.log)
        m_options.log(line);
    else
        std::fprintf(stderr, "hcp-printer: %s\n", line.c_str());
}

void JobManager::need_resync(bool needed) {
    m_needs_reset = needed;
    const auto marker = m_dir / kResyncFile;
    std::error_code ec;
    if (needed) {
        std::ofstream(marker, std::ios::trunc) << "the printer gets NUL padding and ESC @ before the next job\n";
    } else {
        std::filesystem::remove(marker, ec);
    }
}

void JobManager::run() {
    for (;;) {
        Job job;
        {
            std::unique_lock lock(m_mutex);
            m_changed.wait(lock, [&] { return m_stop || !m_queue.empty(); });
            if (m_stop) return;
            job = m_jobs[m_queue.front()];
            m_queue.pop_front();
        }
        process(job);
    }
}

void JobManager::process(Job& job) {
    job.attempts += 1;
    set_state(job, JobState::sending);
    std::ifstream f(m_dir / (job.id + ".bin"), std::ios::binary);
    const std::vector<std::uint8_t> bytes((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    auto t = m_factory();
    if (!t) return set_state(job, JobState::failed, "没有配置打印机：请在配置中设置打印机连接。");
    if (auto r = t->open(m_options.connect_timeout); !r) {
        log("job " + job.id + " failed: open " + t->describe() + ": " + std::string(to_string(r.error().fault)) + ": " +
            r.error().detail);
        return set_state(job, JobState::failed, reason_for(r.error()));
    }
    const bool can_ask = m_profile.status_dle_eot && t->bidirectional();

    auto abort = [&](const TransportError& e) {
        log("job " + job.id + " aborted on " + t->describe() + ": " + std::string(to_string(e.fault)) + ": " +
            e.detail + "; the printer will be reset before the next job");
        const std::string reason = reason_for(e);
        need_resync(true);
        t->close();
        set_state(job, JobState::failed, reason);
    };

    if (m_needs_reset) {
        // Resync after an aborted job: NULs complete any half-sent command's data, ESC @ resets.
        std::vector<std::uint8_t> pad(static_cast<size_t>(std::min(m_profile.buffer_bytes, 1024)), 0);
        pad.push_back(0x1B);
        pad.push_back('@');
        if (auto r = t->write(pad.data(), pad.size(), m_options.write_timeout); !r) return abort(r.error());
        need_resync(false);
    }
    std::string warning;
    if (can_ask) {
        const auto c = query_status(*t, m_options.status_timeout);
        if (c == PrinterCondition::paper_near_end)
            warning = std::string(message_zh(c));
        else if (c != PrinterCondition::ready) {
            log("job " + job.id + " not sent: printer " + t->describe() + " reports " + std::string(to_string(c)));
            t->close();
            return set_state(job, JobState::failed, std::string(message_zh(c)));
        }
    }
    const size_t chunk = static_cast<size_t>(std::max(m_profile.buffer_bytes, 32));
    for (size_t off = 0; off < bytes.size(); off += chunk) {
        const size_t n = std::min(chunk, bytes.size() - off);
        if (auto r = t->write(bytes.data() + off, n, m_options.write_timeout); !r) return abort(r.error());
    }
    if (!can_ask) {
        // Written is not taken: the bytes may sit in the socket's send queue of a printer that
        // never reads, or be lost when it closes. Only a link that can tell is waited for.
        if (auto r = t->drain(m_options.write_timeout); !r) {
            log("job " + job.id + " not taken by " + t->describe() + ": " + std::string(to_string(r.error().fault)) +
                ": " + r.error().detail + "; the printer will be reset before the next job");
            need_resync(true);
            t->close();
            return set_state(job, JobState::failed, reason_for_drain(r.error(), bytes.size()));
        }
        if (auto r = t->end_job(m_options.write_timeout); !r) {
            log("job " + job.id + " failed: " + t->describe() + ": " + r.error().detail);
            return set_state(job, JobState::failed, reason_for(r.error()));
        }
        // A one-way link cannot confirm: "sent" is the final word.
        std::lock_guard lock(m_mutex);
        job.state = JobState::sent;
        job.reason = warning;
        job.finished = true;
        persist(job);
        m_jobs[job.id] = job;
        m_changed.notify_all();
        return;
    }
    set_state(job, JobState::sent, warning);
    // End-of-job round trip: the printer answers after it has taken everything before the query.
    const auto c = query_status(*t, m_options.status_timeout,
                                end_of_job_wait(bytes.size(), t->link_bytes_per_second(), m_options));
    t->end_job(m_options.write_timeout);
    if (c == PrinterCondition::ready || c == PrinterCondition::paper_near_end)
        return set_state(job, JobState::confirmed,
                         c == PrinterCondition::paper_near_end ? std::string(message_zh(c)) : warning);
    need_resync(true);
    log("job " + job.id + " sent but not confirmed: end-of-job status " + std::string(to_string(c)));
    set_state(job, JobState::failed, std::string(message_zh(c)));
}

}  // namespace hcp::printer
