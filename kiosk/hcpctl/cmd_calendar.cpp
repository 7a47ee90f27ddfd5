// hcpctl calendar show | import NOTICE.txt | law: the hall's working-day calendar.
#include <CLI/CLI.hpp>

#include <iostream>
#include <memory>

#include "cli.hpp"
#include "hcp/base/io.hpp"
#include "hcp/config/config.hpp"
#include "hcp/detail/toml_util.hpp"
#include "hcp/domain/calendar_sources.hpp"
#include "hcp/domain/notice.hpp"
#include "hcp/domain/statutory.hpp"

namespace hcpctl {

namespace {

constexpr const char* kDefaultConfig = "/etc/hcp-kiosk/hall.toml";

std::string range_text(const hcp::Holiday& h) {
    return h.first == h.last ? hcp::format_date(h.first)
                             : hcp::format_date(h.first) + " .. " + hcp::format_date(h.last);
}

const char* basis_zh(hcp::YearBasis b) {
    switch (b) {
        case hcp::YearBasis::notice: return "按国务院办公厅通知";
        case hcp::YearBasis::statutory: return "临时：仅法定节假日（通知未导入，调休未知）";
        case hcp::YearBasis::weekdays: return "无数据：只按周一至周五";
    }
    return "";
}

void print_outlook(const hcp::CalendarOutlook& outlook) {
    if (outlook.ok()) {
        std::cout << "未来 " << hcp::kCalendarWarningDays << " 天的工作日均按已导入的放假通知计算。\n";
        return;
    }
    std::cout << "注意：" << outlook.warning_zh << '\n';
}

int show(const std::string& config_path, const std::vector<int>& years) {
    const hcp::Config config = hcp::load_config(config_path);
    const hcp::LoadedCalendar loaded = hcp::load_hall_calendar(config.calendar);
    std::cout << "calendar files (" << loaded.files.size() << "):\n";
    for (const auto& f : loaded.files) std::cout << "  " << f.string() << '\n';
    for (const auto& n : loaded.notes) std::cout << "  " << n << '\n';
    std::cout << "hall's own folder: " << config.calendar.local_dir.string() << '\n';
    const hcp::Date today = hcp::china_date(hcp::now());
    std::vector<int> shown = years;
    if (shown.empty()) shown = {static_cast<int>(today.year()), static_cast<int>(today.year()) + 1};
    for (int y : shown) {
        std::cout << '\n' << y << "：" << basis_zh(loaded.calendar.basis(y)) << '\n';
        for (const auto& h : loaded.calendar.holidays()) {
            if (static_cast<int>(h.first.year()) != y && static_cast<int>(h.last.year()) != y) continue;
            std::cout << "  " << h.name << "  " << range_text(h);
            if (!h.makeup_workdays.empty()) {
                std::cout << "  调休上班";
                for (auto d : h.makeup_workdays) std::cout << ' ' << hcp::format_date(d);
            }
            std::cout << '\n';
        }
        if (y >= 1 && y <= 9000) {
            const hcp::Date first{std::chrono::year{y}, std::chrono::January, std::chrono::day{1}};
            const hcp::Date next{std::chrono::year{y + 1}, std::chrono::January, std::chrono::day{1}};
            std::cout << "  工作日 " << loaded.calendar.working_days_between(first, next) << " 天\n";
        }
    }
    std::cout << '\n';
    print_outlook(hcp::calendar_outlook(loaded.calendar, today));
    return kExitOk;
}

int import_notice(const std::string& notice_path, const std::string& config_path, const std::string& out_path,
                  bool dry_run) {
    const std::string text = hcp::detail::read_text_file(notice_path);
    const hcp::ParsedNotice notice = hcp::parse_notice(text, notice_path);
    const std::string toml = hcp::notice_calendar_toml(notice);
    std::cout << notice.title << (notice.issued.empty() ? "" : "（" + notice.issued + "）") << "：\n";
    for (const auto& h : notice.holidays) {
        std::cout << "  " << h.holiday.name << "  " << range_text(h.holiday) << "  共 "
                  << (std::chrono::sys_days{h.holiday.last} - std::chrono::sys_days{h.holiday.first}).count() + 1
                  << " 天";
        if (!h.holiday.makeup_workdays.empty()) {
            std::cout << "  调休上班";
            for (auto d : h.holiday.makeup_workdays) std::cout << ' ' << hcp::format_date(d);
        }
        std::cout << '\n';
    }
    if (dry_run) {
        std::cout << "\n" << toml;
        return kExitOk;
    }
    std::filesystem::path target;
    std::optional<hcp::Config> config;
    if (!out_path.empty()) {
        target = out_path;
    } else {
        config = hcp::load_config(config_path);
        target = hcp::local_calendar_file(config->calendar, notice.year);
    }
    std::error_code ec;
    std::filesystem::create_directories(target.parent_path(), ec);
    if (ec)
        throw hcp::Error(hcp::Errc::io_failure,
                         "cannot create " + target.parent_path().string() + ": " + ec.message() + " (run with sudo)");
    const bool replacing = std::filesystem::exists(target, ec);
    hcp::io::WriteOptions options;
    options.mode = 0644;  // calendars are public data, read by the hub's own user
    hcp::io::write_file_atomic(target, toml, options);
    if (config) {
        // The hall's calendar as a whole must still load; otherwise the file goes again.
        try {
            const hcp::LoadedCalendar loaded = hcp::load_hall_calendar(config->calendar);
            std::cout << "\n" << (replacing ? "已替换 " : "已写入 ") << target.string() << "\n";
            const hcp::Date today = hcp::china_date(hcp::now());
            print_outlook(hcp::calendar_outlook(loaded.calendar, today));
        } catch (const std::exception& e) {
            std::filesystem::remove(target, ec);
            throw hcp::Error(
                hcp::Errc::calendar_invalid,
                std::string("the calendar does not load with the imported file, which was removed: ") + e.what());
        }
    } else {
        std::cout << "\n已写入 " << target.string() << "\n";
    }
    std::cout << "运行中的服务在 5 分钟内自动改用新日历（重算所有待定的提醒和默认评价期限）；立即生效：sudo systemctl "
                 "reload hcp-hub（本机为自助一体机时重启 hcp-kiosk-session 亦可）。\n";
    return kExitOk;
}

int law(int from, int to) {
    if (from > to || to - from > 200) throw UsageError("--from must not be after --to, at most 200 years apart");
    for (int y = from; y <= to; ++y) {
        auto days = hcp::statutory_days(y);
        if (!days) {
            std::cerr << y << ": the lunar calendar library cannot compute this year\n";
            return kExitFailed;
        }
        for (const auto& d : *days) std::cout << hcp::format_date(d.date) << '\t' << d.name << '\n';
    }
    return kExitOk;
}

}  // namespace

void add_calendar_command(CLI::App& app, int& exit_code) {
    CLI::App& calendar =
        add_command_group(app, "calendar", "the working-day calendar: show it, import a holiday notice");

    struct ShowArgs {
        std::string config = kDefaultConfig;
        std::vector<int> years;
    };
    auto s = std::make_shared<ShowArgs>();
    CLI::App& show_cmd = *calendar.add_subcommand(
        "show",
        "the years the hall's calendar covers and how (notice, provisional, none), their holidays and "
        "working days, and what to import");
    show_cmd.add_option("--config", s->config, "the hall configuration")->capture_default_str();
    show_cmd.add_option("--year", s->years, "years to show (default: this year and the next)")
        ->check(CLI::Range(1900, 9000));
    show_cmd.callback([s, &exit_code] { exit_code = show(s->config, s->years); });

    struct ImportArgs {
        std::string notice;
        std::string config = kDefaultConfig;
        std::string out;
        bool dry_run = false;
    };
    auto i = std::make_shared<ImportArgs>();
    CLI::App& import_cmd = *calendar.add_subcommand(
        "import",
        "read the text of the State Council's holiday notice (国务院办公厅关于YYYY年部分节假日安排的通知) and\n"
        "write it as the year's calendar file into the hall's calendar folder ([calendar].local_dir,\n"
        "/etc/hcp-kiosk/calendars); a running hub picks it up without a restart");
    import_cmd.add_option("NOTICE", i->notice, "the notice as text (UTF-8), copied whole from gov.cn")->required();
    import_cmd.add_option("--config", i->config, "the hall configuration (where the folder is)")->capture_default_str();
    import_cmd.add_option("--out", i->out, "write this file instead of the hall's folder")->option_text("FILE");
    import_cmd.add_flag("--dry-run", i->dry_run, "print the calendar file, write nothing");
    import_cmd.callback([i, &exit_code] { exit_code = import_notice(i->notice, i->config, i->out, i->dry_run); });

    struct LawArgs {
        int from = 2025;
        int to = 2030;
    };
    auto l = std::make_shared<LawArgs>();
    CLI::App& law_cmd = *calendar.add_subcommand(
        "law",
        "the statutory holidays of 《全国年节及纪念日放假办法》 (as in force since 2025) for a range of\n"
        "years, one 'YYYY-MM-DD<TAB>name' line per day, computed from the lunar calendar");
    law_cmd.add_option("--from", l->from, "first year")->check(CLI::Range(1901, 2099))->capture_default_str();
    law_cmd.add_option("--to", l->to, "last year")->check(CLI::Range(1901, 2099))->capture_default_str();
    law_cmd.callback([l, &exit_code] { exit_code = law(l->from, l->to); });
}

}  // namespace hcpctl
