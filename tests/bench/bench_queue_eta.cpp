// ETA error of the queue engine on replayed, simulated hall days ("Tests and figures").
// Run by `./dev bench`; one line per figure.
//
// A day (seeded, so every run replays the same days): a county hall with four categories on
// seven windows (window 3 serves two categories), about 320 citizens arriving 08:30–17:00 as a
// Poisson process with a morning and an afternoon peak and a quiet lunch (--load scales the
// rates), 8 % priority tickets, lognormal service times whose mean differs per category, windows
// signing in late, leaving for lunch and a break, and 5 % of citizens absent when called
// (skipped; half of them come back for the requeued call, the others become no_show). The
// engine's clock is the simulation's; five days (seeds seed..seed+4) are replayed by default.
//
// For every ticket the estimate given at issue (WaitEstimate::wait) is compared with the wait
// that followed (issue → first call); error = estimate − real wait, so a negative bias means the
// board promised less than the citizen waited. Baselines on the same tickets: "naive" = people
// ahead × the replayed days' mean service time of the whole hall ÷ the windows the engine
// counted, and "zero" (no estimate at all). "warm" = tickets taken after the first hour (09:30),
// when the moving averages have data. The diagnosis lines recompute the estimate with formulas
// the engine does not use: the engine's formula before 2026-12-02 (people ahead × average ÷
// windows, for the before/after comparison), and the trial formulas that located its error: +1
// ahead when every window of the category is busy (the tickets at the windows are not counted as
// ahead), the window's whole cycle (call → free) instead of the service time, and a window
// serving n categories counted as 1/n window for each. The engine now does the first and the
// last in its own way (queue.hpp, WaitEstimate).
#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <map>
#include <memory>
#include <numbers>
#include <optional>
#include <queue>
#include <random>
#include <string>
#include <vector>

#include "hcp/queue/queue.hpp"
#include "hcp/store/store.hpp"

namespace {

using namespace std::chrono_literals;
using hcp::TimePoint;

// ---- deterministic random numbers (mt19937_64 is specified bit for bit; the distributions of
// the standard library are not, so they are written out here) ----

struct Rng {
    std::mt19937_64 g;
    explicit Rng(std::uint64_t seed) : g(seed) {}
    double uniform() { return static_cast<double>(g() >> 11) * 0x1.0p-53; }  // [0, 1)
    double exponential(double rate) { return -std::log(1.0 - uniform()) / rate; }
    double normal() {  // Box–Muller
        double u1 = 1.0 - uniform(), u2 = uniform();
        return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
    }
    // Lognormal with the given mean and sigma of the logarithm.
    double lognormal(double mean, double sigma) {
        return std::exp(std::log(mean) - sigma * sigma / 2 + sigma * normal());
    }
    double between(double lo, double hi) { return lo + (hi - lo) * uniform(); }
};

// ---- the hall ----

struct CategorySpec {
    const char* code;
    const char* name;
    char prefix;
    std::vector<int> windows;
    double mean_service_min;
    double share;  // of arrivals
    int priority_ratio;
    int max_wait_minutes;
    const char* closes;
};

const std::vector<CategorySpec>& hall() {
    static const std::vector<CategorySpec> h = {
        {"SBYB", "社保医保", 'A', {1, 2, 3}, 6.0, 0.46, 3, 60, "17:00"},
        {"BDC", "不动产登记", 'B', {4, 5}, 13.0, 0.17, 4, 90, "16:30"},
        {"HJ", "户籍", 'C', {3, 6}, 5.0, 0.31, 3, 60, "17:00"},
        {"QYKB", "企业开办", 'D', {7}, 14.0, 0.06, 2, 45, "17:00"},
    };
    return h;
}

constexpr int kWindows = 7;

// How many categories window `w` serves.
int categories_of(int w) {
    int n = 0;
    for (const auto& c : hall()) n += static_cast<int>(std::count(c.windows.begin(), c.windows.end(), w));
    return std::max(n, 1);
}
constexpr double kPriorityShare = 0.08;
constexpr double kAbsentShare = 0.05;

// Arrivals per minute by time of day (minutes after midnight, China time).
double arrival_rate(double minute) {
    if (minute < 9 * 60) return 0.5;        // 08:30–09:00 doors open
    if (minute < 10 * 60 + 30) return 1.0;  // morning peak
    if (minute < 12 * 60) return 0.6;
    if (minute < 13 * 60 + 30) return 0.15;  // lunch
    if (minute < 14 * 60) return 0.4;
    if (minute < 15 * 60 + 30) return 0.8;  // afternoon peak
    return 0.35;
}
constexpr double kMaxRate = 1.0;

struct Citizen {
    double arrive_min = 0;  // minutes after midnight
    int category = 0;
    bool priority = false;
    double service_s = 0;
    double walk_s = 0;     // call → at the window (not part of the service)
    bool absent = false;   // not there at the first call
    bool returns = false;  // absent, but back for the requeued call
    // filled by the run
    bool issued = false;
    std::string number;
    hcp::WaitEstimate estimate;
    TimePoint issued_at{};
    std::optional<TimePoint> first_call;
    int calls = 0;
};

struct WindowPlan {
    int number;
    double sign_in_min;
    std::vector<std::pair<double, double>> away;  // [out, back) minutes
};

std::vector<WindowPlan> window_plans(Rng& rng) {
    std::vector<WindowPlan> p;
    for (int w = 1; w <= kWindows; ++w) p.push_back({w, 8 * 60 + 30 + rng.between(0, 8), {}});
    p[4].sign_in_min = 9 * 60 + 15;  // window 5 comes late (a meeting)
    // Lunch: windows 2, 5, 6, 7 leave at 12:00 and come back at 13:30 (1, 3, 4 stay on duty).
    for (int w : {2, 5, 6, 7}) p[static_cast<size_t>(w - 1)].away.push_back({12 * 60, 13 * 60 + 30});
    p[1].away.push_back({15 * 60, 15 * 60 + 20});  // window 2 takes a break
    return p;
}

// `load` scales every arrival rate.
std::vector<Citizen> citizens(Rng& rng, double load) {
    std::vector<Citizen> out;
    double t = 8 * 60 + 30;
    const double end = 17 * 60;
    while (true) {
        t += rng.exponential(kMaxRate * load);
        if (t >= end) break;
        if (rng.uniform() * kMaxRate >= arrival_rate(t)) continue;  // thinning
        Citizen c;
        c.arrive_min = t;
        double u = rng.uniform(), acc = 0;
        c.category = static_cast<int>(hall().size()) - 1;
        for (size_t i = 0; i < hall().size(); ++i) {
            acc += hall()[i].share;
            if (u < acc) {
                c.category = static_cast<int>(i);
                break;
            }
        }
        c.priority = rng.uniform() < kPriorityShare;
        c.service_s =
            std::max(45.0, 60.0 * rng.lognormal(hall()[static_cast<size_t>(c.category)].mean_service_min, 0.6));
        c.walk_s = rng.between(15, 60);
        c.absent = rng.uniform() < kAbsentShare;
        c.returns = c.absent && rng.uniform() < 0.5;
        out.push_back(c);
    }
    return out;
}

// ---- the day ----

enum class Kind { arrive, sign_in, leave, back, at_window, done, no_answer, end_of_day };

struct Event {
    TimePoint at;
    long seq;
    Kind kind;
    int window = 0;
    int citizen = -1;
    bool operator>(const Event& o) const { return at != o.at ? at > o.at : seq > o.seq; }
};

struct WindowState {
    bool open = false;
    bool busy = false;
    bool wants_out = false;
    bool day_over = false;
    int citizen = -1;
    TimePoint called_at{};
};

// One ticket as the figures see it.
struct Record {
    int category = 0;
    bool warm = false;  // taken from 09:30 on
    bool cold = false;  // the engine had no completed service of the category yet
    int ahead = 0;
    int windows_counted = 1;
    double engine_s = 0;  // WaitEstimate::wait at issue
    double before_s = 0;  // the engine's formula before 2026-12-02: ahead × average ÷ windows
    double actual_s = 0;  // issue → first call
    // Diagnosis only (not the engine): the same formula with the ticket(s) at the windows
    // counted, and with the window's whole cycle (call → next call possible) as the average.
    double plus_one_s = 0;
    double plus_one_cycle_s = 0;
    double plus_one_split_s = 0;  // +1, and a window serving n categories counted as 1/n
};

struct Day {
    std::shared_ptr<TimePoint> now = std::make_shared<TimePoint>();
    TimePoint midnight{};
    std::unique_ptr<hcp::QueueEngine> q;
    std::vector<Citizen> people;
    std::map<std::string, int> by_number;
    std::array<WindowState, kWindows + 1> win{};
    std::priority_queue<Event, std::vector<Event>, std::greater<>> events;
    long seq = 0;
    int refused = 0, skips = 0, no_shows = 0, served = 0;
    std::vector<double> service_done_s;
    std::vector<hcp::ServiceTimeAverage> cycle;  // per category, call → window free (diagnosis)
    std::vector<std::array<double, 3>> diag;     // per citizen: +1, +1 cycle, +1 split

    TimePoint at_min(double minute) const {
        return midnight + std::chrono::milliseconds{static_cast<long long>(std::llround(minute * 60000.0))};
    }
    void schedule(TimePoint at, Kind k, int w = 0, int c = -1) { events.push(Event{at, seq++, k, w, c}); }
    [[noreturn]] void fail(const char* what, const hcp::QueueFailure& f) {
        std::fprintf(stderr, "bench_queue_eta: %s refused: %s\n", what, f.message.c_str());
        std::exit(1);
    }
    WindowState& state(int w) { return win[static_cast<size_t>(w)]; }

    void close(int w) {
        auto r = q->close_window(w);
        if (!r) fail("close_window", r.error());
        state(w).open = false;
        state(w).wants_out = false;
    }

    // An idle open window calls the next ticket, or stays idle (or goes home after hours).
    void try_call(int w) {
        auto& s = state(w);
        if (!s.open || s.busy) return;
        if (s.wants_out) return close(w);
        auto r = q->call_next(w);
        if (!r) {
            if (r.error().cause != hcp::QueueErrc::queue_empty) fail("call_next", r.error());
            if (s.day_over) close(w);
            return;
        }
        int c = by_number.at(r.value().ticket.number);
        auto& p = people[static_cast<size_t>(c)];
        if (!p.first_call) p.first_call = *now;
        ++p.calls;
        s.busy = true;
        s.citizen = c;
        s.called_at = *now;
        const bool there = !p.absent || (p.calls > 1 && p.returns);
        if (there)
            schedule(*now + std::chrono::milliseconds{static_cast<long long>(p.walk_s * 1000)}, Kind::at_window, w, c);
        else
            schedule(*now + 60s, Kind::no_answer, w, c);  // recalled once, then skipped
    }
    void poke_idle() {
        for (int w = 1; w <= kWindows; ++w) try_call(w);
    }
    // The window is free again: its whole cycle feeds the diagnosis average.
    void freed(int w, int citizen) {
        auto& s = state(w);
        cycle[static_cast<size_t>(people[static_cast<size_t>(citizen)].category)].add(
            std::chrono::duration_cast<std::chrono::milliseconds>(*now - s.called_at));
        s.busy = false;
    }

    void handle(const Event& e) {
        *now = e.at;
        auto& s = state(e.window);
        switch (e.kind) {
            case Kind::arrive: {
                auto& p = people[static_cast<size_t>(e.citizen)];
                const auto& spec = hall()[static_cast<size_t>(p.category)];
                // Before the ticket: does any open window of the category stand idle? And its
                // windows with a shared window counted as its share (diagnosis).
                bool all_busy = true;
                double open_share = 0, configured_share = 0;
                for (int w : spec.windows) {
                    const double share = 1.0 / static_cast<double>(categories_of(w));
                    configured_share += share;
                    if (state(w).open) open_share += share;
                    if (state(w).open && !state(w).busy && !state(w).wants_out) all_busy = false;
                }
                auto r = q->take_ticket(spec.code, p.priority);
                if (!r) {
                    if (r.error().cause != hcp::QueueErrc::category_closed) fail("take_ticket", r.error());
                    ++refused;  // after the category's ticket hours: the citizen comes back tomorrow
                    return;
                }
                p.issued = true;
                p.number = r.value().ticket.number;
                p.estimate = r.value().estimate;
                p.issued_at = *now;
                by_number[p.number] = e.citizen;
                const auto& est = p.estimate;
                const int ahead = est.people_ahead + (all_busy ? 1 : 0);
                const double cyc = static_cast<double>(cycle[static_cast<size_t>(p.category)].value().count());
                const double avg = static_cast<double>(est.average_service.count());
                diag[static_cast<size_t>(e.citizen)] = {
                    static_cast<double>(hcp::estimate_wait(ahead, est.average_service, est.windows_counted).count()),
                    ahead * cyc / std::max(1, est.windows_counted),
                    ahead * avg / (open_share > 0 ? open_share : configured_share)};
                poke_idle();
                return;
            }
            case Kind::sign_in:
            case Kind::back: {
                auto r = q->open_window(
                    e.window, hcp::Staff{std::to_string(1000 + e.window), "工作人员" + std::to_string(e.window)});
                if (!r) fail("open_window", r.error());
                s.open = true;
                s.wants_out = false;
                try_call(e.window);
                return;
            }
            case Kind::leave:
                s.wants_out = true;
                if (!s.busy) close(e.window);
                return;
            case Kind::at_window: {
                auto r = q->start(e.window);
                if (!r) fail("start", r.error());
                const auto& p = people[static_cast<size_t>(e.citizen)];
                schedule(*now + std::chrono::milliseconds{static_cast<long long>(p.service_s * 1000)}, Kind::done,
                         e.window, e.citizen);
                return;
            }
            case Kind::done: {
                auto r = q->complete(e.window);
                if (!r) fail("complete", r.error());
                ++served;
                service_done_s.push_back(people[static_cast<size_t>(e.citizen)].service_s);
                freed(e.window, e.citizen);
                try_call(e.window);
                return;
            }
            case Kind::no_answer: {
                auto r = q->skip(e.window);
                if (!r) fail("skip", r.error());
                ++skips;
                if (!r.value().requeued) ++no_shows;
                freed(e.window, e.citizen);
                if (r.value().requeued)
                    poke_idle();
                else
                    try_call(e.window);
                return;
            }
            case Kind::end_of_day:
                for (int w = 1; w <= kWindows; ++w) {
                    state(w).day_over = true;
                    try_call(w);
                }
                return;
        }
    }
};

struct DayResult {
    std::vector<Record> records;
    std::vector<double> service_s;  // every completed service
    int issued = 0, priority = 0, refused = 0, served = 0, skips = 0, no_shows = 0;
};

// Replays one day on a fresh store file; exits on any refusal the day should not see.
DayResult run_day(const std::filesystem::path& db, std::uint64_t seed, double load) {
    {
        hcp::StoreOptions o;
        o.path = db;
        o.device_id = "bench-eta";
        o.min_free_bytes = 0;
        o.durability = hcp::Durability::off_for_fixtures;  // the ETA does not depend on fsync
        auto store = hcp::Store::open(o, hcp::SecretKey::random());
    }
    Day day;
    day.midnight = *hcp::parse_iso8601("2026-12-02T00:00:00+08:00");
    *day.now = day.at_min(8 * 60);
    hcp::QueueSetup s;
    for (const auto& c : hall()) {
        hcp::ServiceCategory sc;
        sc.code = c.code;
        sc.name = c.name;
        sc.prefix = c.prefix;
        sc.windows = c.windows;
        sc.priority_ratio = c.priority_ratio;
        sc.max_wait_minutes = c.max_wait_minutes;
        sc.opens = "08:30";
        sc.closes = c.closes;
        s.categories.push_back(sc);
    }
    for (int w = 1; w <= kWindows; ++w) {
        hcp::Window win{w, std::to_string(w) + "号窗口", {}};
        for (const auto& c : hall())
            if (std::count(c.windows.begin(), c.windows.end(), w) > 0) win.categories.push_back(c.code);
        s.windows.push_back(win);
    }
    auto clock = day.now;
    s.clock = [clock] { return *clock; };
    s.durability = hcp::Durability::off_for_fixtures;
    day.q = std::make_unique<hcp::QueueEngine>(hcp::QueueEngine::open(db, std::move(s)));
    day.cycle.assign(hall().size(), hcp::ServiceTimeAverage(day.q->setup().policy));

    Rng arrivals(seed), staff(seed ^ 0x5eedULL);
    day.people = citizens(arrivals, load);
    day.diag.resize(day.people.size());
    for (size_t i = 0; i < day.people.size(); ++i)
        day.schedule(day.at_min(day.people[i].arrive_min), Kind::arrive, 0, static_cast<int>(i));
    for (const auto& p : window_plans(staff)) {
        day.schedule(day.at_min(p.sign_in_min), Kind::sign_in, p.number);
        for (auto [out, back] : p.away) {
            day.schedule(day.at_min(out), Kind::leave, p.number);
            day.schedule(day.at_min(back), Kind::back, p.number);
        }
    }
    day.schedule(day.at_min(17 * 60), Kind::end_of_day);
    while (!day.events.empty()) {
        Event e = day.events.top();
        day.events.pop();
        day.handle(e);
    }

    DayResult out;
    out.service_s = day.service_done_s;
    out.refused = day.refused;
    out.served = day.served;
    out.skips = day.skips;
    out.no_shows = day.no_shows;
    const TimePoint warm_from = day.at_min(9 * 60 + 30);
    for (size_t i = 0; i < day.people.size(); ++i) {
        const auto& p = day.people[i];
        if (!p.issued) continue;
        ++out.issued;
        if (p.priority) ++out.priority;
        if (!p.first_call) {
            std::fprintf(stderr, "bench_queue_eta: %s was never called\n", p.number.c_str());
            std::exit(1);
        }
        Record r;
        r.category = p.category;
        r.warm = p.issued_at >= warm_from;
        r.cold = p.estimate.cold_start;
        r.ahead = p.estimate.people_ahead;
        r.windows_counted = std::max(1, p.estimate.windows_counted);
        r.engine_s = static_cast<double>(p.estimate.wait.count());
        r.before_s = static_cast<double>(
            hcp::estimate_wait(p.estimate.people_ahead, p.estimate.average_service, p.estimate.windows_counted)
                .count());
        r.actual_s = std::chrono::duration<double>(*p.first_call - p.issued_at).count();
        r.plus_one_s = day.diag[i][0];
        r.plus_one_cycle_s = day.diag[i][1];
        r.plus_one_split_s = day.diag[i][2];
        out.records.push_back(r);
    }
    return out;
}

// ---- figures ----

double pct(std::vector<double> v, double p) {
    if (v.empty()) return 0;
    std::sort(v.begin(), v.end());
    return v[static_cast<size_t>(std::lround(p * static_cast<double>(v.size() - 1)))];
}

struct Errors {
    size_t n = 0;
    double mae = 0, median = 0, p90 = 0, bias = 0, within5 = 0;
};

// Estimates and actual waits in seconds → error figures in minutes (error = estimate − actual).
Errors errors(const std::vector<double>& est, const std::vector<double>& actual) {
    Errors e;
    e.n = est.size();
    if (est.empty()) return e;
    std::vector<double> abs_err;
    double sum = 0, signed_sum = 0;
    int within = 0;
    for (size_t i = 0; i < est.size(); ++i) {
        double d = (est[i] - actual[i]) / 60.0;
        abs_err.push_back(std::fabs(d));
        sum += std::fabs(d);
        signed_sum += d;
        if (std::fabs(d) <= 5.0) ++within;
    }
    const double n = static_cast<double>(est.size());
    e.mae = sum / n;
    e.median = pct(abs_err, 0.5);
    e.p90 = pct(abs_err, 0.9);
    e.bias = signed_sum / n;
    e.within5 = 100.0 * within / n;
    return e;
}

std::string describe(const std::string& who, const Errors& e) {
    char buf[256];
    std::snprintf(buf, sizeof buf, "%s MAE %.1f min, median %.1f, p90 %.1f, bias %+.1f, within ±5 min %.0f%%",
                  who.c_str(), e.mae, e.median, e.p90, e.bias, e.within5);
    return buf;
}

template <class Pick, class Filter>
Errors errors_of(const std::vector<Record>& rs, Pick pick, Filter keep) {
    std::vector<double> est, act;
    for (const auto& r : rs)
        if (keep(r)) {
            est.push_back(pick(r));
            act.push_back(r.actual_s);
        }
    return errors(est, act);
}

}  // namespace

int main(int argc, char** argv) {
    std::filesystem::path workdir = "var/bench-queue-eta";
    std::uint64_t seed = 20261202;
    double load = 1.15;  // a busy day: real waits p50 ≈ 11 min, p90 ≈ 45 min
    int days = 5;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (std::strcmp(argv[i], "--workdir") == 0)
            workdir = argv[i + 1];
        else if (std::strcmp(argv[i], "--seed") == 0)
            seed = std::stoull(argv[i + 1]);
        else if (std::strcmp(argv[i], "--load") == 0)
            load = std::stod(argv[i + 1]);
        else if (std::strcmp(argv[i], "--days") == 0)
            days = std::max(1, std::atoi(argv[i + 1]));
        else {
            std::fprintf(stderr, "usage: hcp_bench_queue_eta [--workdir DIR] [--seed N] [--load X] [--days N]\n");
            return 2;
        }
    }
    std::filesystem::remove_all(workdir);
    std::filesystem::create_directories(workdir);

    const auto t0 = std::chrono::steady_clock::now();
    std::vector<Record> all;
    std::vector<double> services;
    DayResult total;
    std::string per_day;
    for (int d = 0; d < days; ++d) {
        DayResult r =
            run_day(workdir / ("day-" + std::to_string(d) + ".db"), seed + static_cast<std::uint64_t>(d), load);
        all.insert(all.end(), r.records.begin(), r.records.end());
        services.insert(services.end(), r.service_s.begin(), r.service_s.end());
        total.issued += r.issued;
        total.priority += r.priority;
        total.refused += r.refused;
        total.served += r.served;
        total.skips += r.skips;
        total.no_shows += r.no_shows;
        per_day += (per_day.empty() ? "" : "/") + std::to_string(r.issued);
    }
    const double run_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

    // The hall's mean service time over the replayed days: what a naive board would divide by.
    double mean_service_s = 0;
    for (double x : services) mean_service_s += x;
    mean_service_s /= static_cast<double>(std::max<size_t>(1, services.size()));
    std::vector<double> waits_min;
    int cold = 0;
    for (const auto& r : all) {
        waits_min.push_back(r.actual_s / 60.0);
        if (r.cold) ++cold;
    }

    std::printf(
        "queue eta days: %d (seeds %llu..%llu, load %.2f), %d tickets (%s per day; %d priority, %d refused after "
        "hours), %d served, %d skips, %d no_show, %d windows; real wait p50 %.1f / p90 %.1f / max %.1f min; "
        "cold-start estimates %d; replayed in %.1f s\n",
        days, static_cast<unsigned long long>(seed),
        static_cast<unsigned long long>(seed) + static_cast<unsigned long long>(days) - 1, load, total.issued,
        per_day.c_str(), total.priority, total.refused, total.served, total.skips, total.no_shows, kWindows,
        pct(waits_min, 0.5), pct(waits_min, 0.9), pct(waits_min, 1.0), cold, run_s);

    auto engine = [](const Record& r) { return r.engine_s; };
    auto naive = [mean_service_s](const Record& r) { return r.ahead * mean_service_s / r.windows_counted; };
    auto zero = [](const Record&) { return 0.0; };
    char naive_label[64];
    std::snprintf(naive_label, sizeof naive_label, "naive (%.1f min × ahead ÷ windows)", mean_service_s / 60.0);
    auto line = [&](const char* label, auto keep) {
        auto e = errors_of(all, engine, keep), n = errors_of(all, naive, keep), z = errors_of(all, zero, keep);
        std::printf("queue eta %s, %zu tickets: %s | %s | %s | MAE engine/naive %.2f, engine/zero %.2f\n", label, e.n,
                    describe("engine", e).c_str(), describe(naive_label, n).c_str(), describe("zero", z).c_str(),
                    n.mae > 0 ? e.mae / n.mae : 0.0, z.mae > 0 ? e.mae / z.mae : 0.0);
    };
    line("whole day", [](const Record&) { return true; });
    line("warm (taken from 09:30)", [](const Record& r) { return r.warm; });
    for (size_t c = 0; c < hall().size(); ++c) {
        const auto& spec = hall()[c];
        auto keep = [c](const Record& r) { return r.warm && static_cast<size_t>(r.category) == c; };
        auto e = errors_of(all, engine, keep);
        auto b = errors_of(
            all, [](const Record& r) { return r.before_s; }, keep);
        auto p1 = errors_of(
            all, [](const Record& r) { return r.plus_one_s; }, keep);
        auto p1s = errors_of(
            all, [](const Record& r) { return r.plus_one_split_s; }, keep);
        std::string windows;
        for (int w : spec.windows) windows += (windows.empty() ? "" : ",") + std::to_string(w);
        std::printf(
            "queue eta warm %s (windows %s, mean service %.0f min), %zu tickets: %s | diagnosis bias: before %+.1f, "
            "+1 %+.1f, +1 split %+.1f min\n",
            spec.code, windows.c_str(), spec.mean_service_min, e.n, describe("engine", e).c_str(), b.bias, p1.bias,
            p1s.bias);
    }
    auto warm = [](const Record& r) { return r.warm; };
    auto before = errors_of(
        all, [](const Record& r) { return r.before_s; }, warm);
    auto p1 = errors_of(
        all, [](const Record& r) { return r.plus_one_s; }, warm);
    auto p1c = errors_of(
        all, [](const Record& r) { return r.plus_one_cycle_s; }, warm);
    auto p1s = errors_of(
        all, [](const Record& r) { return r.plus_one_split_s; }, warm);
    std::printf("queue eta diagnosis, warm (formulas the engine does not use): %s | %s | %s | %s\n",
                describe("before 2026-12-02: ahead × average ÷ windows", before).c_str(),
                describe("+1 ahead while every window is busy", p1).c_str(),
                describe("+1 with call→free cycle average", p1c).c_str(),
                describe("+1 with shared windows split", p1s).c_str());
    std::filesystem::remove_all(workdir);
    return 0;
}
