// hcpctl check [--config FILE] [--json] [--skip-network] [--now ISO8601]
//
// The one command an installer runs on site. Every check is a small function in
// the table kChecks; each returns zero or more CheckResult lines (zero: not applicable to this
// device, e.g. no [printer]). A line is `ok`, `warning` or `error`, a short name, what was found
// in plain Chinese (with what to do for warnings and errors), then the English detail.
// docs/troubleshooting.md lists every line this file can print, with its cause and fix.
//
// Exit codes (cli.hpp): 0 every line ok; 1 (kExitFindings) warnings only; 3 (kExitFailed) at
// least one error: the device is not ready; 2 usage error.
//
// Why these rules:
// - Nothing is ever written to the database: it is opened read-only (SQLITE_OPEN_READONLY) and
//   the chain check uses the read-only verifier. The only write is a probe file in paths.data,
//   removed at once, to prove that the data folder takes new files.
// - Nothing hangs: TCP connects, HTTP requests, printer status and child processes
//   (timedatectl, lpstat) each have a deadline of at most 3 s; a printer probe that is still
//   blocked (a slow name lookup) after its deadline is abandoned on its own thread.
// - --now replaces the clock of the clock, calendar and backlog checks, so tests can check what
//   an installer would see on a device whose clock reads 2003 or 2027.
#include <curl/curl.h>
#include <fcntl.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <spawn.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/wait.h>
#include <unistd.h>
#include <CLI/CLI.hpp>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fstream>
#include <functional>
#include <future>
#include <iomanip>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "cli.hpp"
#include "hcp/base/crypto.hpp"
#include "hcp/base/io.hpp"
#include "hcp/base/time.hpp"
#include "hcp/config/config.hpp"
#include "hcp/domain/calendar.hpp"
#include "hcp/domain/calendar_sources.hpp"
#include "hcp/domain/catalog.hpp"
#include "hcp/hub_server/hall_api.hpp"
#include "hcp/printer/encoder.hpp"
#include "hcp/printer/jobs.hpp"
#include "hcp/printer/profile.hpp"
#include "hcp/printer/transport.hpp"
#include "hcp/sql/sqlite.hpp"
#include "hcp/store/outbox.hpp"
#include "hcp/store/store.hpp"
#include "hcp/store/verify.hpp"
#include "hcp/upload/upload.hpp"

extern char** environ;

namespace hcpctl {

namespace {

namespace fs = std::filesystem;
namespace sql = hcp::sql;
using Millis = std::chrono::milliseconds;

constexpr const char* kDefaultConfig = "/etc/hcp-kiosk/hall.toml";
constexpr const char* kServiceUser = "hcp";  // packaging/debian/postinst
constexpr Millis kStepDeadline{3000};        // every network, device and child-process step

// ---------------------------------------------------------------------------------------------
// Results

enum class Level { ok, warning, error };

std::string_view to_string(Level l) noexcept {
    switch (l) {
        case Level::ok: return "ok";
        case Level::warning: return "warning";
        case Level::error: return "error";
    }
    return "error";
}

struct CheckResult {
    Level level = Level::ok;
    std::string name;        // short, stable: "store-key", "printer" …
    std::string message_zh;  // what was found; for warnings and errors also what to do
    std::string detail;      // English: paths, values, the underlying error
};
using Results = std::vector<CheckResult>;

CheckResult ok(std::string name, std::string zh, std::string detail) {
    return {Level::ok, std::move(name), std::move(zh), std::move(detail)};
}
CheckResult warning(std::string name, std::string zh, std::string detail) {
    return {Level::warning, std::move(name), std::move(zh), std::move(detail)};
}
CheckResult error(std::string name, std::string zh, std::string detail) {
    return {Level::error, std::move(name), std::move(zh), std::move(detail)};
}

// ---------------------------------------------------------------------------------------------
// What every check sees

struct Options {
    fs::path config_path = kDefaultConfig;
    bool json = false;
    bool skip_network = false;
    std::optional<hcp::TimePoint> now;  // --now
};

struct Context {
    Options options;
    hcp::TimePoint now{};
    std::optional<hcp::Config> config;  // set when the configuration loaded
    bool db_current = false;            // the database opened, passed integrity_check, current schema
};

// ---------------------------------------------------------------------------------------------
// Small helpers

std::string mode_text(mode_t mode) {
    char buf[8];
    std::snprintf(buf, sizeof buf, "%04o", static_cast<unsigned>(mode & 07777U));
    return buf;
}

std::string one_line(std::string s) {
    for (char& c : s)
        if (c == '\n' || c == '\r' || c == '\t') c = ' ';
    return s;
}

std::string seconds_text(std::chrono::steady_clock::duration d) {
    std::ostringstream out;
    out << std::fixed << std::setprecision(1) << std::chrono::duration<double>(d).count();
    return out.str();
}

// "2026-12-02 12:20" in China time.
std::string china_time_text(hcp::TimePoint t) {
    const auto day = hcp::china_date(t);
    const auto tod = std::chrono::duration_cast<std::chrono::minutes>(hcp::china_time_of_day(t)).count();
    char buf[48];
    std::snprintf(buf, sizeof buf, " %02lld:%02lld", static_cast<long long>(tod / 60),
                  static_cast<long long>(tod % 60));
    return hcp::format_date(day) + buf;
}

bool has_role(const hcp::Config& c, hcp::DeviceRole r) {
    return c.device.roles.count(r) != 0;
}

bool has_ui_role(const hcp::Config& c) {
    using R = hcp::DeviceRole;
    return has_role(c, R::ticket) || has_role(c, R::rater) || has_role(c, R::selfservice) || has_role(c, R::display);
}

struct ServiceUser {
    uid_t uid;
    gid_t gid;
};

// The account the package runs the services as; nullopt where it does not exist (a developer's
// machine), and then ownership is not checked.
std::optional<ServiceUser> service_user() {
    const passwd* pw = ::getpwnam(kServiceUser);
    if (pw == nullptr) return std::nullopt;
    return ServiceUser{pw->pw_uid, pw->pw_gid};
}

// Runs argv[0] (looked up in PATH) with stdin and stderr on /dev/null and returns its stdout.
// Killed after `deadline`.
struct ProcessResult {
    bool started = false;  // false: the program is not installed
    bool timed_out = false;
    int exit_code = -1;
    std::string output;
};

ProcessResult run_process(const std::vector<std::string>& argv, Millis deadline) {
    ProcessResult result;
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) return result;
    hcp::io::UniqueFd read_end(fds[0]);
    hcp::io::UniqueFd write_end(fds[1]);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&actions, fds[1], 1);
    posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    pid_t pid = -1;
    const int rc = ::posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    write_end.reset();  // the child holds its copy; EOF on read_end when it exits
    if (rc != 0) return result;
    result.started = true;
    const auto end = std::chrono::steady_clock::now() + deadline;
    char buf[4096];
    for (;;) {
        const auto left = std::chrono::duration_cast<Millis>(end - std::chrono::steady_clock::now()).count();
        if (left <= 0) {
            result.timed_out = true;
            break;
        }
        pollfd p{read_end.get(), POLLIN, 0};
        const int r = ::poll(&p, 1, static_cast<int>(left));
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) {
            result.timed_out = r == 0;
            break;
        }
        const ssize_t n = ::read(read_end.get(), buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        if (result.output.size() < 64 * 1024) result.output.append(buf, static_cast<size_t>(n));
    }
    read_end.reset();
    if (result.timed_out) ::kill(pid, SIGKILL);
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
    if (!result.timed_out && WIFEXITED(status)) result.exit_code = WEXITSTATUS(status);
    return result;
}

// Runs `f` on its own thread and waits at most `deadline`. A call still running then is left to
// finish on its own (it owns everything it touches); nullopt says it did not answer in time.
template <class R>
std::optional<R> with_deadline(std::function<R()> f, Millis deadline) {
    std::packaged_task<R()> task(std::move(f));
    auto future = task.get_future();
    std::thread(std::move(task)).detach();
    if (future.wait_for(deadline) != std::future_status::ready) return std::nullopt;
    return future.get();
}

// ---------------------------------------------------------------------------------------------
// Secret files: the store key, the hall secret, API tokens, this device's hub token, the QR key.

struct SecretFile {
    std::string name;     // check name
    std::string what_zh;  // "存储密钥"
    std::string key;      // the configuration key that names it: "store.key_file"
    fs::path path;
    std::string missing_zh;                         // what to do when it is missing
    std::function<void(const fs::path&)> validate;  // throws hcp::Error on bad content
};

CheckResult check_secret_file(const SecretFile& s) {
    const std::string p = s.path.string();
    struct stat st {};
    if (::stat(s.path.c_str(), &st) != 0) {
        if (errno == EACCES)
            return warning(s.name, "当前账户无法读取" + s.what_zh + " " + p + "：请用 sudo hcpctl check 重新检查。",
                           p + ": permission denied (" + s.key + ")");
        return error(s.name, s.what_zh + " " + p + " 不存在：" + s.missing_zh, p + " does not exist (" + s.key + ")");
    }
    if (!S_ISREG(st.st_mode))
        return error(s.name, s.what_zh + " " + p + " 不是普通文件：请检查配置项 " + s.key + "。",
                     p + " is not a regular file (" + s.key + ")");
    if ((st.st_mode & 077U) != 0)
        return error(s.name,
                     s.what_zh + " " + p + " 的权限为 " + mode_text(st.st_mode) +
                         "，其他账户也能读取，服务会拒绝使用。请运行：chmod 600 " + p,
                     p + ": mode " + mode_text(st.st_mode) + ", must be 0600 (owner only)");
    if (::access(s.path.c_str(), R_OK) != 0)
        return warning(s.name, "当前账户无法读取" + s.what_zh + " " + p + "：请用 sudo hcpctl check 重新检查。",
                       p + ": not readable by this account");
    try {
        s.validate(s.path);
    } catch (const hcp::ConfigError& e) {
        std::string detail;
        for (const auto& i : e.issues()) detail += (detail.empty() ? "" : "; ") + i.to_string();
        return error(s.name, s.what_zh + " " + p + " 内容有误：请按英文说明逐项修改。", one_line(detail));
    } catch (const std::exception& e) {
        return error(s.name, s.what_zh + " " + p + " 内容无效：请换成正确的文件（格式见 docs/troubleshooting.md）。",
                     one_line(e.what()));
    }
    if (::geteuid() == 0) {
        if (auto su = service_user(); su && st.st_uid != su->uid)
            return warning(s.name,
                           s.what_zh + " " + p + " 不属于服务账户 " + kServiceUser +
                               "，服务可能无法读取。请运行：chown " + kServiceUser + ":" + kServiceUser + " " + p,
                           p + ": owner uid " + std::to_string(st.st_uid) + ", the service account " + kServiceUser +
                               " is uid " + std::to_string(su->uid));
    }
    return ok(s.name, s.what_zh + "正常（权限 " + mode_text(st.st_mode) + "）",
              p + ": mode " + mode_text(st.st_mode) + ", valid");
}

// ---------------------------------------------------------------------------------------------
// Configuration, catalog, calendar

Results check_config(Context& ctx) {
    const fs::path& file = ctx.options.config_path;
    const std::string f = file.string();
    std::error_code ec;
    if (!fs::exists(file, ec))
        return {error(
            "config",
            "找不到配置文件 " + f + "：请安装软件包（配置在 /etc/hcp-kiosk/hall.toml），或用 --config 指定配置文件。",
            f + " does not exist")};
    try {
        ctx.config = hcp::load_config(file);
    } catch (const hcp::ConfigError& e) {
        Results out;
        for (const auto& issue : e.issues()) {
            const std::string where = issue.line > 0 ? "第 " + std::to_string(issue.line) + " 行" : "";
            out.push_back(error("config",
                                "配置项 " + issue.key + " 缺少或填写有误：请打开 " + f +
                                    (where.empty() ? "" : " " + where) + "，按英文说明修改，再运行 hcpctl check。",
                                issue.to_string()));
        }
        return out;
    } catch (const std::exception& e) {
        return {
            error("config", "无法读取配置文件 " + f + "：请检查文件权限（sudo hcpctl check）。", one_line(e.what()))};
    }
    const auto& c = *ctx.config;
    std::string roles;
    for (auto r : c.device.roles) roles += (roles.empty() ? "" : ",") + std::string(hcp::to_string(r));
    return {ok("config",
               "配置有效：大厅 " + c.hall.code + " " + c.hall.name + "，设备 " + c.device.id + "（" + roles + "）",
               f + ": valid")};
}

Results check_catalog(Context& ctx) {
    if (!ctx.config) return {};
    const auto& path = ctx.config->rating.catalog;
    try {
        auto catalog = hcp::OptionCatalog::load_file(path);
        return {ok("catalog",
                   "差评选项目录已载入：" + catalog.id() + "，" + std::to_string(catalog.option_count()) + " 个选项",
                   path.string() + ": version " + std::to_string(catalog.version()))};
    } catch (const std::exception& e) {
        return {error("catalog",
                      "差评选项目录 " + path.string() + " 无法载入：请检查 [rating] catalog，或重新安装软件包。",
                      one_line(e.what()))};
    }
}

Results check_calendar(Context& ctx) {
    if (!ctx.config) return {};
    try {
        const hcp::LoadedCalendar loaded = hcp::load_hall_calendar(ctx.config->calendar);
        std::string years;
        for (int y : loaded.calendar.years()) years += (years.empty() ? "" : " ") + std::to_string(y);
        const auto today = hcp::china_date(ctx.now);
        const hcp::CalendarOutlook outlook = hcp::calendar_outlook(loaded.calendar, today);
        const std::string detail = "notice years: " + (years.empty() ? std::string("none") : years) + "; files in " +
                                   ctx.config->calendar.local_dir.string() + "; today " + hcp::format_date(today);
        if (!outlook.ok()) return {warning("calendar", outlook.warning_zh, detail + "; fix: sudo " + outlook.fix)};
        return {ok("calendar",
                   "未来 " + std::to_string(hcp::kCalendarWarningDays) + " 天的工作日按已导入的放假通知计算", detail)};
    } catch (const std::exception& e) {
        return {error("calendar",
                      "节假日历无法载入：请按错误信息修正 " + ctx.config->calendar.local_dir.string() +
                          " 中的文件（或删除后用 hcpctl calendar import 重新导入），或重新安装软件包。",
                      one_line(e.what()))};
    }
}

// The region's rule for unrated cases, in one line, and how its reminders leave.
Results check_unrated(Context& ctx) {
    if (!ctx.config) return {};
    const auto& p = ctx.config->rating.unrated;
    const std::string channel(hcp::to_string(ctx.config->reminder.channel));
    std::string zh = hcp::explain_zh(p) + "；提醒方式：";
    switch (ctx.config->reminder.channel) {
        case hcp::ReminderChannelKind::platform: zh += "由省平台发短信"; break;
        case hcp::ReminderChannelKind::sms: zh += "经短信网关发送"; break;
        case hcp::ReminderChannelKind::call_list: zh += "工作人员电话（hcpctl reminders 列出待提醒的办件）"; break;
    }
    return {ok("unrated", zh,
               "preset " + (p.preset.empty() ? std::string("(explicit)") : p.preset) + ", channel " + channel)};
}

// ---------------------------------------------------------------------------------------------
// Keys and secrets

Results check_store_key(Context& ctx) {
    if (!ctx.config) return {};
    const auto& c = *ctx.config;
    std::error_code ec;
    const std::string key = c.store.key_file.string();
    const std::string missing =
        fs::exists(c.store.database, ec)
            ? "数据库已存在，切勿新建密钥（否则已存的办事人信息无法读取）。请从备份恢复该密钥文件。"
            : "新设备请运行：runuser -u " + std::string(kServiceUser) + " -- hcpctl key create " + key +
                  "，并备份该文件。";
    return {check_secret_file({"store-key", "存储密钥", "store.key_file", c.store.key_file, missing,
                               [](const fs::path& p) { (void)hcp::SecretKey::load_file(p); }})};
}

Results check_upload_secret(Context& ctx) {
    if (!ctx.config || !ctx.config->upload) return {};
    const auto& path = ctx.config->upload->secret_file;
    return {check_secret_file(
        {"upload-secret", "平台大厅密钥", "upload.secret_file", path,
         "请把省级平台下发的大厅密钥（64 位十六进制）写入该文件，并运行 chmod 600 " + path.string() + "。",
         [](const fs::path& p) { (void)hcp::load_hall_secret(p); }})};
}

Results check_upload_profile(Context& ctx) {
    if (!ctx.config || !ctx.config->upload) return {};
    const auto& name = ctx.config->upload->profile;
    const auto path = ctx.config->paths.assets / "platforms" / (name + ".json");
    std::error_code ec;
    if (!fs::exists(path, ec)) {
        if (name == "generic")
            return {ok("upload-profile", "平台字段映射：generic（内置）", "built-in generic profile")};
        return {error(
            "upload-profile",
            "平台字段映射 " + name + " 不存在：请把 [upload] profile 改为 generic 或 zhejiang，或重新安装软件包。",
            path.string() + " does not exist")};
    }
    try {
        (void)hcp::load_platform_profile(path);
        return {ok("upload-profile", "平台字段映射：" + name, path.string() + ": valid")};
    } catch (const std::exception& e) {
        return {error("upload-profile", "平台字段映射文件 " + path.string() + " 有误：请重新安装软件包。",
                      one_line(e.what()))};
    }
}

Results check_api_tokens(Context& ctx) {
    if (!ctx.config || !ctx.config->api) return {};
    const auto& path = ctx.config->api->tokens_file;
    return {check_secret_file(
        {"api-tokens", "接口令牌文件", "api.tokens_file", path,
         "请按 docs/hall-api.md 为每台终端和业务系统写入令牌，然后运行 chmod 600 " + path.string() + "。",
         [](const fs::path& p) { (void)hcp::load_api_tokens(p); }})};
}

Results check_hub_token(Context& ctx) {
    if (!ctx.config || ctx.config->device.hub_url.empty()) return {};
    const auto& path = ctx.config->device.hub_token_file;
    return {check_secret_file(
        {"hub-token", "本机连接中心的令牌", "device.hub_token_file", path,
         "请把中心 api-tokens 文件中本设备的令牌写入该文件（一行），然后运行 chmod 600 " + path.string() + "。",
         [](const fs::path& p) { (void)hcp::load_hub_token(p); }})};
}

// The receipt QR key is optional: without it receipts carry no rating QR (the hub logs why).
Results check_qr_key(Context& ctx) {
    if (!ctx.config) return {};
    const auto& c = *ctx.config;
    if (!has_role(c, hcp::DeviceRole::hub) && !c.printer) return {};
    const auto& path = c.receipt_qr.key_file;
    if (path.empty()) return {};
    std::error_code ec;
    if (!fs::exists(path, ec))
        return {ok("qr-key",
                   "未安装回执二维码密钥：回执和票据上不印评价二维码（平台下发密钥后放到 " + path.string() + "）",
                   path.string() + " absent: receipt QR disabled")};
    auto r = check_secret_file({"qr-key", "回执二维码密钥", "receipt_qr.key_file", path, "",
                                [](const fs::path& p) { (void)hcp::SecretKey::load_file(p); }});
    // An unusable key only switches the QR off; the hall keeps working.
    if (r.level == Level::error) r.level = Level::warning;
    return {r};
}

// ---------------------------------------------------------------------------------------------
// Database (read-only)

// Nothing is ever written to the database; a writer's lock is waited for as long as any step.
sql::Db open_read_only(const fs::path& path) {
    return sql::Db(path, sql::Db::Mode::read_only, kStepDeadline);
}

const std::string kDbDontDelete =
    "请停止服务（systemctl stop hcp-hub），不要删除或覆盖该文件，联系技术支持从备份恢复。";

Results check_database(Context& ctx) {
    if (!ctx.config) return {};
    const auto& path = ctx.config->store.database;
    const std::string p = path.string();
    std::error_code ec;
    if (!fs::exists(path, ec))
        return {ok("database", "数据库尚未建立：服务首次启动时自动创建", p + " does not exist yet")};
    try {
        const auto started = std::chrono::steady_clock::now();
        auto db = open_read_only(path);
        const long long app_id = sql::single_int(db, "PRAGMA application_id");
        const long long version = sql::single_int(db, "PRAGMA user_version");
        const long long tables = sql::single_int(db, "SELECT count(*) FROM sqlite_master");
        if (tables == 0) return {ok("database", "数据库为空：服务首次启动时初始化", p + ": empty SQLite database")};
        if (app_id != hcp::kStoreApplicationId)
            return {error("database",
                          "数据库文件 " + p + " 不是本软件的数据库：请检查 [store] database 是否写错。" + kDbDontDelete,
                          p + ": application_id " + std::to_string(app_id) + ", not an hcp-kiosk database")};
        if (version > hcp::kStoreSchemaVersion)
            return {error(
                "database",
                "数据库由更新版本的软件写入（版本 " + std::to_string(version) + "）：请安装新版本软件包，不要降级。",
                p + ": schema version " + std::to_string(version) + ", this release knows up to " +
                    std::to_string(hcp::kStoreSchemaVersion))};
        std::string problems;
        for (const auto& line : sql::first_column(db, "PRAGMA integrity_check"))
            if (line != "ok") problems += (problems.empty() ? "" : "; ") + line;
        const auto took = std::chrono::steady_clock::now() - started;
        if (!problems.empty())
            return {error("database", "数据库已损坏（完整性检查未通过）：" + kDbDontDelete,
                          p + ": integrity_check: " + one_line(problems.substr(0, 300)))};
        if (version < hcp::kStoreSchemaVersion)
            return {ok("database", "数据库完好（版本 " + std::to_string(version) + "，服务启动时自动升级）",
                       p + ": integrity ok, schema " + std::to_string(version) + " < " +
                           std::to_string(hcp::kStoreSchemaVersion) + " (migrated at the next start)")};
        ctx.db_current = true;
        return {ok("database", "数据库完好（完整性检查通过，版本 " + std::to_string(version) + "）",
                   p + ": integrity ok, schema " + std::to_string(version) + ", " + seconds_text(took) + " s")};
    } catch (const sql::SqliteError& f) {
        const int code = f.sqlite_code() & 0xff;
        const std::string message = one_line(f.what());
        if (code == SQLITE_NOTADB)
            return {error("database", "数据库文件 " + p + " 已损坏，无法识别为数据库：" + kDbDontDelete,
                          p + ": " + message)};
        if (code == SQLITE_BUSY || code == SQLITE_LOCKED)
            return {
                warning("database", "数据库正忙，3 秒内无法读取：请稍后重新运行 hcpctl check。", p + ": " + message)};
        if (code == SQLITE_CANTOPEN || code == SQLITE_PERM)
            return {error("database", "无法打开数据库 " + p + "：请用 sudo hcpctl check 运行，并检查文件权限。",
                          p + ": " + message)};
        return {error("database", "数据库 " + p + " 读取出错：" + kDbDontDelete, p + ": " + message)};
    } catch (const std::exception& e) {
        return {error("database", "数据库 " + p + " 读取出错：" + kDbDontDelete, one_line(e.what()))};
    }
}

Results check_chain(Context& ctx) {
    if (!ctx.config || !ctx.db_current) return {};
    const auto& c = *ctx.config;
    std::optional<hcp::SecretKey> key;
    try {
        key = hcp::SecretKey::load_file(c.store.key_file);
    } catch (const std::exception&) {
        // Reported by store-key; the hashes and sequence are still checked.
    }
    Results out;
    try {
        // The store remembers the fingerprint of its key: another key file is said as such, not
        // as thousands of invalid MACs.
        auto db = open_read_only(c.store.database);
        auto fp = sql::first_column(db, "SELECT value FROM meta WHERE key = 'key_fingerprint'");
        if (key && !fp.empty() && fp[0] != key->derive(hcp::SecretKey::Purpose::personal_data).fingerprint()) {
            out.push_back(
                error("store-key",
                      "存储密钥 " + c.store.key_file.string() +
                          " 与数据库不匹配（数据库是用另一个密钥建立的）：请从备份恢复原来的密钥文件，切勿新建密钥。",
                      "database key fingerprint " + fp[0] + ", key file " + key->fingerprint()));
            key.reset();
        }
    } catch (const sql::SqliteError&) {
        // verify_store below says what is wrong with the file.
    }
    try {
        const auto started = std::chrono::steady_clock::now();
        const auto report = hcp::verify_store(c.store.database, key);
        const auto took = std::chrono::steady_clock::now() - started;
        const bool slow = took > std::chrono::seconds(2);
        const std::string took_zh = slow ? "，用时 " + seconds_text(took) + " 秒" : "";
        const std::string detail = std::to_string(report.ratings) + " ratings, " + std::to_string(report.devices) +
                                   " device(s), " + std::to_string(report.findings.size()) + " finding(s)" +
                                   (report.mac_checked ? ", MACs checked" : ", MACs not checked (no key)") + ", " +
                                   seconds_text(took) + " s";
        if (!report.ok()) {
            out.push_back(error("chain",
                                "评价链校验发现 " + std::to_string(report.findings.size()) +
                                    " 处问题（评价被删除、修改或插入）：请保留现场，运行 hcpctl verify " +
                                    c.store.database.string() + " --key " + c.store.key_file.string() +
                                    " 查看明细并上报。",
                                detail));
            return out;
        }
        out.push_back(ok("chain",
                         "评价链完整：" + std::to_string(report.ratings) + " 条评价，" +
                             std::to_string(report.devices) + " 台设备" + took_zh,
                         detail));
    } catch (const std::exception& e) {
        out.push_back(error("chain", "评价链无法校验：" + kDbDontDelete, one_line(e.what())));
    }
    return out;
}

// The outbox as SyncState counts it (store_outbox.cpp), read on a read-only connection.
Results check_outbox(Context& ctx) {
    if (!ctx.config || !ctx.db_current) return {};
    const auto& c = *ctx.config;
    const bool hub = has_role(c, hcp::DeviceRole::hub);
    const std::string target = hub || c.device.hub_url.empty() ? "platform" : "hub";
    try {
        auto db = open_read_only(c.store.database);
        const std::string where = " FROM outbox WHERE target = '" + target + "'";
        const long long waiting = sql::single_int(db, "SELECT count(*)" + where + " AND state IN ('pending', 'sent')");
        const long long rejected = sql::single_int(db, "SELECT count(*)" + where + " AND state = 'rejected'");
        const long long oldest_ms =
            sql::single_int(db,
                            "SELECT MIN(r.tapped_at) FROM outbox o JOIN ratings r ON r.id = o.rating_id "
                            "WHERE o.target = '" +
                                target + "' AND o.state IN ('pending', 'sent')");
        auto last_error = sql::first_column(db, "SELECT value FROM meta WHERE key = 'upload.last_error'");
        const std::string err =
            last_error.empty() || last_error[0].empty() ? "" : "; last error: " + one_line(last_error[0]);
        const std::string sync_cmd = "hcpctl sync --config " + c.source.string();
        Results out;
        if (target == "platform" && !c.upload) {
            out.push_back(ok("outbox", "未配置上传（[upload]）：" + std::to_string(waiting) + " 条评价保存在本机",
                             std::to_string(waiting) + " not uploaded, no [upload]"));
            return out;
        }
        const hcp::TimePoint oldest{Millis(oldest_ms)};
        const auto age = std::chrono::duration_cast<Millis>(ctx.now - oldest);
        const std::string detail = std::to_string(waiting) + " not uploaded to " + target +
                                   (waiting > 0 ? ", oldest " + hcp::format_age(age) : "") + ", " +
                                   std::to_string(rejected) + " rejected" + err;
        if (waiting > 0 && age > std::chrono::hours(24)) {
            const std::string age_zh = hcp::format_age(age);
            if (target == "platform")
                out.push_back(warning("outbox",
                                      std::to_string(waiting) + " 条评价未上传，最早的已等待 " + age_zh +
                                          "，请检查网络或运行 " + sync_cmd,
                                      detail));
            else
                out.push_back(warning("outbox",
                                      std::to_string(waiting) + " 条评价未送到中心，最早的已等待 " + age_zh +
                                          "，请检查与中心的网络（device.hub_url）和中心服务",
                                      detail));
        } else {
            out.push_back(ok("outbox",
                             waiting == 0 ? "评价已全部上传" : std::to_string(waiting) + " 条评价等待上传（24 小时内）",
                             detail));
        }
        if (rejected > 0)
            out.push_back(warning("outbox",
                                  "平台拒收了 " + std::to_string(rejected) + " 条评价：请运行 " + sync_cmd +
                                      " --status 查看原因并联系省级平台",
                                  std::to_string(rejected) + " rejected by the platform"));
        return out;
    } catch (const std::exception& e) {
        return {warning("outbox", "无法读取上传队列：请稍后重新运行 hcpctl check。", one_line(e.what()))};
    }
}

// ---------------------------------------------------------------------------------------------
// Disk and data folder

Results check_disk(Context& ctx) {
    if (!ctx.config) return {};
    const auto& c = *ctx.config;
    const std::string d = c.paths.data.string();
    struct statvfs vfs {};
    if (::statvfs(c.paths.data.c_str(), &vfs) != 0) return {};  // reported by data-dir
    const long long free_mb =
        static_cast<long long>(static_cast<unsigned long long>(vfs.f_bavail) * vfs.f_frsize / (1024ULL * 1024ULL));
    const long long min_mb = c.store.min_free_mb;
    const std::string detail =
        d + ": " + std::to_string(free_mb) + " MB free, store.min_free_mb " + std::to_string(min_mb);
    if (free_mb < min_mb)
        return {
            error("disk",
                  "数据目录所在磁盘只剩 " + std::to_string(free_mb) + " MB，低于 " + std::to_string(min_mb) +
                      " MB，已不能保存新评价：请清理磁盘（journalctl --vacuum-size=100M、apt clean）或更换更大的存储。",
                  detail)};
    if (free_mb < 4 * min_mb)
        return {warning("disk",
                        "数据目录所在磁盘只剩 " + std::to_string(free_mb) +
                            " MB，快要不够了：请清理磁盘（journalctl --vacuum-size=100M、apt clean）。",
                        detail)};
    return {ok("disk", "磁盘剩余 " + std::to_string(free_mb) + " MB", detail)};
}

Results check_data_dir(Context& ctx) {
    if (!ctx.config) return {};
    const auto& dir = ctx.config->paths.data;
    const std::string d = dir.string();
    struct stat st {};
    const std::string make = "install -d -o " + std::string(kServiceUser) + " -g " + kServiceUser + " -m 0750 " + d;
    if (::stat(dir.c_str(), &st) != 0)
        return {error("data-dir", "数据目录 " + d + " 不存在：请运行 dpkg --configure -a，或：" + make,
                      d + " does not exist")};
    if (!S_ISDIR(st.st_mode))
        return {error("data-dir", "数据目录 " + d + " 不是文件夹：请检查 [paths] data。", d + " is not a directory")};
    // The write probe: a read-only or full file system shows here, before a rating is lost.
    std::string probe = (dir / ".hcpctl-check-XXXXXX").string();
    const hcp::io::UniqueFd fd(::mkstemp(probe.data()));
    if (!fd) {
        const int err = errno;
        return {error("data-dir",
                      "数据目录 " + d + " 无法写入：" +
                          (err == EROFS    ? std::string("文件系统为只读，请检查存储设备")
                           : err == ENOSPC ? "磁盘已满，请清理磁盘"
                                           : "请用 sudo hcpctl check 运行并检查目录权限"),
                      d + ": cannot create a file: " + std::strerror(err))};
    }
    ::unlink(probe.c_str());
    if (::geteuid() == 0) {
        if (auto su = service_user(); su && st.st_uid != su->uid)
            return {warning("data-dir",
                            "数据目录 " + d + " 不属于服务账户 " + kServiceUser + "，服务无法写入：请运行 chown " +
                                kServiceUser + ":" + kServiceUser + " " + d,
                            d + ": owner uid " + std::to_string(st.st_uid))};
    }
    return {ok("data-dir", "数据目录可写（权限 " + mode_text(st.st_mode) + "）",
               d + ": writable, mode " + mode_text(st.st_mode))};
}

// ---------------------------------------------------------------------------------------------
// Clock

// The year must be plausible: certificates, the platform's replay window and every stored tap
// time depend on it.
CheckResult clock_result(hcp::TimePoint now) {
    const int year = static_cast<int>(hcp::china_date(now).year());
    const std::string shown = china_time_text(now);
    if (year < 2024 || year > 2099)
        return error(
            "clock",
            "系统时间为 " + shown + "，请校准时间（NTP）：timedatectl set-ntp true，或 date -s \"YYYY-MM-DD HH:MM\"",
            "system clock reads " + hcp::format_iso8601(now) + " (year " + std::to_string(year) +
                " outside 2024..2099)");
    return ok("clock", "系统时间 " + shown + "（北京时间）", hcp::format_iso8601(now));
}

Results check_clock(Context& ctx) {
    return {clock_result(ctx.now)};
}

// timedatectl answers where systemd runs; elsewhere (a container, no timedated) nothing is said.
Results check_ntp(Context&) {
    const auto r = run_process({"timedatectl", "show", "-p", "NTPSynchronized", "--value"}, kStepDeadline);
    if (!r.started || r.timed_out || r.exit_code != 0) return {};
    std::string v = r.output;
    while (!v.empty() && (v.back() == '\n' || v.back() == ' ')) v.pop_back();
    if (v == "yes") return {ok("ntp", "系统时间已与网络时间同步（NTP）", "NTPSynchronized=yes")};
    if (v == "no")
        return {warning("ntp",
                        "系统时间未与网络时间同步（NTP）：请运行 timedatectl set-ntp true 并检查网络；大厅内网请在 "
                        "/etc/systemd/timesyncd.conf 填写 NTP 服务器。",
                        "NTPSynchronized=no")};
    return {};
}

CheckResult timezone_result(const std::string& name, long offset_seconds) {
    char off[48];
    const long a = offset_seconds < 0 ? -offset_seconds : offset_seconds;
    std::snprintf(off, sizeof off, "%c%02ld:%02ld", offset_seconds < 0 ? '-' : '+', a / 3600, (a % 3600) / 60);
    const std::string detail = "time zone " + name + ", UTC" + off;
    if (name == "Asia/Shanghai" || offset_seconds == 8 * 3600)
        return ok("timezone", "时区为北京时间（" + name + "，UTC" + off + "）", detail);
    return warning("timezone",
                   "系统时区为 " + name + "（UTC" + off +
                       "），不是北京时间：请运行 timedatectl set-timezone Asia/Shanghai"
                       "（评价时间不受影响，但日志和系统工具显示的时间会不对）。",
                   detail);
}

std::string timezone_name() {
    if (const char* tz = std::getenv("TZ"); tz != nullptr && *tz != '\0') return tz[0] == ':' ? tz + 1 : tz;
    std::error_code ec;
    const auto target = fs::read_symlink("/etc/localtime", ec).string();
    if (!ec) {
        if (auto pos = target.find("zoneinfo/"); pos != std::string::npos) return target.substr(pos + 9);
        return target;
    }
    std::ifstream f("/etc/timezone");
    std::string line;
    if (std::getline(f, line) && !line.empty()) return line;
    return "unknown";
}

Results check_timezone(Context& ctx) {
    ::tzset();
    const std::time_t t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::time_point(ctx.now));
    std::tm tm{};
    ::localtime_r(&t, &tm);
    return {timezone_result(timezone_name(), tm.tm_gmtoff)};
}

// ---------------------------------------------------------------------------------------------
// Printer

std::string status_zh(hcp::printer::PrinterCondition c) {
    using C = hcp::printer::PrinterCondition;
    switch (c) {
        case C::ready: return "打印机就绪";
        case C::paper_near_end: return "打印纸快用完了，请准备新纸卷";
        case C::paper_out: return "打印机缺纸，请装纸（装好后合上盖子）";
        case C::cover_open: return "打印机盖子没有合好，请合上盖子";
        case C::offline: return "打印机离线或故障，请检查指示灯，必要时关机重开";
        case C::no_answer:
            return "打印机不回答状态查询，请检查电源和连接线；若该型号不支持状态查询，请在打印机型号配置中关闭 "
                   "status_dle_eot";
        case C::unknown: return "打印机返回了无法识别的状态，请关机重开后再检查";
    }
    return "打印机状态未知";
}

struct PrinterProbe {
    bool opened = false;
    std::string open_error;
    bool bidirectional = false;
    std::optional<hcp::printer::PrinterCondition> condition;
};

// One printer: `name` is the check's short name ("printer", "receipt-printer-3"), `key` where
// the installer fixes it ("[printer]", "[[window]] 3 号窗口的 receipt_printer").
Results check_one_printer(const hcp::Config& c, const hcp::PrinterConfig& pc, const std::string& name,
                          const std::string& key) {
    const std::string spec_text = pc.transport_text;
    const std::string status_name = name + "-status";
    hcp::printer::Profile profile;
    try {
        profile = pc.profile.ends_with(".toml") ? hcp::printer::load_profile(fs::path(pc.profile))
                                                : hcp::printer::load_profile(c.paths.assets / "printers", pc.profile);
    } catch (const std::exception& e) {
        return {error(name,
                      "打印机型号配置 " + pc.profile + " 无法读取：请检查 " + key +
                          " 的打印机型号（generic-58、generic-80 或 generic-safe）。",
                      one_line(e.what()))};
    }
    const auto& spec = pc.transport;
    using K = hcp::TransportSpec::Kind;
    const std::string unreachable_zh =
        (name == "printer" ? "打印机" : key + "：打印机") + "无法连接（" + spec_text + "）：";
    switch (spec.kind) {
        case K::file: {
            const fs::path parent =
                fs::path(spec.target).parent_path().empty() ? fs::path(".") : fs::path(spec.target).parent_path();
            if (::access(parent.c_str(), W_OK) != 0)
                return {error(
                    name,
                    unreachable_zh + "文件夹 " + parent.string() + " 不存在或不可写，请检查 " + key + " 的连接方式。",
                    spec_text + ": " + parent.string() + ": " + std::strerror(errno))};
            return {
                ok(name, "打印输出到文件 " + spec.target + "（测试用，不接打印机）", spec_text + ": folder writable")};
        }
        case K::cups: {
            const auto r = run_process({"lpstat", "-p", spec.target}, kStepDeadline);
            if (!r.started)
                return {error(name, unreachable_zh + "未安装 CUPS 客户端，请运行 apt install cups-client。",
                              "lpstat not found")};
            if (r.timed_out)
                return {error(name, unreachable_zh + "CUPS 服务 3 秒内无应答，请运行 systemctl status cups 检查。",
                              "lpstat -p " + spec.target + " timed out")};
            if (r.exit_code != 0)
                return {error(name,
                              unreachable_zh + "CUPS 中没有打印队列 " + spec.target + "，请用 lpstat -p 查看队列名。",
                              "lpstat -p " + spec.target + " exited with " + std::to_string(r.exit_code))};
            if (r.output.find("disabled") != std::string::npos)
                return {error(name, "CUPS 打印队列 " + spec.target + " 已停用：请运行 cupsenable " + spec.target + "。",
                              one_line(r.output))};
            return {ok(name, "CUPS 打印队列 " + spec.target + " 可用（" + profile.id + "，不支持状态查询）",
                       one_line(r.output))};
        }
        case K::device:
        case K::serial: {
            std::error_code ec;
            if (!fs::exists(spec.target, ec))
                return {error(name,
                              unreachable_zh + "找不到设备 " + spec.target +
                                  "，请检查 USB/串口线和打印机电源（ls /dev/usb/ 或 ls /dev/tty*）。",
                              spec.target + " does not exist")};
            if (::access(spec.target.c_str(), W_OK) != 0)
                return {error(name,
                              unreachable_zh + "当前账户不能写设备 " + spec.target +
                                  "，请检查 udev 规则（组 hcp-print），或用 sudo hcpctl check。",
                              spec.target + ": " + std::strerror(errno))};
            break;
        }
        case K::tcp: break;
    }
    // Open (and ask for the status) on a thread with a deadline: a name lookup can block longer
    // than any timeout the transport itself can set.
    const bool ask = profile.status_dle_eot;
    auto transport = std::shared_ptr<hcp::printer::Transport>(hcp::printer::make_transport(spec));
    auto probe = with_deadline<PrinterProbe>(
        [transport, ask] {
            PrinterProbe p;
            if (auto r = transport->open(kStepDeadline); !r) {
                p.open_error = r.error().detail;
                return p;
            }
            p.opened = true;
            p.bidirectional = transport->bidirectional();
            // Three DLE EOT round trips of at most 0.9 s each.
            if (ask && p.bidirectional) p.condition = hcp::printer::query_status(*transport, Millis(900));
            transport->close();
            return p;
        },
        kStepDeadline + Millis(3000));
    const std::string fix = spec.kind == K::tcp
                                ? "请检查打印机电源、网线和 IP 地址（与本机同一网段，端口一般为 9100）。"
                                : "请检查打印机电源和连接线。";
    if (!probe)
        return {
            error(name, unreachable_zh + fix,
                  spec_text + ": no answer within " + std::to_string((kStepDeadline.count() + 3000) / 1000) + " s")};
    if (!probe->opened) return {error(name, unreachable_zh + fix, one_line(probe->open_error))};
    Results out;
    out.push_back(ok(name, "打印机可连接（" + profile.id + "，" + spec_text + "）", spec_text + ": opened"));
    if (!ask) {
        const std::string selftest = name == "printer"
                                         ? "hcpctl print selftest --config " + c.source.string()
                                         : "hcpctl print selftest --printer " + spec_text + " --profile " + pc.profile;
        out.push_back(ok(status_name, "该打印机型号不支持状态查询，请打印测试页确认（" + selftest + "）",
                         "profile " + profile.id + ": status_dle_eot = false"));
    } else if (!probe->bidirectional) {
        out.push_back(
            ok(status_name, "该连接方式只能单向发送，无法查询状态，请打印测试页确认", spec_text + " is one-way"));
    } else if (probe->condition) {
        using C = hcp::printer::PrinterCondition;
        const auto cond = *probe->condition;
        const std::string detail = "DLE EOT: " + std::string(hcp::printer::to_string(cond));
        if (cond == C::ready)
            out.push_back(ok(status_name, status_zh(cond), detail));
        else if (cond == C::paper_near_end || cond == C::no_answer || cond == C::unknown)
            out.push_back(warning(status_name, status_zh(cond), detail));
        else
            out.push_back(error(status_name, status_zh(cond), detail));
    }
    return out;
}

Results check_printer(Context& ctx) {
    if (!ctx.config) return {};
    const auto& c = *ctx.config;
    Results out;
    if (c.printer) out = check_one_printer(c, *c.printer, "printer", "[printer]");
    for (const auto& wp : c.receipt_printers) {
        auto more = check_one_printer(c, wp.printer, "receipt-printer-" + std::to_string(wp.window),
                                      std::to_string(wp.window) + " 号窗口的回执打印机（[[window]] receipt_printer）");
        out.insert(out.end(), more.begin(), more.end());
    }
    return out;
}

// ---------------------------------------------------------------------------------------------
// Hub and platform over HTTP (libcurl)

struct CurlCleanup {
    void operator()(CURL* c) const noexcept { curl_easy_cleanup(c); }
};
using CurlHandle = std::unique_ptr<CURL, CurlCleanup>;
struct SlistFree {
    void operator()(curl_slist* l) const noexcept { curl_slist_free_all(l); }
};

struct HttpOutcome {
    CURLcode code = CURLE_OK;
    long status = 0;
    std::string body;
    std::string error;  // curl's error buffer
    Millis took{0};
};

size_t collect(char* data, size_t size, size_t n, void* user) {
    auto* body = static_cast<std::string*>(user);
    const size_t bytes = size * n;
    if (body->size() < 64 * 1024) body->append(data, std::min(bytes, 64 * 1024 - body->size()));
    return bytes;
}

HttpOutcome http_probe(const std::string& url, bool head, const hcp::UploadConfig* tls) {
    static const bool initialised = curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK;
    (void)initialised;
    HttpOutcome out;
    CurlHandle curl(curl_easy_init());
    if (!curl) {
        out.code = CURLE_FAILED_INIT;
        out.error = "curl_easy_init failed";
        return out;
    }
    char errbuf[CURL_ERROR_SIZE] = {0};
    CURL* c = curl.get();
    curl_easy_setopt(c, CURLOPT_URL, url.c_str());
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
    // Name lookup, TCP and the TLS handshake within 3 s; the answer within 3 s more.
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(kStepDeadline.count()));
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(2 * kStepDeadline.count()));
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, &collect);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &out.body);
    curl_easy_setopt(c, CURLOPT_USERAGENT, "hcpctl-check/" HCP_VERSION);
    if (head) curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
    if (tls != nullptr) {
        if (!tls->ca_bundle.empty()) curl_easy_setopt(c, CURLOPT_CAINFO, tls->ca_bundle.c_str());
        if (!tls->pinned_public_key.empty())
            curl_easy_setopt(c, CURLOPT_PINNEDPUBLICKEY, tls->pinned_public_key.c_str());
        if (!tls->proxy.empty()) curl_easy_setopt(c, CURLOPT_PROXY, tls->proxy.c_str());
    } else {
        curl_easy_setopt(c, CURLOPT_PROXY, "");  // the hub is in the hall's LAN
    }
    const auto started = std::chrono::steady_clock::now();
    out.code = curl_easy_perform(c);
    out.took = std::chrono::duration_cast<Millis>(std::chrono::steady_clock::now() - started);
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &out.status);
    out.error = errbuf[0] != '\0' ? errbuf : curl_easy_strerror(out.code);
    return out;
}

// The host[:port] of a URL, for messages.
std::string url_host(const std::string& url) {
    auto start = url.find("://");
    start = start == std::string::npos ? 0 : start + 3;
    auto end = url.find('/', start);
    return url.substr(start, end == std::string::npos ? std::string::npos : end - start);
}

std::string network_fault_zh(const HttpOutcome& r, const std::string& what, const std::string& host) {
    switch (r.code) {
        case CURLE_COULDNT_RESOLVE_HOST:
            return "无法解析" + what + "的域名 " + host + "：请检查地址是否写错，以及 DNS 设置（/etc/resolv.conf）。";
        case CURLE_COULDNT_RESOLVE_PROXY: return "无法解析代理服务器地址：请检查 [upload] proxy。";
        case CURLE_COULDNT_CONNECT: return "连接不上" + what + " " + host + "：";
        case CURLE_OPERATION_TIMEDOUT: return "连接" + what + " " + host + " 超时（3 秒内无应答）：";
        default: return "连接" + what + " " + host + " 失败：";
    }
}

Results check_hub(Context& ctx) {
    if (!ctx.config || ctx.config->device.hub_url.empty()) return {};
    const auto& c = *ctx.config;
    if (ctx.options.skip_network)
        return {ok("hub", "未检查中心连接（使用了 --skip-network）", "skipped: " + c.device.hub_url)};
    std::string base = c.device.hub_url;
    while (!base.empty() && base.back() == '/') base.pop_back();
    const std::string url = base + "/api/v1/health";
    const auto r = http_probe(url, false, nullptr);
    const std::string host = url_host(url);
    const std::string fix =
        "请确认中心已开机、hcp-hub 服务在运行（在中心上运行 systemctl status hcp-hub），并检查网线和 device.hub_url。";
    if (r.code != CURLE_OK) {
        std::string zh = network_fault_zh(r, "中心", host);
        if (r.code != CURLE_COULDNT_RESOLVE_HOST && r.code != CURLE_COULDNT_RESOLVE_PROXY) zh += fix;
        return {error("hub", zh, url + ": " + one_line(r.error))};
    }
    nlohmann::json j;
    try {
        j = nlohmann::json::parse(r.body);
    } catch (const std::exception&) {
        j = nullptr;
    }
    if (r.status != 200 || !j.is_object() || !j.contains("status"))
        return {error("hub",
                      "地址 " + base + " 不是好差评中心（健康检查返回 HTTP " + std::to_string(r.status) +
                          "）：请检查 device.hub_url（例如 http://192.168.1.10:8787）。",
                      url + ": HTTP " + std::to_string(r.status) + ", not an hcp hub health reply")};
    const std::string hall = j.value("hall", std::string());
    const std::string version = j.value("version", std::string());
    const std::string detail =
        url + ": HTTP 200, hall " + hall + ", version " + version + ", " + std::to_string(r.took.count()) + " ms";
    if (hall != c.hall.code)
        return {error(
            "hub",
            "中心属于大厅 " + hall + "，本机配置的大厅为 " + c.hall.code + "：请核对 hall.code 和 device.hub_url。",
            detail)};
    if (j.value("status", std::string()) != "ok")
        return {error("hub", "中心的数据库读取出错：请在中心上运行 sudo hcpctl check。", detail)};
    if (!version.empty() && version != HCP_VERSION)
        return {warning(
            "hub", "中心软件版本 " + version + " 与本机 " + HCP_VERSION + " 不同：请把大厅所有设备升级到同一版本。",
            detail)};
    return {ok("hub", "中心可连接（大厅 " + hall + "，" + std::to_string(r.took.count()) + " 毫秒）", detail)};
}

// What curl's verification message means, for the installer.
std::string tls_problem_zh(const std::string& error) {
    auto has = [&](const char* s) { return error.find(s) != std::string::npos; };
    if (has("expired")) return "平台证书已过期（也可能是本机时间不对，请先看 clock 一行）";
    if (has("not yet valid")) return "平台证书尚未生效（多半是本机时间不对，请先校准时间）";
    if (has("self-signed") || has("self signed"))
        return "平台使用自签名证书（请在 [upload] ca_bundle 指定平台提供的 CA 证书）";
    if (has("local issuer") || has("unable to get issuer"))
        return "找不到签发平台证书的机构（请安装 ca-certificates，或在 [upload] ca_bundle 指定平台提供的 CA 证书）";
    if (has("subject name") || has("does not match") || has("no alternative"))
        return "平台证书上的域名与 base_url 不符（请核对 [upload] base_url）";
    if (has("revoked")) return "平台证书已被吊销（请联系省级平台）";
    return "平台证书无法验证";
}

Results check_platform(Context& ctx) {
    if (!ctx.config || !ctx.config->upload) return {};
    const auto& up = *ctx.config->upload;
    if (ctx.options.skip_network)
        return {ok("platform", "未检查省级平台连接（使用了 --skip-network）", "skipped: " + up.base_url)};
    const auto r = http_probe(up.base_url, true, &up);
    const std::string host = url_host(up.base_url);
    const bool https = up.base_url.rfind("https://", 0) == 0;
    const std::string detail =
        up.base_url + ": " + (r.code == CURLE_OK ? "HTTP " + std::to_string(r.status) : one_line(r.error));
    switch (r.code) {
        case CURLE_OK: break;
        case CURLE_PEER_FAILED_VERIFICATION:
        case CURLE_SSL_CACERT_BADFILE:
            return {error("platform", "TLS 证书验证失败：" + tls_problem_zh(r.error) + "。", detail)};
        case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
            return {error("platform",
                          "平台证书的公钥与 [upload] pinned_public_key 不符：请向省级平台核实新的公钥后更新配置。",
                          detail)};
        case CURLE_SSL_CONNECT_ERROR:
            return {error("platform", "与省级平台的 TLS 握手失败：请检查代理或防火墙是否拦截了 HTTPS，或联系省级平台。",
                          detail)};
        default: {
            std::string zh = network_fault_zh(r, "省级平台", host);
            if (r.code != CURLE_COULDNT_RESOLVE_HOST && r.code != CURLE_COULDNT_RESOLVE_PROXY)
                zh += "请检查外网连接、防火墙（放行 " + host + "）或 [upload] proxy。";
            return {error("platform", zh, detail)};
        }
    }
    if (!https) {
        const bool local = host.rfind("127.", 0) == 0 || host.rfind("localhost", 0) == 0 || host.rfind("[::1]", 0) == 0;
        if (!local)
            return {
                warning("platform",
                        "省级平台地址不是 https，评价以明文传输：请改用平台提供的 https 地址（[upload] base_url）。",
                        detail + " (no TLS)")};
        return {ok("platform", "省级平台可连接（本机测试平台，HTTP " + std::to_string(r.status) + "）",
                   detail + " (no TLS)")};
    }
    return {ok("platform", "省级平台可连接，TLS 证书验证通过（HTTP " + std::to_string(r.status) + "）",
               detail + ", TLS verified")};
}

// ---------------------------------------------------------------------------------------------
// Font and display

Results check_font(Context& ctx) {
    if (!ctx.config) return {};
    const auto& c = *ctx.config;
    if (!has_ui_role(c) && !c.printer) return {};
    std::vector<fs::path> candidates;
    if (const char* env = std::getenv("HCP_FONT_FILE"); env != nullptr && *env != '\0') candidates.emplace_back(env);
    candidates.push_back(c.paths.assets / "fonts" / "hcp-cjk-sc-regular.otf");
    candidates.push_back(hcp::printer::default_font_path());
    std::string tried;
    for (const auto& f : candidates) {
        std::error_code ec;
        const auto size = fs::file_size(f, ec);
        if (!ec && size > 1024 * 1024 && ::access(f.c_str(), R_OK) == 0) {
            char mb[32];
            std::snprintf(mb, sizeof mb, "%.1f", static_cast<double>(size) / (1024.0 * 1024.0));
            return {ok("font", "中文字体已安装（" + std::string(mb) + " MB）", f.string())};
        }
        tried += (tried.empty() ? "" : ", ") + f.string();
    }
    return {error(
        "font",
        "找不到中文字体 hcp-cjk-sc-regular.otf，屏幕和小票无法显示中文：请运行 apt install --reinstall hcp-kiosk。",
        "not found or too small: " + tried)};
}

Results check_display(Context& ctx) {
    if (!ctx.config || !has_ui_role(*ctx.config)) return {};
    for (const char* var : {"WAYLAND_DISPLAY", "DISPLAY"})
        if (const char* v = std::getenv(var); v != nullptr && *v != '\0')
            return {ok("display", "检测到图形显示（" + std::string(var) + "）", std::string(var) + "=" + v)};
    std::error_code ec;
    for (const auto& e : fs::directory_iterator("/dev/dri", ec))
        if (e.path().filename().string().rfind("card", 0) == 0)
            return {ok("display", "检测到显卡（" + e.path().string() + "）", e.path().string())};
    return {warning("display", "未检测到显示输出：请检查显示器、触摸屏的连接和显卡驱动（ls /dev/dri/ 应有 card0）。",
                    "no WAYLAND_DISPLAY, DISPLAY or /dev/dri/card*")};
}

// ---------------------------------------------------------------------------------------------
// The table: run in this order (config first: the others read it; database before chain and
// outbox: they need a readable, current database).

struct Check {
    const char* name;
    Results (*run)(Context&);
};

constexpr Check kChecks[] = {
    {"config", check_config},
    {"catalog", check_catalog},
    {"calendar", check_calendar},
    {"unrated", check_unrated},
    {"store-key", check_store_key},
    {"upload-secret", check_upload_secret},
    {"upload-profile", check_upload_profile},
    {"api-tokens", check_api_tokens},
    {"hub-token", check_hub_token},
    {"qr-key", check_qr_key},
    {"database", check_database},
    {"chain", check_chain},
    {"outbox", check_outbox},
    {"disk", check_disk},
    {"data-dir", check_data_dir},
    {"clock", check_clock},
    {"ntp", check_ntp},
    {"timezone", check_timezone},
    {"printer", check_printer},
    {"hub", check_hub},
    {"platform", check_platform},
    {"font", check_font},
    {"display", check_display},
};

void print_line(const CheckResult& r) {
    std::string name = r.name + ' ';  // at least one space, also after a long name (receipt-printer-12)
    if (name.size() < 15) name.resize(15, ' ');
    std::string level(to_string(r.level));
    level.resize(8, ' ');
    std::cout << level << name << r.message_zh << " — " << r.detail << std::endl;
}

struct CheckArgs {
    std::optional<std::string> config;
    std::optional<std::string> now;
    bool json = false;
    bool skip_network = false;
};

int run_check(const CheckArgs& args) {
    Context ctx;
    if (args.config) ctx.options.config_path = *args.config;
    ctx.options.json = args.json;
    ctx.options.skip_network = args.skip_network;
    if (args.now) {
        auto t = hcp::parse_iso8601(*args.now);
        if (!t) throw UsageError("--now must be an ISO 8601 time such as 2026-10-08T09:30:00+08:00");
        ctx.options.now = *t;
    }
    ctx.now = ctx.options.now.value_or(hcp::now());

    if (!ctx.options.json) {
        std::cout << "hcpctl check " << ctx.options.config_path.string() << " (hcpctl " << HCP_VERSION << ")\n";
        if (::geteuid() != 0) std::cout << "提示：不是以 root 运行，部分文件可能无法读取；请用 sudo hcpctl check。\n";
        std::cout << std::flush;
    }
    Results all;
    for (const auto& check : kChecks) {
        Results results;
        try {
            results = check.run(ctx);
        } catch (const std::exception& e) {
            // A check must never stop the others; this is a bug in the check, said as such.
            results.push_back(error(check.name, "检查过程出错：请把这一行报告给技术支持。", one_line(e.what())));
        }
        for (auto& r : results) {
            if (!ctx.options.json) print_line(r);
            all.push_back(std::move(r));
        }
    }
    int errors = 0, warnings = 0;
    for (const auto& r : all) {
        if (r.level == Level::error) ++errors;
        if (r.level == Level::warning) ++warnings;
    }
    if (ctx.options.json) {
        auto j = nlohmann::json::array();
        for (const auto& r : all)
            j.push_back(
                {{"level", to_string(r.level)}, {"name", r.name}, {"message", r.message_zh}, {"detail", r.detail}});
        std::cout << j.dump(2) << '\n';
    } else if (errors == 0 && warnings == 0) {
        std::cout << "结果：全部正常。— all " << all.size() << " checks ok\n";
    } else {
        std::cout << "结果：" << errors << " 个错误，" << warnings
                  << " 个警告。请按上面的提示处理后重新运行 hcpctl check。— " << errors << " error(s), " << warnings
                  << " warning(s)\n";
    }
    if (errors > 0) return kExitFailed;
    if (warnings > 0) return kExitFindings;
    return kExitOk;
}

}  // namespace

void add_check_command(CLI::App& app, int& exit_code) {
    CLI::App& cmd = *app.add_subcommand(
        "check",
        "check this device on site: configuration, keys, database, disk, clock, printer, hub,\n"
        "platform, font, display (docs/troubleshooting.md); exit 0 all ok, 1 warnings only, 3 errors");
    auto o = std::make_shared<CheckArgs>();
    cmd.add_option("--config", o->config, "the configuration (default /etc/hcp-kiosk/hall.toml)")->option_text("FILE");
    cmd.add_flag("--json", o->json, "print the results as a JSON array");
    cmd.add_flag("--skip-network", o->skip_network, "leave out the hub and platform probes");
    cmd.add_option("--now", o->now, "check as if the clock read this time (tests)")->option_text("ISO8601");
    cmd.callback([o, &exit_code] { exit_code = run_check(*o); });
}

}  // namespace hcpctl
