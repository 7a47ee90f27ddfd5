// hcpctl print ticket|receipt|selftest — build a document, encode it for a printer profile and
// write the ESC/POS bytes to a file and/or a PNG preview (escpos2png).
#include <CLI/CLI.hpp>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>

#include "cli.hpp"
#include "hcp/base/time.hpp"
#include "hcp/printer/encoder.hpp"
#include "hcp/printer/jobs.hpp"
#include "hcp/printer/render.hpp"
#include "hcp/printer/settings.hpp"
#include "hcp/printer/templates.hpp"
#include "hcp/token/token.hpp"

namespace hcpctl {

namespace {

struct PrintArgs {
    std::string kind;   // the subcommand: ticket, receipt, selftest, status, jobs or render
    std::string input;  // render: the captured bytes
    std::optional<std::string> config, printer, jobs, profile, file, png, key, hall, prefix;
    std::optional<int> module, valid_days;
    std::optional<std::string> hall_name;  // default: [hall].name of --config, else the sample
    // ticket
    std::string number = "A012";
    std::string category = "社保医保";
    int ahead = 5;
    int eta = 15;
    // receipt
    std::string case_no = "20261122000123456789";
    std::string item = "城乡居民基本养老保险参保登记";
    std::string window = "8号窗口";
    std::string staff = "王堃";
    std::string staff_no = "0815";
};

int run_print(const PrintArgs& args) {
    const std::string& kind = args.kind;
    if (kind == "render") {
        const std::string id = args.profile.value_or("generic-80");
        const auto prof = id.ends_with(".toml") ? hcp::printer::load_profile(std::filesystem::path(id))
                                                : hcp::printer::load_profile(assets_dir() / "printers", id);
        std::ifstream in(args.input, std::ios::binary);
        if (!in) throw hcp::Error(hcp::Errc::io_failure, "cannot read " + args.input);
        const hcp::printer::Bytes bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        auto page = hcp::printer::render(bytes, prof);
        if (!page) {
            std::cout << "escpos2png: " << page.error().detail << " at byte " << page.error().offset << '\n';
            return kExitFindings;
        }
        hcp::printer::write_png(page.value(), *args.png);
        std::cout << "rendered " << page.value().width << "x" << page.value().height << " dots\n";
        return kExitOk;
    }
    if (kind == "status" || kind == "jobs") {
        hcp::printer::PrinterSettings cfg;
        if (auto c = args.config) cfg = hcp::printer::printer_settings(hcp::load_config(*c));
        if (kind == "jobs") {
            const std::filesystem::path dir = args.jobs.value_or(cfg.jobs_dir.string());
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
                std::cout << file.stem().string() << ' ' << state << ' ' << label
                          << (reason.empty() ? "" : "  " + reason) << '\n';
            }
            return kExitOk;
        }
        const auto spec_text = args.printer ? args.printer : cfg.transport;
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
    hcp::printer::PrinterSettings settings;
    const bool from_config = args.config.has_value();
    if (from_config) settings = hcp::printer::printer_settings(hcp::load_config(*args.config));
    const auto printer_spec = args.printer ? args.printer : settings.transport;
    if (!args.file && !args.png && !printer_spec)
        throw UsageError("give --file OUT.bin, --png OUT.png or a printer (--printer or transport in --config)");

    const std::string profile_arg = args.profile.value_or(settings.profile);
    const auto profile = profile_arg.ends_with(".toml")
                             ? hcp::printer::load_profile(std::filesystem::path(profile_arg))
                             : hcp::printer::load_profile(assets_dir() / "printers", profile_arg);
    const int module = args.module.value_or(0);
    const std::string hall = args.hall.value_or(settings.hall_code.empty() ? "150102001" : settings.hall_code);
    const std::string prefix = args.prefix.value_or(settings.qr_url_prefix);
    if (auto problem = hcp::token::url_prefix_problem(prefix)) throw UsageError("--prefix: " + *problem);
    const std::string hall_name =
        args.hall_name.value_or(settings.hall_name.empty() ? "示例市政务服务中心" : settings.hall_name);
    const int valid_days = args.valid_days.value_or(settings.qr_valid_days);
    if (valid_days < 1 || valid_days > 3650) throw UsageError("--valid-days must be 1..3650");
    std::optional<std::string> key_file = args.key;
    if (!key_file && from_config && settings.token_key_file) {
        key_file = settings.token_key_file->string();
        if (!std::filesystem::exists(*key_file))
            throw hcp::Error(hcp::Errc::key_invalid, "the QR token key " + *key_file +
                                                         " ([receipt_qr].key_file) does not exist; create it with: "
                                                         "hcpctl key create " +
                                                         *key_file);
    }

    // Without --key the QR is signed with a throw-away key: fine for a preview, useless in a hall.
    const bool demo_key = !key_file;
    const hcp::token::HallKey key(hall, demo_key ? hcp::SecretKey::random() : hcp::SecretKey::load_file(*key_file));
    if (demo_key && kind != "selftest")
        std::cerr << "注意：未指定 --key，二维码使用临时密钥签名，仅供预览，不能用于大厅。\n";
    const auto now =
        std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
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
        d.hall_name = hall_name;
        d.ticket_number = args.number;
        d.category_name = args.category;
        d.people_ahead = args.ahead;
        d.eta_minutes = args.eta;
        d.time_text = hcp::format_china_minute(hcp::now());
        const std::string date = d.time_text.substr(0, 4) + d.time_text.substr(5, 2) + d.time_text.substr(8, 2);
        const std::string token =
            hcp::token::issue(key, {hall, date + d.ticket_number, hcp::token::Stage::ticket, expires});
        d.qr_url = hcp::token::make_url(prefix, token);
        d.short_code = hcp::token::short_code(token);
        doc = hcp::printer::ticket_document(d, profile, module);
    } else {
        hcp::printer::ReceiptData d;
        d.hall_name = hall_name;
        d.case_no = args.case_no;
        d.item_name = args.item;
        d.window_name = args.window;
        d.staff_name = args.staff;
        d.staff_number = args.staff_no;
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
    if (auto file = args.file) {
        std::ofstream f(*file, std::ios::binary | std::ios::trunc);
        f.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
        if (!f) throw hcp::Error(hcp::Errc::io_failure, "cannot write " + *file);
    }
    if (auto png = args.png) {
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
        const std::filesystem::path jobs_dir = args.jobs.value_or(settings.jobs_dir.string());
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

}  // namespace

void add_print_command(CLI::App& app, int& exit_code) {
    CLI::App& print =
        add_command_group(app, "print",
                          "encode a queue ticket, 办件回执 or printer self-test page; printer status and jobs;\n"
                          "escpos2png for captured bytes");
    print.footer(
        "\nTRANSPORT: file:PATH tcp:HOST[:PORT] device:/dev/usb/lp0 serial:/dev/ttyS0[@BAUD][,xonxoff] cups:QUEUE");
    auto a = std::make_shared<PrintArgs>();
    auto run = [a, &exit_code](const char* kind) {
        return [a, kind, &exit_code] {
            a->kind = kind;
            exit_code = run_print(*a);
        };
    };
    const auto config = [&a](CLI::App& cmd) {
        cmd.add_option("--config", a->config, "the hall's configuration: [printer], [receipt_qr] and the hall code")
            ->option_text("HALL.toml");
    };
    const auto printer = [&a](CLI::App& cmd, const char* what) {
        cmd.add_option("--printer", a->printer, what)->option_text("TRANSPORT");
    };
    const auto jobs = [&a](CLI::App& cmd) {
        cmd.add_option("--jobs", a->jobs, "the print job folder (default: the configuration's)")->option_text("DIR");
    };

    CLI::App& status = *print.add_subcommand("status", "ask the printer (DLE EOT) whether it can print; exit 1 if not");
    printer(status, "the printer (default: transport in --config)");
    config(status);
    status.callback(run("status"));

    CLI::App& list = *print.add_subcommand("jobs", "list persisted print jobs and their states");
    jobs(list);
    config(list);
    list.callback(run("jobs"));

    CLI::App& render = *print.add_subcommand("render", "escpos2png: render captured ESC/POS bytes as a PNG");
    render.add_option("IN.bin", a->input, "the captured bytes")->required();
    render.add_option("--png", a->png, "the picture to write")->option_text("OUT.png")->required();
    render.add_option("--profile", a->profile, "printer profile (default generic-80)")->option_text("ID|FILE.toml");
    render.callback(run("render"));

    for (const char* kind : {"ticket", "receipt", "selftest"}) {
        const std::string name = kind;
        CLI::App& cmd = *print.add_subcommand(name, name == "ticket"    ? "a queue ticket with its rating QR code"
                                                    : name == "receipt" ? "a 办件回执 with its rating QR code"
                                                                        : "the printer self-test page");
        config(cmd);
        cmd.add_option("--profile", a->profile, "printer profile (default: the configuration's)")
            ->option_text("ID|FILE.toml");
        cmd.add_option("--file", a->file, "write the ESC/POS bytes here")->option_text("OUT.bin");
        cmd.add_option("--png", a->png, "write a preview picture here")->option_text("OUT.png");
        printer(cmd, "print it (default: transport in --config)");
        jobs(cmd);
        cmd.add_option("--module", a->module, "QR module size in dots")->option_text("4..8");
        cmd.add_option("--key", a->key,
                       "the hall's QR token key (default: [receipt_qr] key_file; else a throw-away key)")
            ->option_text("FILE");
        cmd.add_option("--hall", a->hall, "the hall code in the token")->option_text("CODE");
        cmd.add_option("--prefix", a->prefix, "the QR code's URL prefix")->option_text("URL_PREFIX");
        cmd.add_option("--valid-days", a->valid_days, "days the QR code stays valid")
            ->option_text("N")
            ->check(CLI::Range(1, 3650));
        if (name == "ticket") {
            cmd.add_option("--hall-name", a->hall_name, "hall name (default: [hall].name of --config)")
                ->option_text("T");
            cmd.add_option("--number", a->number, "ticket number")->option_text("A012");
            cmd.add_option("--category", a->category, "service category")->option_text("T");
            cmd.add_option("--ahead", a->ahead, "people waiting ahead")->option_text("N");
            cmd.add_option("--eta", a->eta, "estimated wait in minutes")->option_text("MIN");
        } else if (name == "receipt") {
            cmd.add_option("--hall-name", a->hall_name, "hall name (default: [hall].name of --config)")
                ->option_text("T");
            cmd.add_option("--case", a->case_no, "办件编号")->option_text("NO");
            cmd.add_option("--item", a->item, "service item")->option_text("T");
            cmd.add_option("--window", a->window, "window")->option_text("T");
            cmd.add_option("--staff", a->staff, "staff name")->option_text("T");
            cmd.add_option("--staff-no", a->staff_no, "工号")->option_text("T");
        }
        cmd.callback(run(kind));
    }
}

}  // namespace hcpctl
