#include "ticket/ticket_printer.hpp"

#include <iostream>

#include "hcp/base/crypto.hpp"
#include "hcp/base/time.hpp"
#include "hcp/printer/encoder.hpp"
#include "hcp/printer/jobs.hpp"
#include "hcp/printer/profile.hpp"
#include "hcp/printer/templates.hpp"
#include "hcp/printer/transport.hpp"
#include "hcp/token/token.hpp"

namespace hcp::ui {

TicketPrinter::TicketPrinter(const hcp::Config& config, std::optional<std::filesystem::path> jobs_dir)
    : m_config(config), m_configured(config.printer.has_value()) {
    try {
        const auto& rq = config.receipt_qr;
        m_key = std::make_unique<hcp::token::HallKey>(config.hall.code, hcp::SecretKey::load_file(rq.key_file));
    } catch (const std::exception& e) {
        std::cerr << "hcp-kiosk: tickets carry no QR: " << e.what() << '\n';
    }
    if (!m_configured) return;
    const hcp::PrinterConfig& pc = *config.printer;
    try {
        const auto profile = pc.profile.ends_with(".toml")
                                 ? hcp::printer::load_profile(std::filesystem::path(pc.profile))
                                 : hcp::printer::load_profile(config.paths.assets / "printers", pc.profile);
        m_encoder = std::make_unique<hcp::printer::Encoder>(profile);
        const auto dir = jobs_dir.value_or(pc.jobs_dir);
        std::filesystem::create_directories(dir);
        hcp::printer::JobOptions o;
        o.connect_timeout = std::chrono::milliseconds(3000);
        o.log = [](const std::string& line) { std::cerr << "hcp-printer: " << line << '\n'; };
        const hcp::TransportSpec spec = pc.transport;
        m_jobs = std::make_unique<hcp::printer::JobManager>(
            dir, profile, [spec] { return hcp::printer::make_transport(spec); }, o);
    } catch (const std::exception& e) {
        m_setup_error = e.what();
        std::cerr << "hcp-kiosk: the ticket printer cannot start: " << e.what() << '\n';
    }
}

TicketPrinter::~TicketPrinter() = default;

std::string TicketPrinter::qr_url(const hcp::IssuedTicket& t) const {
    if (!m_key) return {};
    try {
        std::string day = t.ticket.business_day;  // YYYY-MM-DD
        std::erase(day, '-');
        const auto expires =
            std::chrono::duration_cast<std::chrono::seconds>(
                (t.ticket.issued_at + std::chrono::hours(24) * m_config.receipt_qr.valid_days).time_since_epoch())
                .count();
        const std::string token =
            hcp::token::issue(*m_key, {m_config.hall.code, day + t.ticket.number, hcp::token::Stage::ticket, expires});
        return hcp::token::make_url(m_config.receipt_qr.url_prefix, token);
    } catch (const std::exception& e) {
        std::cerr << "hcp-kiosk: ticket QR not made: " << e.what() << '\n';
        return {};
    }
}

PrintOutcome TicketPrinter::print(const hcp::IssuedTicket& t, const std::string& qr_url,
                                  std::chrono::milliseconds timeout) {
    PrintOutcome out;
    auto remember = [&](const std::string& s) {
        std::lock_guard lock(m_mutex);
        m_last = t.ticket.number + "：" + s;
    };
    if (!m_configured) {
        out.reason_zh = "no printer";  // the screen says it in the citizen's language
        return out;
    }
    if (!m_jobs) {
        out.reason_zh = "打印机设置有误，请联系工作人员";
        remember(out.reason_zh);
        return out;
    }
    try {
        hcp::printer::TicketData d;
        d.hall_name = m_config.hall.name;
        d.ticket_number = t.ticket.number;
        d.category_name = t.category_name;
        d.people_ahead = t.estimate.people_ahead;
        // Whole minutes rounded up (a 30 s wait is "约 1 分钟", not 0); no wait: no line.
        const auto eta = std::chrono::ceil<std::chrono::minutes>(t.estimate.wait).count();
        d.eta_minutes = eta > 0 ? static_cast<int>(eta) : -1;
        d.time_text = hcp::format_china_minute(t.ticket.issued_at);
        d.qr_url = qr_url;
        if (!qr_url.empty())
            d.short_code = hcp::token::short_code(qr_url.substr(m_config.receipt_qr.url_prefix.size()));
        const auto doc = hcp::printer::ticket_document(d, m_encoder->profile());
        const auto id = m_jobs->submit(m_encoder->encode(doc), "ticket " + t.ticket.number);
        const auto job = m_jobs->wait(id, timeout);
        if (!job || !job->finished) {
            out.reason_zh = "打印机没有响应";
        } else if (job->state == hcp::printer::JobState::failed) {
            out.reason_zh = job->reason.empty() ? std::string("打印失败") : job->reason;
        } else {
            out.printed = true;
        }
    } catch (const std::exception& e) {
        std::cerr << "hcp-kiosk: ticket " << t.ticket.number << " not printed: " << e.what() << '\n';
        out.reason_zh = "打印失败";
    }
    remember(out.printed ? std::string("已打印") : out.reason_zh);
    return out;
}

std::string TicketPrinter::status_zh() const {
    if (!m_configured) return "未配置打印机（[printer]）";
    std::string s = m_config.printer->transport_text + "（" + m_config.printer->profile + "）";
    if (!m_setup_error.empty()) return s + "：设置有误：" + m_setup_error;
    std::lock_guard lock(m_mutex);
    return s + "；上次打印：" + (m_last.empty() ? std::string("尚无") : m_last);
}

}  // namespace hcp::ui
