// The 办件回执 on the window printers of the hub (receipt_printers.hpp).
#include "hcp/hub_server/receipt_printers.hpp"

#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

#include "hcp/base/time.hpp"
#include "hcp/printer/encoder.hpp"
#include "hcp/printer/jobs.hpp"
#include "hcp/printer/profile.hpp"
#include "hcp/printer/templates.hpp"
#include "hcp/printer/transport.hpp"

namespace hcp {

std::string_view to_string(ReceiptPrintErrc e) noexcept {
    switch (e) {
        case ReceiptPrintErrc::no_printer: return "no_printer";
        case ReceiptPrintErrc::setup: return "printer_setup";
        case ReceiptPrintErrc::layout: return "receipt_layout";
    }
    return "unknown";
}

struct ReceiptPrinters::WindowPrinter {
    struct Pending {
        std::string job_id;
        std::string case_no;
    };

    int window = 0;
    std::string described;
    std::string setup_error;  // English; non-empty: this printer cannot print
    std::unique_ptr<printer::Encoder> encoder;
    std::unique_ptr<printer::JobManager> jobs;

    std::mutex mutex;
    std::condition_variable wake;
    std::deque<Pending> pending;
    bool stopping = false;
    std::thread watcher;  // started last, joined first
};

ReceiptPrinters::ReceiptPrinters(const Config& config, OnDone on_done, std::function<void(const std::string&)> log,
                                 std::chrono::milliseconds job_timeout)
    : m_on_done(std::move(on_done)), m_log(std::move(log)), m_job_timeout(job_timeout) {
    for (const auto& wp : config.receipt_printers) {
        if (m_windows.count(wp.window) != 0) {  // a parsed configuration never has this
            m_log("receipt printer of window " + std::to_string(wp.window) + " is configured twice; the first is used");
            continue;
        }
        auto p = std::make_unique<WindowPrinter>();
        p->window = wp.window;
        p->described = wp.printer.transport_text + "（" + wp.printer.profile + "）";
        try {
            const auto profile = wp.printer.profile.ends_with(".toml")
                                     ? printer::load_profile(std::filesystem::path(wp.printer.profile))
                                     : printer::load_profile(config.paths.assets / "printers", wp.printer.profile);
            p->encoder = std::make_unique<printer::Encoder>(profile);
            std::filesystem::create_directories(wp.printer.jobs_dir);
            printer::JobOptions o;
            const int w = wp.window;
            o.log = [this, w](const std::string& line) {
                m_log("receipt printer of window " + std::to_string(w) + ": " + line);
            };
            const TransportSpec spec = wp.printer.transport;
            p->jobs = std::make_unique<printer::JobManager>(
                wp.printer.jobs_dir, profile, [spec] { return printer::make_transport(spec); }, o);
        } catch (const std::exception& e) {
            p->setup_error = e.what();
            m_log("receipt printer of window " + std::to_string(wp.window) + " cannot start: " + e.what());
        }
        if (p->jobs) {
            // The watcher reports each job's end in submission order (one printer prints one job
            // at a time, so the order is the order of completion too). It waits in short slices
            // so that shutting down never waits for a slow printer.
            WindowPrinter* raw = p.get();
            raw->watcher = std::thread([this, raw] {
                std::unique_lock lock(raw->mutex);
                for (;;) {
                    raw->wake.wait(lock, [raw] { return raw->stopping || !raw->pending.empty(); });
                    if (raw->stopping) return;
                    const WindowPrinter::Pending next = raw->pending.front();
                    raw->pending.pop_front();
                    lock.unlock();
                    ReceiptJobOutcome out{raw->window, next.case_no, next.job_id, false, {}};
                    const auto deadline = std::chrono::steady_clock::now() + m_job_timeout;
                    std::optional<printer::Job> job;
                    bool stop = false;
                    while (!stop) {
                        job = raw->jobs->wait(next.job_id, std::chrono::milliseconds(250));
                        if ((job && job->finished) || std::chrono::steady_clock::now() >= deadline) break;
                        std::lock_guard check(raw->mutex);
                        stop = raw->stopping;
                    }
                    if (stop) return;
                    if (!job || !job->finished)
                        out.reason_zh =
                            "打印机长时间没有完成回执，是否打出未知。请先看打印机是否已打出（是否开机、缺纸、卡纸），没"
                            "有打出再重打回执。";
                    else if (job->state == printer::JobState::failed)
                        out.reason_zh =
                            job->reason.empty() ? std::string("回执打印失败，请查看打印机后重打。") : job->reason;
                    else
                        out.printed = true;
                    if (m_on_done) m_on_done(out);
                    lock.lock();
                }
            });
        }
        m_windows.emplace(wp.window, std::move(p));
    }
}

ReceiptPrinters::~ReceiptPrinters() {
    for (auto& [w, p] : m_windows) {
        {
            std::lock_guard lock(p->mutex);
            p->stopping = true;
        }
        p->wake.notify_all();
    }
    for (auto& [w, p] : m_windows)
        if (p->watcher.joinable()) p->watcher.join();
    // The JobManagers finish their current job and may log it: destroy them while m_log lives.
    m_windows.clear();
}

bool ReceiptPrinters::has(int window) const {
    return m_windows.count(window) != 0;
}

std::string ReceiptPrinters::describe(int window) const {
    auto it = m_windows.find(window);
    return it == m_windows.end() ? std::string() : it->second->described;
}

Result<std::string, ReceiptPrintFailure> ReceiptPrinters::print(int window, const Case& c, const std::string& hall_name,
                                                                const ReceiptExtras& extras) {
    auto it = m_windows.find(window);
    if (it == m_windows.end())
        return ReceiptPrintFailure{ReceiptPrintErrc::no_printer,
                                   std::to_string(window) +
                                       " 号窗口没有配置回执打印机，回执未打印。如需打印，请管理员在配置文件该窗口的 "
                                       "[[window]] 中设置 receipt_printer。",
                                   "window " + std::to_string(window) + " has no receipt_printer"};
    WindowPrinter& p = *it->second;
    if (!p.jobs)
        return ReceiptPrintFailure{
            ReceiptPrintErrc::setup,
            "本窗口回执打印机的设置有误（打印机型号或字体无法载入），回执未打印。请管理员运行 hcpctl check 查看原因。",
            p.setup_error};
    printer::ReceiptData d;
    d.hall_name = hall_name;
    d.case_no = c.case_no;
    d.item_name = c.item.name;
    d.window_name = extras.window_name;
    d.staff_name = c.staff.name;
    d.staff_number = c.staff.number;
    d.time_text = format_china_minute(extras.printed_at);
    d.stage_text = c.stage == Stage::accepted ? "受理" : "办结";
    d.qr_url = extras.qr_url;
    d.short_code = extras.short_code;
    if (!extras.qr_url.empty()) d.valid_until = format_date(china_date(extras.qr_expires_at));
    std::string id;
    try {
        const auto doc = printer::receipt_document(d, p.encoder->profile());
        id = p.jobs->submit(p.encoder->encode(doc), "receipt " + c.case_no);
    } catch (const std::exception& e) {
        return ReceiptPrintFailure{ReceiptPrintErrc::layout, "回执无法排版，未打印。请把办件编号告知管理员。",
                                   "receipt of case " + c.case_no + ": " + e.what()};
    }
    {
        std::lock_guard lock(p.mutex);
        p.pending.push_back({id, c.case_no});
    }
    p.wake.notify_all();
    return id;
}

}  // namespace hcp
