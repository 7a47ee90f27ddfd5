// hcpctl print ticket|receipt|selftest — build a document, encode it for a printer profile and
// write the ESC/POS bytes to a file and/or a PNG preview (escpos2png).
#include <algorithm>
#include <chrono>
#include <fstream>
#include <iostream>

#include "cli.hpp"
#include "hcp/printer/encoder.hpp"
#include "hcp/printer/jobs.hpp"
#include "hcp/printer/settings.hpp"
#include "hcp/printer/render.hpp"
#include "hcp/printer/templates.hpp"
#include "hcp/base/time.hpp"
#include "hcp/token/token.hpp"

namespace hcpctl {

namespace {

const char* kPrintUsage =
    "hcpctl print status --printer TRANSPORT      ask the printer (DLE EOT) whether it can print\n"
    "hcpctl print jobs [--jobs DIR]               list persisted jobs and their states\n"
    "hcpctl print render IN.bin --png OUT.png [--profile ID]   escpos2png for captured bytes\n"
    "hcpctl print ticket|receipt|selftest [--config HALL.toml] [--profile ID|FILE.toml]\n"
    "    [--file OUT.bin] [--png OUT.png] [--printer TRANSPORT] [--jobs DIR]\n"
    "    [--module 4..8] [--key FILE --hall CODE] [--prefix URL_PREFIX] [--valid-days N]\n"
    "    TRANSPORT: file:PATH tcp:HOST[:PORT] device:/dev/usb/lp0 serial:/dev/ttyS0[@BAUD][,xonxoff] cups:QUEUE\n"
    "    ticket:  [--hall-name T] [--number A012] [--category T] [--ahead N] [--eta MIN]\n"
    "    receipt: [--hall-name T] [--case NO] [--item T] [--window T] [--staff T] [--staff-no T]";

int to_int(const std::string& s, const std::string& what) {
    try {
        size_t used = 0;
        const int v = std::stoi(s, &used);
        if (used != s.size()) throw std::invalid_argument(s);
        return v;
    } catch (const std::exception&) {
        throw UsageError(what + " must be an integer, got '" + s + "'");
    }
}

}  // namespace

int cmd_print(const std::vector<std::string>& argv) {
    Args args(argv,
              {"config", "printer", "jobs", "profile", "file", "png", "module", "key", "hall", "prefix", "valid-days", "hall-name", "number",
               "category", "ahead", "eta", "case", "item", "window", "staff", "staff-no"},
              {});
    if (args.positionals().empty()) throw UsageError(std::string("usage:\n") + kPrintUsage);
    const std::string kind = args.positionals()[0];
    if (kind != "render") args.expect_positionals(1, kPrintUsage);
    if (kind == "render") {
        if (args.positionals().size() != 2 || !args.option("png"))
            throw UsageError("usage: hcpctl print render IN.bin --png OUT.png [--profile ID|FILE.toml]");
        const std::string id = args.option("profile").value_or("generic-80");
        const auto prof = id.ends_with(".toml") ? hcp::printer::load_profile(std::filesystem::path(id))
                                                : hcp::printer::load_profile(assets_dir() / "printers", id);
        std::ifstream in(args.positionals()[1], std::ios::binary);
        if (!in) throw hcp::Error(hcp::Errc::io_failure, "cannot read " + args.positionals()[1]);
        const hcp::printer::Bytes bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        auto page = hcp::printer::render(bytes, prof);
        if (!page) {
            std::cout << "escpos2png: " << page.error().detail << " at byte " << page.error().offset << '\n';
            return kExitFindings;
        }
        hcp::printer::write_png(page.value(), *args.option("png"));
        std::cout << "rendered " << page.value().width << "x" << page.value().height << " dots\n";
        return kExitOk;
    }
    if (kind == "status" || kind == "jobs") {
        hcp::printer::PrinterSettings cfg;
        if (auto c = args.option("config")) cfg = hcp::printer::printer_settings(hcp::load_config(*c));
        if (kind == "jobs") {
            const std::filesystem::path dir = args.option("jobs").value_or(cfg.jobs_dir.string());
            if (!std::filesystem::is_directory(dir)) throw UsageError("no jobs directory " + dir.string());
            // Read the files directly: starting a JobManager here would mark interrupted jobs failed.
            std::vector<std::filesystem::path> files;
            for (const auto& e : std::filesystem::directory_iterator(dir))
                if (e.path().extension() == ".job") files.push_back(e.path());
            std::sort(files.begin(), files.end());
            for (const auto& file : files) {
                std::ifstream f(file);
                std::string line, state, label, reason;
                while (std::getline(f, line)) {
                    if (line.rfind("state=", 0) == 0) state = line.substr(6);
                    if (line.rfind("label=", 0) == 0) label = line.substr(6);
                    if (line.rfind("reason=", 0) == 0) reason = line.substr(7);
                }
                std::cout << file.stem().string() << ' ' << state << ' ' << label << (reason.empty() ? "" : "  " + reason)
                          << '\n';
            }
            return kExitOk;
        }
        const auto spec_text = args.option("printer") ? args.option("printer") : cfg.transport;
        if (!spec_text) throw UsageError("hcpctl print status needs --printer TRANSPORT (or transport in --config)");
        auto t = hcp::printer::make_transport(hcp::printer::parse_transport(*spec_text));
        if (auto r = t->open(std::chrono::milliseconds(3000)); !r) {
            std::cout << "unreachable " << r.error().detail << "\n连接不上打印机：请检查打印机电源、网线或USB线。\n";
            return kExitFindings;
        }
        if (!t->bidirectional()) {
            std::cout << "unknown " << *spec_text << " is one-way: status cannot be read\n";
            return kExitFindings;
        }
        const auto c = hcp::printer::query_status(*t, std::chrono::milliseconds(1500));
        t->close();
        std::cout << hcp::printer::to_string(c) << '\n' << hcp::printer::message_zh(c) << '\n';
        return (c == hcp::printer::PrinterCondition::ready || c == hcp::printer::PrinterCondition::paper_near_end)
                   ? kExitOk
                   : kExitFindings;
    }
    if (kind != "ticket" && kind != "receipt" && kind != "selftest") throw UsageError(std::string("usage:\n") + kPrintUsage);
    hcp::printer::PrinterSettings settings;
    const bool from_config = args.option("config").has_value();
    if (from_config) settings = hcp::printer::printer_settings(hcp::load_config(*args.option("config")));
    const auto printer_spec = args.option("printer") ? args.option("printer") : settings.transport;
    if (!args.option("file") && !args.option("png") && !printer_spec)
        throw UsageError("give --file OUT.bin, --png OUT.png or a printer (--printer or transport in --config)");

    const std::string profile_arg = args.option("profile").value_or(settings.profile);
    const auto profile = profile_arg.ends_with(".toml")
                             ? hcp::printer::load_profile(std::filesystem::path(profile_arg))
                             : hcp::printer::load_profile(assets_dir() / "printers", profile_arg);
    const int module = args.option("module") ? to_int(*args.option("module"), "--module") : 0;
    const std::string hall = args.option("hall").value_or(settings.hall_code.empty() ? "150102001" : settings.hall_code);
    const std::string prefix = args.option("prefix").value_or(settings.qr_url_prefix);
    const int valid_days =
        args.option("valid-days") ? to_int(*args.option("valid-days"), "--valid-days") : settings.qr_valid_days;
    if (valid_days < 1 || valid_days > 3650) throw UsageError("--valid-days must be 1..3650");
    std::optional<std::string> key_file = args.option("key");
    if (!key_file && from_config && settings.token_key_file) {
        key_file = settings.token_key_file->string();
        if (!std::filesystem::exists(*key_file))
            throw hcp::Error(hcp::Errc::key_invalid, "the QR token key " + *key_file +
                                                         " ([receipt_qr].key_file) does not exist; create it with: "
                                                         "hcpctl key create " + *key_file);
    }

    // Without --key the QR is signed with a throw-away key: fine for a preview, useless in a hall.
    const bool demo_key = !key_file;
    const hcp::token::HallKey key(hall, demo_key ? hcp::SecretKey::random() : hcp::SecretKey::load_file(*key_file));
    if (demo_key && kind != "selftest")
        std::cerr << "注意：未指定 --key，二维码使用临时密钥签名，仅供预览，不能用于大厅。\n";
    const auto now = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
    const std::int64_t expires = now + std::int64_t{valid_days} * 86400;
    char valid_until[32];
    {
        const std::time_t t = static_cast<std::time_t>(expires + 8 * 3600);
        std::tm tm{};
        gmtime_r(&t, &tm);
        std::strftime(valid_until, sizeof valid_until, "%Y-%m-%d", &tm);
    }

    std::optional<hcp::printer::Document> doc;
    if (kind == "selftest") {
        doc = hcp::printer::selftest_document(profile);
    } else if (kind == "ticket") {
        hcp::printer::TicketData d;
        d.hall_name = args.option("hall-name").value_or("示例市政务服务中心");
        d.ticket_number = args.option("number").value_or("A012");
        d.category_name = args.option("category").value_or("社保医保");
        d.people_ahead = to_int(args.option("ahead").value_or("5"), "--ahead");
        d.eta_minutes = to_int(args.option("eta").value_or("15"), "--eta");
        d.time_text = hcp::format_china_minute(hcp::now());
        const std::string date = d.time_text.substr(0, 4) + d.time_text.substr(5, 2) + d.time_text.substr(8, 2);
        const std::string token = hcp::token::issue(key, {hall, date + d.ticket_number, hcp::token::Stage::ticket, expires});
        d.qr_url = hcp::token::make_url(prefix, token);
        d.short_code = hcp::token::short_code(token);
        doc = hcp::printer::ticket_document(d, profile, module);
    } else {
        hcp::printer::ReceiptData d;
        d.hall_name = args.option("hall-name").value_or("示例市政务服务中心");
        d.case_no = args.option("case").value_or("20261122000123456789");
        d.item_name = args.option("item").value_or("城乡居民基本养老保险参保登记");
        d.window_name = args.option("window").value_or("8号窗口");
        d.staff_name = args.option("staff").value_or("王堃");
        d.staff_number = args.option("staff-no").value_or("0815");
        d.time_text = hcp::format_china_minute(hcp::now());
        d.valid_until = valid_until;
        const std::string token = hcp::token::issue(key, {hall, d.case_no, hcp::token::Stage::completed, expires});
        d.qr_url = hcp::token::make_url(prefix, token);
        d.short_code = hcp::token::short_code(token);
        doc = hcp::printer::receipt_document(d, profile, module);
    }

    const hcp::printer::Encoder encoder(profile);
    hcp::printer::EncodeStats stats;
    const auto bytes = encoder.encode(*doc, &stats);
    if (auto file = args.option("file")) {
        std::ofstream f(*file, std::ios::binary | std::ios::trunc);
        f.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
        if (!f) throw hcp::Error(hcp::Errc::io_failure, "cannot write " + *file);
    }
    if (auto png = args.option("png")) {
        auto page = hcp::printer::render(bytes, profile);
        if (!page) {
            std::cerr << "escpos2png: " << page.error().detail << " at byte " << page.error().offset << '\n';
            return kExitFailed;
        }
        hcp::printer::write_png(page.value(), *png);
    }
    std::cout << kind << ": " << bytes.size() << " bytes for " << profile.id << " (" << stats.text_lines
              << " text lines, " << stats.raster_lines << " raster lines, " << stats.images << " images)\n";
    if (printer_spec) {
        const auto spec = hcp::printer::parse_transport(*printer_spec);
        const std::filesystem::path jobs_dir = args.option("jobs").value_or(settings.jobs_dir.string());
        hcp::printer::JobManager jobs(jobs_dir, profile, [spec] { return hcp::printer::make_transport(spec); });
        const auto id = jobs.submit(bytes, kind);
        const auto job = jobs.wait(id, std::chrono::seconds(60));
        if (!job || !job->finished) {
            std::cout << "job " << id << " still " << (job ? hcp::printer::to_string(job->state) : "unknown")
                      << " after 60 s\n";
            return kExitFailed;
        }
        std::cout << "job " << id << " " << hcp::printer::to_string(job->state) << " via " << *printer_spec << '\n';
        if (!job->reason.empty()) std::cout << job->reason << '\n';
        return job->state == hcp::printer::JobState::failed ? kExitFindings : kExitOk;
    }
    return kExitOk;
}

}  // namespace hcpctl
