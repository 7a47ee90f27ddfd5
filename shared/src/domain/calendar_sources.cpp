#include "hcp/domain/calendar_sources.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <system_error>

#include "hcp/base/error.hpp"

namespace hcp {

namespace fs = std::filesystem;

namespace {

// The *.toml files of a folder, by name; none when the folder does not exist. Editor backups
// and hidden files (".cn-2027.toml.swp", "cn-2027.toml~") are not calendars.
std::vector<fs::path> toml_files(const fs::path& dir) {
    std::vector<fs::path> out;
    std::error_code ec;
    if (dir.empty() || !fs::is_directory(dir, ec)) return out;
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
        const fs::path& p = it->path();
        const std::string name = p.filename().string();
        if (name.empty() || name[0] == '.' || p.extension() != ".toml") continue;
        std::error_code sec;
        if (!it->is_regular_file(sec)) continue;
        out.push_back(p);
    }
    if (ec) throw Error(Errc::io_failure, "cannot list calendar folder " + dir.string() + ": " + ec.message());
    std::sort(out.begin(), out.end());
    return out;
}

std::vector<fs::path> shipped_files(const CalendarConfig& config) {
    return config.files.empty() ? toml_files(config.shipped_dir) : config.files;
}

std::string years_of(const WorkCalendar& cal) {
    std::string out;
    for (int y : cal.years()) out += (out.empty() ? "" : ", ") + std::to_string(y);
    return out;
}

}  // namespace

LoadedCalendar load_hall_calendar(const CalendarConfig& config) {
    LoadedCalendar out;
    out.fingerprint = calendar_fingerprint(config);
    const auto shipped = shipped_files(config);
    const auto local = toml_files(config.local_dir);

    // Which years the hall's own files declare (each file validated on its own here; together
    // with the others below).
    std::map<int, fs::path> local_years;
    for (const auto& f : local) {
        const WorkCalendar part = WorkCalendar::load_file(f);
        for (int y : part.years()) local_years.emplace(y, f);
    }

    std::vector<fs::path> chosen;
    for (const auto& f : shipped) {
        const WorkCalendar part = WorkCalendar::load_file(f);
        const fs::path* replaced_by = nullptr;
        for (int y : part.years()) {
            auto it = local_years.find(y);
            if (it != local_years.end()) replaced_by = &it->second;
        }
        if (replaced_by != nullptr) {
            out.notes.push_back(f.string() + " (" + years_of(part) + ") replaced by " + replaced_by->string());
            continue;
        }
        chosen.push_back(f);
    }
    chosen.insert(chosen.end(), local.begin(), local.end());
    out.calendar = WorkCalendar::load_files(chosen).with_statutory_years();
    out.files = std::move(chosen);
    return out;
}

std::string calendar_fingerprint(const CalendarConfig& config) {
    std::string out;
    auto add = [&](const fs::path& p) {
        std::error_code ec;
        const auto size = fs::file_size(p, ec);
        const auto time = fs::last_write_time(p, ec);
        out += p.string() + '\t' + std::to_string(ec ? 0 : size) + '\t' +
               std::to_string(ec ? 0 : time.time_since_epoch().count()) + '\n';
    };
    for (const auto& f : shipped_files(config)) add(f);
    for (const auto& f : toml_files(config.local_dir)) add(f);
    return out;
}

CalendarOutlook calendar_outlook(const WorkCalendar& calendar, Date today, const std::set<int>& pending_years,
                                 int days_ahead) {
    std::set<int> years(pending_years);
    const Date until{std::chrono::sys_days{today} + std::chrono::days{days_ahead}};
    for (int y : calendar.unofficial_years(today, until)) years.insert(y);
    CalendarOutlook out;
    for (int y : years) {
        switch (calendar.basis(y)) {
            case YearBasis::notice: break;
            case YearBasis::statutory: out.provisional_years.push_back(y); break;
            case YearBasis::weekdays: out.uncovered_years.push_back(y); break;
        }
    }
    if (out.ok()) return out;
    const auto list = [](const std::vector<int>& ys, const char* sep) {
        std::string text;
        for (int y : ys) text += (text.empty() ? "" : sep) + std::to_string(y);
        return text;
    };
    const int first = !out.provisional_years.empty() ? out.provisional_years.front() : out.uncovered_years.front();
    out.fix = "hcpctl calendar import NOTICE.txt";
    if (!out.provisional_years.empty()) {
        out.warning_zh += list(out.provisional_years, "、") +
                          " 年的放假安排尚未导入：暂按法定节假日计算工作日，调休上班和调休放假的日子未知，提醒和默认评"
                          "价的日期可能差一两天。";
        out.warning += "the holiday notice for " + list(out.provisional_years, ", ") +
                       " is not imported: working days are counted from the statutory holidays only (provisional; "
                       "调休 days unknown)";
    }
    if (!out.uncovered_years.empty()) {
        out.warning_zh += list(out.uncovered_years, "、") + " 年没有任何节假日数据：只按周一至周五计算工作日。";
        out.warning += std::string(out.warning.empty() ? "" : "; ") + "no holiday data at all for " +
                       list(out.uncovered_years, ", ") + ": Monday to Friday count as working days";
    }
    out.warning_zh += "国务院办公厅发布《关于" + std::to_string(first) +
                      "年部分节假日安排的通知》后，把通知全文存为文本文件（如 通知.txt），执行：sudo hcpctl calendar "
                      "import 通知.txt";
    out.warning += "; once the State Council's notice for " + std::to_string(first) +
                   " is out, save its text to a file and run: sudo " + out.fix;
    return out;
}

fs::path local_calendar_file(const CalendarConfig& config, int year) {
    return config.local_dir / ("cn-" + std::to_string(year) + ".toml");
}

}  // namespace hcp
