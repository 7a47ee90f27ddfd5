#include "hcp/domain/calendar.hpp"

#include <algorithm>
#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <utility>

#include "hcp/base/error.hpp"
#include "hcp/base/utf8.hpp"
#include "hcp/config/config.hpp"
#include "hcp/detail/toml_util.hpp"
#include "hcp/domain/statutory.hpp"

// File format and rules: docs/calendar.md. Loading is two-phase: every file is read into a
// ParsedFile that remembers where each value came from, then all files are checked together
// (overlaps, duplicates, years) so that a problem spanning two files names both places.

namespace hcp {

namespace {

namespace chr = std::chrono;

constexpr int kMinYear = 2000;
constexpr int kMaxYear = 2100;
// The longest official break (春节, 国庆) is 8–9 days; 15 leaves room for local extensions
// while catching a mistyped month ("2026-10-01" .. "2026-11-07").
constexpr int kMaxHolidayDays = 15;
// A calendar file is a few kilobytes; anything much larger is not a calendar.
constexpr size_t kMaxFileBytes = 1 << 20;
// add_working_days() walks day by day; callers count a handful of days (reminders, default
// ratings). The cap keeps a corrupt argument from spinning for minutes.
constexpr int kMaxWorkingDaysToAdd = 100000;

// Days since 1970-01-01: the key of the day sets.
int serial(Date d) {
    return static_cast<int>(chr::sys_days{d}.time_since_epoch().count());
}

Date from_serial(int s) {
    return Date{chr::sys_days{chr::days{s}}};
}

bool is_weekend(int s) {
    chr::weekday wd{chr::sys_days{chr::days{s}}};
    return wd == chr::Saturday || wd == chr::Sunday;
}

bool working(const std::set<int>& off, const std::set<int>& makeup, int s) {
    if (makeup.count(s) != 0) return true;
    if (off.count(s) != 0) return false;
    return !is_weekend(s);
}

int next_working(const std::set<int>& off, const std::set<int>& makeup, int s) {
    // Terminates: holidays are finite and at most 15 days each, so a weekday is never far.
    do {
        ++s;
    } while (!working(off, makeup, s));
    return s;
}

void require_valid(Date d, const char* function) {
    if (!d.ok()) {
        throw Error(Errc::invalid_argument, std::string("WorkCalendar::") + function + ": not a valid calendar date");
    }
}

const char* weekday_name(int s) {
    static constexpr const char* names[] = {"Sunday",   "Monday", "Tuesday", "Wednesday",
                                            "Thursday", "Friday", "Saturday"};
    return names[chr::weekday{chr::sys_days{chr::days{s}}}.c_encoding()];
}

// Where a value was written; the message is filled in when a problem is found.
ConfigIssue where(const std::string& origin, const toml::node& node, const std::string& key) {
    ConfigIssue issue;
    issue.file = origin;
    issue.line = static_cast<int>(node.source().begin.line);
    issue.column = static_cast<int>(node.source().begin.column);
    issue.key = key;
    return issue;
}

std::string place(const ConfigIssue& at) {
    return at.file + ":" + std::to_string(at.line);
}

struct ParsedHoliday {
    Holiday holiday;
    ConfigIssue at;  // the [[holiday]] table
    ConfigIssue first_at;
    std::vector<ConfigIssue> makeup_at;  // parallel to holiday.makeup_workdays
};

struct ParsedFile {
    std::string origin;
    std::map<int, ConfigIssue> years;  // year → where it is declared
    std::vector<ParsedHoliday> holidays;
};

std::string date_range(const Holiday& h) {
    return format_date(h.first) + ".." + format_date(h.last);
}

// A date written either as a TOML local date (2026-10-01) or as text ("2026-10-01").
std::optional<Date> read_date(detail::TomlReader& reader, const toml::node& node, const std::string& key) {
    if (const auto* d = node.as_date()) {
        const toml::date v = d->get();
        Date date{chr::year{static_cast<int>(v.year)}, chr::month{static_cast<unsigned>(v.month)},
                  chr::day{static_cast<unsigned>(v.day)}};
        if (date.ok()) return date;
        reader.error(&node, key, "is not a valid calendar date");
        return std::nullopt;
    }
    if (const auto* s = node.as_string()) {
        const std::string& text = s->get();
        if (auto date = parse_date(text)) return date;
        if (text.size() <= 40 && utf8::is_clean(text)) {
            reader.error(&node, key, "'" + text + "' is not a valid date; write YYYY-MM-DD, e.g. 2026-10-01");
        } else {
            reader.error(&node, key, "is not a valid date; write YYYY-MM-DD, e.g. 2026-10-01");
        }
        return std::nullopt;
    }
    if (node.is_date_time() || node.is_time()) {
        reader.error(&node, key, "must be a date without a time of day, e.g. 2026-10-01");
        return std::nullopt;
    }
    reader.error(&node, key, "must be a date like 2026-10-01");
    return std::nullopt;
}

// Dates must lie in a declared year. The one exception is the last week of December before a
// declared year: 元旦 arrangements sometimes reach back into it (2012年元旦: 2011-12-31 上班;
// 2024年元旦: 放假 from 2023-12-30), and those days belong to the following year's notice.
bool in_declared_years(const std::map<int, ConfigIssue>& years, Date d) {
    int y = static_cast<int>(d.year());
    if (years.count(y) != 0) return true;
    return years.count(y + 1) != 0 && d.month() == chr::December && d.day() >= chr::day{25};
}

std::string years_text(const std::map<int, ConfigIssue>& years) {
    std::string out;
    for (const auto& [y, at] : years) out += (out.empty() ? "" : ", ") + std::to_string(y);
    return out;
}

ParsedFile parse_file(std::string_view text, const std::string& origin, std::vector<ConfigIssue>& issues) {
    ParsedFile file;
    file.origin = origin;
    detail::TomlReader reader(origin);
    auto finish = [&]() {
        issues.insert(issues.end(), reader.issues().begin(), reader.issues().end());
        return file;
    };
    if (text.size() > kMaxFileBytes) {
        reader.error(nullptr, "", "is " + std::to_string(text.size()) + " bytes; a calendar file is at most 1 MiB");
        return finish();
    }
    std::optional<toml::table> parsed = reader.parse(text);
    if (!parsed) return finish();
    const toml::table& root = *parsed;
    reader.check_keys(root, "", {"calendar", "holiday"});

    bool years_ok = false;
    if (const toml::table* cal = reader.get_table(root, "", "calendar", true)) {
        reader.check_keys(*cal, "calendar", {"name", "source", "years"});
        auto name = reader.get_string(*cal, "calendar", "name", true, 200);
        if (name && name->empty()) reader.error(cal->get("name"), "calendar.name", "must not be empty");
        auto source = reader.get_string(*cal, "calendar", "source", true, 400);
        if (source && source->empty())
            reader.error(cal->get("source"), "calendar.source", "must name the notice the dates come from");
        if (const toml::array* years = reader.get_array(*cal, "calendar", "years", true)) {
            years_ok = true;
            if (years->empty()) {
                reader.error(years, "calendar.years", "must list at least one year, e.g. [2026]");
                years_ok = false;
            }
            for (size_t i = 0; i < years->size(); ++i) {
                const toml::node& n = (*years)[i];
                std::string key = "calendar.years[" + std::to_string(i) + "]";
                const auto* v = n.as_integer();
                if (v == nullptr || v->get() < kMinYear || v->get() > kMaxYear) {
                    reader.error(&n, key,
                                 "must be a year from " + std::to_string(kMinYear) + " to " + std::to_string(kMaxYear));
                    years_ok = false;
                    continue;
                }
                int y = static_cast<int>(v->get());
                if (file.years.count(y) != 0) {
                    reader.error(&n, key, "year " + std::to_string(y) + " is listed twice");
                    years_ok = false;
                    continue;
                }
                file.years.emplace(y, where(origin, n, key));
            }
        }
    }

    const toml::node* holidays_node = root.get("holiday");
    const toml::array* holidays = holidays_node != nullptr ? holidays_node->as_array() : nullptr;
    if (holidays_node != nullptr && (holidays == nullptr || !holidays->is_array_of_tables())) {
        reader.error(holidays_node, "holiday", "must be [[holiday]] sections");
        holidays = nullptr;
    }
    for (size_t i = 0; holidays != nullptr && i < holidays->size(); ++i) {
        const toml::table& t = *(*holidays)[i].as_table();
        std::string path = "holiday[" + std::to_string(i) + "]";
        reader.check_keys(t, path, {"name", "first", "last", "makeup_workdays"});
        ParsedHoliday ph;
        ph.at = where(origin, t, path);
        bool good = true;

        auto name = reader.get_string(t, path, "name", true, 100);
        if (name && name->empty()) {
            reader.error(t.get("name"), path + ".name", "must not be empty");
            good = false;
        }
        if (name) ph.holiday.name = *name;
        good = good && name.has_value();

        std::optional<Date> first;
        std::optional<Date> last;
        for (auto [key, out] : {std::pair{"first", &first}, std::pair{"last", &last}}) {
            std::string full = path + "." + key;
            if (const toml::node* n = t.get(key)) {
                *out = read_date(reader, *n, full);
                if (*out && years_ok && !in_declared_years(file.years, **out)) {
                    reader.error(
                        n, full,
                        format_date(**out) + " is outside the declared years (" + years_text(file.years) + ")");
                    *out = std::nullopt;
                }
            } else {
                reader.error(&t, full, "missing; a date like 2026-10-01 is required");
            }
        }
        if (first && last) {
            int length = serial(*last) - serial(*first) + 1;
            if (length < 1) {
                reader.error(t.get("last"), path + ".last",
                             format_date(*last) + " is before first " + format_date(*first));
                good = false;
            } else if (length > kMaxHolidayDays) {
                reader.error(t.get("last"), path + ".last",
                             "the holiday " + format_date(*first) + ".." + format_date(*last) + " is " +
                                 std::to_string(length) + " days long; at most " + std::to_string(kMaxHolidayDays) +
                                 " allowed");
                good = false;
            }
        }
        good = good && first && last;
        if (first) {
            ph.holiday.first = *first;
            ph.first_at = where(origin, *t.get("first"), path + ".first");
        }
        if (last) ph.holiday.last = *last;

        if (const toml::array* makeup = reader.get_array(t, path, "makeup_workdays", false)) {
            for (size_t k = 0; k < makeup->size(); ++k) {
                const toml::node& n = (*makeup)[k];
                std::string key = path + ".makeup_workdays[" + std::to_string(k) + "]";
                auto d = read_date(reader, n, key);
                if (!d) {
                    good = false;
                    continue;
                }
                if (years_ok && !in_declared_years(file.years, *d)) {
                    reader.error(&n, key,
                                 format_date(*d) + " is outside the declared years (" + years_text(file.years) + ")");
                    good = false;
                    continue;
                }
                if (!is_weekend(serial(*d))) {
                    reader.error(&n, key,
                                 format_date(*d) + " is a " + weekday_name(serial(*d)) +
                                     "; a make-up working day (调休上班) must be a Saturday or Sunday");
                    good = false;
                    continue;
                }
                ph.holiday.makeup_workdays.push_back(*d);
                ph.makeup_at.push_back(where(origin, n, key));
            }
        } else if (t.get("makeup_workdays") != nullptr) {
            good = false;
        }
        if (good) file.holidays.push_back(std::move(ph));
    }
    return finish();
}

// Checks that need every file at once: years, overlaps, make-up days, empty years. Runs on
// what each file got right, so one pass reports everything; `complete` is false when some
// values were dropped for their own problems (then "a year without holidays" may be a
// consequence, not a cause, and is not reported).
void check_together(const std::vector<ParsedFile>& files, bool complete, std::vector<ConfigIssue>& issues) {
    auto report = [&](ConfigIssue at, std::string message) {
        at.message = std::move(message);
        issues.push_back(std::move(at));
    };

    // A year comes from exactly one file.
    std::map<int, const ConfigIssue*> year_owner;
    for (const auto& f : files) {
        for (const auto& [y, at] : f.years) {
            auto [it, inserted] = year_owner.emplace(y, &at);
            if (!inserted) {
                report(at, "year " + std::to_string(y) + " is already covered by " + place(*it->second) +
                               "; each year must come from one file");
            }
        }
    }

    // Holidays must not overlap (within a file or across files).
    std::vector<const ParsedHoliday*> all;
    for (const auto& f : files)
        for (const auto& h : f.holidays) all.push_back(&h);
    std::stable_sort(all.begin(), all.end(), [](const ParsedHoliday* a, const ParsedHoliday* b) {
        return chr::sys_days{a->holiday.first} < chr::sys_days{b->holiday.first};
    });
    const ParsedHoliday* reach = nullptr;  // the holiday ending latest so far
    for (const ParsedHoliday* h : all) {
        if (reach != nullptr && serial(h->holiday.first) <= serial(reach->holiday.last)) {
            report(h->first_at, "holiday '" + h->holiday.name + "' (" + date_range(h->holiday) + ") overlaps '" +
                                    reach->holiday.name + "' (" + date_range(reach->holiday) + ") at " +
                                    place(reach->at));
        }
        if (reach == nullptr || serial(h->holiday.last) > serial(reach->holiday.last)) reach = h;
    }

    // A make-up working day is listed once and is not inside any holiday.
    std::map<int, const ConfigIssue*> makeup_seen;
    for (const ParsedHoliday* h : all) {
        for (size_t k = 0; k < h->holiday.makeup_workdays.size(); ++k) {
            Date d = h->holiday.makeup_workdays[k];
            const ConfigIssue& at = h->makeup_at[k];
            auto [it, inserted] = makeup_seen.emplace(serial(d), &at);
            if (!inserted) {
                report(at, format_date(d) + " is listed twice as a make-up working day (also at " + place(*it->second) +
                               ")");
            }
            // The holiday starting last on or before d is the one that can contain it (holidays
            // do not overlap; if they do, that is reported above).
            auto after = std::upper_bound(all.begin(), all.end(), serial(d), [](int day, const ParsedHoliday* other) {
                return day < serial(other->holiday.first);
            });
            if (after != all.begin()) {
                const ParsedHoliday* other = *(after - 1);
                if (serial(d) <= serial(other->holiday.last)) {
                    report(at, "make-up working day " + format_date(d) + " falls inside holiday '" +
                                   other->holiday.name + "' (" + date_range(other->holiday) + ") at " +
                                   place(other->at));
                }
            }
        }
    }

    // A declared year without a single day off is almost certainly a forgotten section.
    if (!complete) return;
    for (const auto& f : files) {
        for (const auto& [y, at] : f.years) {
            bool any = false;
            for (const auto& h : f.holidays) {
                any = any || static_cast<int>(h.holiday.first.year()) == y ||
                      static_cast<int>(h.holiday.last.year()) == y;
            }
            if (!any) {
                report(at, "year " + std::to_string(y) +
                               " has no [[holiday]] in this file; list its holidays or remove it");
            }
        }
    }
}

// A hostile file can produce thousands of issues; the message lists the first ones.
std::string join(const std::vector<ConfigIssue>& issues) {
    constexpr size_t kMaxShown = 100;
    std::string out;
    for (size_t i = 0; i < issues.size() && i < kMaxShown; ++i) {
        if (!out.empty()) out += '\n';
        out += issues[i].to_string();
    }
    if (issues.size() > kMaxShown) out += "\n... and " + std::to_string(issues.size() - kMaxShown) + " more problem(s)";
    return out;
}

}  // namespace

std::string_view to_string(YearBasis b) noexcept {
    switch (b) {
        case YearBasis::notice: return "notice";
        case YearBasis::statutory: return "statutory";
        case YearBasis::weekdays: return "weekdays";
    }
    return "unknown";
}

WorkCalendar WorkCalendar::parse(std::string_view toml_text, const std::string& origin) {
    std::vector<ConfigIssue> issues;
    std::vector<ParsedFile> files;
    files.push_back(parse_file(toml_text, origin, issues));
    check_together(files, issues.empty(), issues);
    if (!issues.empty()) throw Error(Errc::calendar_invalid, join(issues));

    WorkCalendar cal;
    for (auto& f : files) {
        for (const auto& [y, at] : f.years) cal.m_years.insert(y);
        for (auto& ph : f.holidays) {
            Holiday h = std::move(ph.holiday);
            for (int s = serial(h.first); s <= serial(h.last); ++s) cal.m_days_off.insert(s);
            for (Date d : h.makeup_workdays) cal.m_makeup_days.insert(serial(d));
            std::sort(h.makeup_workdays.begin(), h.makeup_workdays.end());
            cal.m_holidays.push_back(std::move(h));
        }
    }
    std::sort(cal.m_holidays.begin(), cal.m_holidays.end(),
              [](const Holiday& a, const Holiday& b) { return a.first < b.first; });
    return cal;
}

WorkCalendar WorkCalendar::load_file(const std::filesystem::path& path) {
    return parse(detail::read_text_file(path), path.string());
}

WorkCalendar WorkCalendar::load_files(const std::vector<std::filesystem::path>& paths) {
    // Every file is validated on its own (problems of all files are reported together), then
    // the files are checked against each other; only then is anything built.
    std::vector<std::string> texts;
    std::vector<ParsedFile> files;
    std::vector<ConfigIssue> issues;
    for (const auto& path : paths) {
        texts.push_back(detail::read_text_file(path));
        files.push_back(parse_file(texts.back(), path.string(), issues));
    }
    check_together(files, issues.empty(), issues);
    if (!issues.empty()) throw Error(Errc::calendar_invalid, join(issues));

    WorkCalendar merged;
    for (size_t i = 0; i < paths.size(); ++i) {
        WorkCalendar part = parse(texts[i], paths[i].string());
        merged.m_years.insert(part.m_years.begin(), part.m_years.end());
        merged.m_days_off.insert(part.m_days_off.begin(), part.m_days_off.end());
        merged.m_makeup_days.insert(part.m_makeup_days.begin(), part.m_makeup_days.end());
        for (auto& h : part.m_holidays) merged.m_holidays.push_back(std::move(h));
    }
    std::sort(merged.m_holidays.begin(), merged.m_holidays.end(),
              [](const Holiday& a, const Holiday& b) { return a.first < b.first; });
    return merged;
}

bool WorkCalendar::is_working_day(Date d) const {
    require_valid(d, "is_working_day");
    return working(m_days_off, m_makeup_days, serial(d));
}

bool WorkCalendar::is_holiday(Date d) const {
    require_valid(d, "is_holiday");
    return m_days_off.count(serial(d)) != 0;
}

bool WorkCalendar::is_makeup_workday(Date d) const {
    require_valid(d, "is_makeup_workday");
    return m_makeup_days.count(serial(d)) != 0;
}

bool WorkCalendar::covers(Date d) const {
    require_valid(d, "covers");
    return m_years.count(static_cast<int>(d.year())) != 0;
}

Date WorkCalendar::next_working_day(Date d) const {
    require_valid(d, "next_working_day");
    return from_serial(next_working(m_days_off, m_makeup_days, serial(d)));
}

TimePoint WorkCalendar::add_working_days(TimePoint t, int n) const {
    if (n < 0 || n > kMaxWorkingDaysToAdd) {
        throw Error(Errc::invalid_argument, "WorkCalendar::add_working_days: n = " + std::to_string(n) +
                                                "; must be 0.." + std::to_string(kMaxWorkingDaysToAdd));
    }
    // Instants far outside any plausible business date would overflow the date arithmetic.
    constexpr auto lowest = chr::sys_days{chr::year{1900} / 1 / 1};
    constexpr auto highest = chr::sys_days{chr::year{9000} / 1 / 1};
    if (t < lowest || t > highest) {
        throw Error(Errc::invalid_argument, "WorkCalendar::add_working_days: instant outside years 1900..9000");
    }
    const auto local = t + kChinaOffset;  // dates are China dates (UTC+8, no DST)
    const auto midnight = chr::floor<chr::days>(local);
    chr::milliseconds time_of_day = local - midnight;
    int s = static_cast<int>(midnight.time_since_epoch().count());
    if (!working(m_days_off, m_makeup_days, s)) {
        s = next_working(m_days_off, m_makeup_days, s);
        time_of_day = chr::milliseconds{0};
    }
    for (int i = 0; i < n; ++i) s = next_working(m_days_off, m_makeup_days, s);
    return chr::time_point_cast<chr::milliseconds>(chr::sys_days{chr::days{s}}) + time_of_day - kChinaOffset;
}

YearBasis WorkCalendar::basis(int year) const noexcept {
    if (m_years.count(year) != 0) return YearBasis::notice;
    if (m_statutory_years.count(year) != 0) return YearBasis::statutory;
    return YearBasis::weekdays;
}

std::vector<int> WorkCalendar::unofficial_years(Date from, Date to) const {
    require_valid(from, "unofficial_years");
    require_valid(to, "unofficial_years");
    std::vector<int> out;
    for (int y = static_cast<int>(from.year()); y <= static_cast<int>(to.year()); ++y)
        if (basis(y) != YearBasis::notice) out.push_back(y);
    return out;
}

WorkCalendar WorkCalendar::with_statutory_years() const {
    WorkCalendar out = *this;
    for (int year = kFirstStatutoryYear; year <= kLastStatutoryYear; ++year) {
        if (m_years.count(year) != 0) continue;
        auto days = statutory_days(year);
        if (!days) continue;  // the lunar library cannot compute it: Monday–Friday
        out.m_statutory_years.insert(year);
        // Consecutive days of one festival form one Holiday (春节 is four days).
        for (const auto& day : *days) {
            const int s = serial(day.date);
            out.m_days_off.insert(s);
            Holiday* last = out.m_holidays.empty() ? nullptr : &out.m_holidays.back();
            if (last != nullptr && last->provisional && last->name == day.name && serial(last->last) + 1 == s) {
                last->last = day.date;
            } else {
                Holiday h;
                h.name = day.name;
                h.first = day.date;
                h.last = day.date;
                h.provisional = true;
                out.m_holidays.push_back(std::move(h));
            }
        }
    }
    std::stable_sort(out.m_holidays.begin(), out.m_holidays.end(),
                     [](const Holiday& a, const Holiday& b) { return a.first < b.first; });
    return out;
}

int WorkCalendar::working_days_between(Date from, Date to) const {
    require_valid(from, "working_days_between");
    require_valid(to, "working_days_between");
    const int a = serial(from);
    const int b = serial(to);
    if (b <= a) return 0;
    // Monday–Friday count by arithmetic (ranges may span centuries), then the calendar's
    // exceptions inside [a, b).
    int weekdays = (b - a) / 7 * 5;
    for (int s = a + (b - a) / 7 * 7; s < b; ++s) weekdays += is_weekend(s) ? 0 : 1;
    for (auto it = m_days_off.lower_bound(a); it != m_days_off.end() && *it < b; ++it)
        weekdays -= is_weekend(*it) ? 0 : 1;
    for (auto it = m_makeup_days.lower_bound(a); it != m_makeup_days.end() && *it < b; ++it)
        weekdays += 1;  // make-up days are weekend days by construction
    return weekdays;
}

}  // namespace hcp
