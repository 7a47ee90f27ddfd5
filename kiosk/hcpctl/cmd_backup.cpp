// hcpctl backup DB OUT [--key FILE] [--force]
// hcpctl restore BACKUP DB [--key FILE] [--force]
//
// Contracts:
// - backup copies through SQLite's online backup API (sqlite3_backup_step, a few hundred pages
//   per step) from a read-only connection. On a WAL database (the store always is) it holds one
//   read snapshot for the whole copy: the hub keeps writing meanwhile (readers never block a WAL
//   writer) and the copy is exactly the database as of the moment the copy began, so it has every
//   rating committed before that. It writes OUT.tmp (mode 0600), switches the copy to a
//   self-contained rollback journal, runs PRAGMA integrity_check, fsyncs, renames to OUT, then
//   verifies the rating chains (hcp::verify_store) and prints counts. OUT is never overwritten
//   without --force; a failed copy leaves OUT as it was.
// - restore checks the backup first (an hcp-kiosk database, integrity_check ok, schema not newer
//   than this release, every chain intact, with --key the MACs and the key fingerprint) and
//   refuses while any process has DB open (the WAL-index lock the hub holds for as long as it
//   runs) or holds a lock on it. An existing DB is replaced only with --force and is first
//   copied to DB.before-restore-<YYYYmmdd-HHMMSS>. The restored file is written next to DB
//   through the backup API, checked, fsynced, given DB's owner and mode, and renamed over DB
//   after the stale DB-wal and DB-shm are removed (an old WAL replayed onto the restored file
//   would corrupt it).
// - The storage key is not in the backup: both commands say so.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <CLI/CLI.hpp>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <ctime>
#include <iomanip>
#include <iostream>
#include <memory>
#include <sstream>
#include <thread>

#include "cli.hpp"
#include "hcp/base/crypto.hpp"
#include "hcp/base/io.hpp"
#include "hcp/sql/sqlite.hpp"
#include "hcp/store/store.hpp"
#include "hcp/store/verify.hpp"

namespace hcpctl {

namespace {

namespace fs = std::filesystem;

namespace sql = hcp::sql;

constexpr int kPagesPerStep = 256;

// A refusal: the reason is for people, nothing was changed. exit_code as in cli.hpp.
struct Refused {
    int exit_code;
    std::string message;
};

using DbPtr = std::unique_ptr<sql::Db>;

DbPtr open_db(const fs::path& path, sql::Db::Mode mode) {
    try {
        return std::make_unique<sql::Db>(path, mode);
    } catch (const sql::SqliteError& e) {
        throw hcp::Error(hcp::Errc::store_failure, "无法打开 " + path.string() + "：" + e.what());
    }
}

struct StoreHeader {
    int version = 0;
    std::string journal_mode;
};

// The file must be an hcp-kiosk store whose schema this release knows.
StoreHeader check_store(const sql::Db& db, const fs::path& path, const std::string& what) {
    StoreHeader h;
    long long app_id = 0;
    try {
        app_id = sql::single_int(db, "PRAGMA application_id");
        h.version = static_cast<int>(sql::single_int(db, "PRAGMA user_version"));
        h.journal_mode = sql::first_column(db, "PRAGMA journal_mode").at(0);
    } catch (const std::exception& e) {
        throw Refused{kExitFindings, what + " " + path.string() + " 不是 SQLite 数据库（文件已损坏或不是备份）：" +
                                         e.what() + "。请换一份备份。"};
    }
    if (app_id != hcp::kStoreApplicationId)
        throw Refused{kExitFindings, what + " " + path.string() + " 不是 hcp-kiosk 的数据库：请检查文件名。"};
    if (h.version > hcp::kStoreSchemaVersion)
        throw Refused{kExitFindings, what + " " + path.string() + " 来自更新的 hcp-kiosk（数据库版本 " +
                                         std::to_string(h.version) + "，本程序只认识到 " +
                                         std::to_string(hcp::kStoreSchemaVersion) +
                                         "）：请先安装那个版本的软件包，再恢复。数据库从不降级。"};
    return h;
}

std::vector<std::string> integrity_problems(const sql::Db& db) {
    std::vector<std::string> problems;
    for (auto& line : sql::first_column(db, "PRAGMA integrity_check"))
        if (line != "ok") problems.push_back(line);
    return problems;
}

void remove_file(const fs::path& path) {
    if (::unlink(path.c_str()) != 0 && errno != ENOENT)
        throw hcp::Error(hcp::Errc::io_failure, "无法删除 " + path.string() + "：" + std::strerror(errno));
}

// Copies the whole database in pages through the backup API; a lock held by someone else is
// waited for about 30 s.
void copy_pages(sql::Db& out, const sql::Db& src, bool wal) {
    sql::Backup backup(out, src);
    int busy = 0;
    for (;;) {
        const auto progress = backup.step(kPagesPerStep);
        if (progress == sql::Backup::Progress::done) break;
        if (progress == sql::Backup::Progress::busy) {
            if (++busy > 600) throw hcp::Error(hcp::Errc::store_failure, "数据库一直被占用（30 秒），请稍后重试");
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
            continue;
        }
        if (!wal) std::this_thread::sleep_for(std::chrono::milliseconds(5));  // let a writer in between steps
    }
    backup.finish();
}

// Copies the database open on `src` into the new file `dst` (mode 0600) through the backup API,
// then makes the copy self-contained (rollback journal) and checks it. Throws on any failure and
// removes `dst` then.
void copy_through_backup_api(sql::Db& src, bool wal, const fs::path& dst) {
    remove_file(dst);
    {
        const hcp::io::UniqueFd fd(::open(dst.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600));
        if (!fd)
            throw hcp::Error(hcp::Errc::io_failure, "无法创建 " + dst.string() + "：" + std::strerror(errno) +
                                                        "（目录不存在或无写权限？磁盘已满？）");
    }
    try {
        {
            auto out = open_db(dst, sql::Db::Mode::read_write_create);
            // One read snapshot for the whole copy on a WAL database: writers go on, the copy does
            // not restart. (On a rollback-journal database a held read lock would block the writer,
            // so there each step takes its own and the copy restarts when the source changes.)
            if (wal) {
                src.exec("BEGIN");
                sql::single_int(src, "SELECT count(*) FROM sqlite_master");
            }
            try {
                copy_pages(*out, src, wal);
            } catch (const sql::SqliteError& e) {
                throw hcp::Error(hcp::Errc::store_failure, std::string("复制失败：") + e.what());
            }
            if (wal) src.exec("COMMIT");
            sql::first_column(*out, "PRAGMA journal_mode = DELETE");
            auto problems = integrity_problems(*out);
            if (!problems.empty())
                throw hcp::Error(hcp::Errc::store_failure, "副本未通过完整性检查：" + problems.front());
        }
        hcp::io::sync_file(dst);
    } catch (...) {
        if (wal) {
            try {
                src.exec("ROLLBACK");
            } catch (const sql::SqliteError&) {
                // No transaction left open (it failed after COMMIT): nothing to undo.
            }
        }
        ::unlink(dst.c_str());
        ::unlink((dst.string() + "-journal").c_str());
        ::unlink((dst.string() + "-wal").c_str());
        ::unlink((dst.string() + "-shm").c_str());
        throw;
    }
}

void print_report(const hcp::VerifyReport& r) {
    std::cout << "评价 " << r.ratings << " 条，来自 " << r.devices << " 台设备；"
              << (r.mac_checked ? "评价链与设备签名（MAC）均已核对" : "评价链已核对（加 --key 还可核对设备签名）");
    std::cout << (r.ok() ? "，完整\n" : "，发现 " + std::to_string(r.findings.size()) + " 个问题：\n");
    for (const auto& f : r.findings) std::cout << "  TAMPERED  " << f.describe() << '\n';
}

// The personal-data key fingerprint the database was created with (meta), or "".
std::string stored_key_fingerprint(const sql::Db& db) {
    try {
        auto rows = sql::first_column(db, "SELECT value FROM meta WHERE key = 'key_fingerprint'");
        return rows.empty() ? "" : rows[0];
    } catch (const hcp::Error&) {
        return "";
    }
}

// Refuses when `key` is not the key the database was made with.
void check_key_matches(const sql::Db& db, const std::optional<hcp::SecretKey>& key, const fs::path& path,
                       const std::string& key_file) {
    if (!key) return;
    const std::string stored = stored_key_fingerprint(db);
    const std::string mine = key->derive(hcp::SecretKey::Purpose::personal_data).fingerprint();
    if (!stored.empty() && stored != mine)
        throw Refused{kExitFindings, path.string() + " 是用另一把存储密钥建立的，" + key_file +
                                         " 不是它的密钥：请找到那台设备原来的 store.key（备份时应与数据库分开保存）。"};
}

const char* kKeyReminder =
    "注意：存储密钥不在备份里。请把密钥文件（配置 [store] key_file，通常是 /var/lib/hcp-kiosk/store.key）"
    "另外备份、与数据库备份分开保存；没有它，备份中的办事人信息（姓名、电话、证件号）无法读取。\n";

std::string file_size_text(const fs::path& p) {
    std::error_code ec;
    const auto bytes = fs::file_size(p, ec);
    if (ec) return "?";
    std::ostringstream o;
    o << std::fixed << std::setprecision(1) << static_cast<double>(bytes) / (1024.0 * 1024.0) << " MB";
    return o.str();
}

// Some process has the database open (the hub holds a read lock on the WAL-index "DMS" byte for
// as long as it runs) or holds a lock on the database file itself.
std::optional<pid_t> holder_of(const fs::path& db) {
    auto probe = [](const fs::path& p, off_t start, off_t len) -> std::optional<pid_t> {
        const hcp::io::UniqueFd fd(::open(p.c_str(), O_RDONLY | O_CLOEXEC));
        if (!fd) return std::nullopt;
        struct flock l {};
        l.l_type = F_WRLCK;
        l.l_whence = SEEK_SET;
        l.l_start = start;
        l.l_len = len;
        std::optional<pid_t> pid;
        if (::fcntl(fd.get(), F_GETLK, &l) == 0 && l.l_type != F_UNLCK) pid = l.l_pid;
        return pid;
    };
    // os_unix.c: UNIX_SHM_DMS = (22 + 8) * 4 + 8 = 128 in the -shm file; PENDING_BYTE 0x40000000
    // and the shared range after it in the database file.
    if (auto pid = probe(db.string() + "-shm", 128, 1)) return pid;
    return probe(db, 0x40000000, 512);
}

std::string timestamp() {
    const std::time_t t = std::time(nullptr);
    std::tm tm{};
    ::localtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y%m%d-%H%M%S", &tm);
    return buf;
}

// `hcpctl backup DB OUT` and `hcpctl restore BACKUP DB`: from and to.
struct BackupArgs {
    std::string from;
    std::string to;
    std::optional<std::string> key;
    bool force = false;
};

std::optional<hcp::SecretKey> key_option(const BackupArgs& args) {
    if (args.key) return hcp::SecretKey::load_file(*args.key);
    return std::nullopt;
}

int backup(const BackupArgs& args) {
    const fs::path db_path = args.from;
    const fs::path out = args.to;
    const auto key = key_option(args);
    std::error_code ec;
    if (!fs::exists(db_path, ec))
        throw Refused{kExitFailed, db_path.string() + " 不存在：请检查数据库路径（配置 [store] database）。"};
    if (fs::exists(out, ec) && !args.force)
        throw Refused{kExitFailed, out.string() + " 已存在，未覆盖。换一个文件名，或确认要覆盖时加 --force。"};
    if (fs::exists(out, ec) && fs::is_directory(out, ec))
        throw Refused{kExitFailed, out.string() + " 是文件夹：请给出备份文件名，例如 " + (out / "hub.db").string()};

    const auto started = std::chrono::steady_clock::now();
    auto src = open_db(db_path, sql::Db::Mode::read_only);
    const auto header = check_store(*src, db_path, "数据库");
    check_key_matches(*src, key, db_path, args.key.value_or(""));
    const fs::path tmp = out.string() + ".tmp";
    copy_through_backup_api(*src, header.journal_mode == "wal", tmp);
    src.reset();
    if (::rename(tmp.c_str(), out.c_str()) != 0) {
        const int e = errno;
        ::unlink(tmp.c_str());
        throw hcp::Error(hcp::Errc::io_failure,
                         "无法把 " + tmp.string() + " 改名为 " + out.string() + "：" + std::strerror(e));
    }
    hcp::io::sync_directory(out.parent_path());
    const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);

    auto copy = open_db(out, sql::Db::Mode::read_only);
    const long long cases = sql::single_int(*copy, "SELECT count(*) FROM cases");
    const long long waiting = sql::single_int(*copy, "SELECT count(*) FROM outbox WHERE state IN ('pending', 'sent')");
    copy.reset();
    auto report = hcp::verify_store(out, key);

    std::cout << "已备份 " << db_path.string() << " → " << out.string() << "（" << file_size_text(out) << "，用时 "
              << std::fixed << std::setprecision(1) << static_cast<double>(took.count()) / 1000.0
              << " 秒，完整性检查通过）\n";
    print_report(report);
    std::cout << "办件 " << cases << " 条；待上传 " << waiting << " 条\n";
    std::cout << kKeyReminder;
    if (!report.ok()) {
        std::cout << "备份已写入，与数据库一致；但数据库中的评价链有问题：运行 hcpctl verify " << db_path.string()
                  << " 查看，并保留这份备份作为证据。\n";
        return kExitFindings;
    }
    return kExitOk;
}

int restore(const BackupArgs& args) {
    const fs::path backup_path = args.from;
    const fs::path db_path = args.to;
    const auto key = key_option(args);
    std::error_code ec;
    if (!fs::exists(backup_path, ec))
        throw Refused{kExitFailed, backup_path.string() + " 不存在：请检查备份文件路径。"};
    if (fs::equivalent(backup_path, db_path, ec)) throw Refused{kExitUsage, "备份和数据库是同一个文件。"};

    // 1. The backup must be sound before anything is touched.
    auto src = open_db(backup_path, sql::Db::Mode::read_only);
    const auto header = check_store(*src, backup_path, "备份");
    if (auto problems = integrity_problems(*src); !problems.empty())
        throw Refused{kExitFindings, "备份 " + backup_path.string() + " 已损坏（完整性检查：" + problems.front() +
                                         "）：请换一份备份。"};
    check_key_matches(*src, key, backup_path, args.key.value_or(""));
    auto backup_report = hcp::verify_store(backup_path, key);
    if (!backup_report.ok()) {
        std::ostringstream o;
        o << "备份 " << backup_path.string() << " 中的评价链有问题，未恢复：\n";
        for (const auto& f : backup_report.findings) o << "  TAMPERED  " << f.describe() << '\n';
        o << "请换一份备份（hcpctl verify 可逐份检查）。";
        throw Refused{kExitFindings, o.str()};
    }

    // 2. Nobody may have the database open, and an existing one is replaced only on purpose.
    const bool db_exists = fs::exists(db_path, ec);
    if (auto pid = holder_of(db_path))
        throw Refused{kExitFailed,
                      "数据库 " + db_path.string() + " 正在被进程 " + std::to_string(*pid) +
                          " 使用（hcp-hub 或 hcp-kiosk 在运行）：请先停止它，再恢复：\n"
                          "  systemctl stop hcp-hub.service（一体机：systemctl stop hcp-kiosk-session.service）"};
    if (db_exists && !args.force)
        throw Refused{kExitFailed, db_path.string() +
                                       " 已存在，未改动。确认要用备份替换它时加 --force"
                                       "（当前数据库会先保存为 " +
                                       db_path.string() + ".before-restore-<时间>）。"};

    // 3. Keep the current database.
    // The restored file gets the current database's owner and mode (or the folder's owner, 0600):
    // run as root, it must still belong to the service account that opens it.
    struct stat st {};
    const fs::path folder = db_path.parent_path().empty() ? fs::path(".") : db_path.parent_path();
    const bool from_db = db_exists && ::stat(db_path.c_str(), &st) == 0;
    if (!from_db && ::stat(folder.c_str(), &st) != 0)
        throw Refused{kExitFailed,
                      "文件夹 " + folder.string() + " 不存在：请先创建它（hcpctl provision 会创建数据目录）。"};
    const mode_t mode = from_db ? (st.st_mode & 0777) : 0600;
    const uid_t uid = st.st_uid;
    const gid_t gid = st.st_gid;
    auto give_owner = [&](const fs::path& p) {
        if (::geteuid() == 0 && ::chown(p.c_str(), uid, gid) != 0)
            throw hcp::Error(hcp::Errc::io_failure, "无法设置 " + p.string() + " 的属主：" + std::strerror(errno));
        if (::chmod(p.c_str(), mode) != 0)
            throw hcp::Error(hcp::Errc::io_failure, "无法设置 " + p.string() + " 的权限：" + std::strerror(errno));
    };
    std::string kept;
    if (db_exists) {
        const fs::path before = db_path.string() + ".before-restore-" + timestamp();
        try {
            auto cur = open_db(db_path, sql::Db::Mode::read_only);
            const auto mode_now = sql::first_column(*cur, "PRAGMA journal_mode");
            copy_through_backup_api(*cur, !mode_now.empty() && mode_now[0] == "wal", before);
        } catch (const hcp::Error&) {
            // Not a readable database (that may be why it is restored): keep its bytes as they are.
            fs::copy_file(db_path, before, fs::copy_options::overwrite_existing);
            if (fs::exists(db_path.string() + "-wal", ec))
                fs::copy_file(db_path.string() + "-wal", before.string() + "-wal",
                              fs::copy_options::overwrite_existing);
            hcp::io::sync_file(before);
        }
        give_owner(before);
        kept = before.string();
    }

    // 4. The restored file next to DB, then renamed over it.
    const fs::path tmp = db_path.string() + ".restore-tmp";
    copy_through_backup_api(*src, header.journal_mode == "wal", tmp);
    src.reset();
    give_owner(tmp);
    remove_file(db_path.string() + "-wal");
    remove_file(db_path.string() + "-shm");
    remove_file(db_path.string() + "-journal");
    if (::rename(tmp.c_str(), db_path.c_str()) != 0) {
        const int e = errno;
        ::unlink(tmp.c_str());
        throw hcp::Error(hcp::Errc::io_failure, "无法把 " + tmp.string() + " 改名为 " + db_path.string() + "：" +
                                                    std::strerror(e) + (kept.empty() ? "" : "；原数据库在 " + kept));
    }
    hcp::io::sync_directory(db_path.parent_path());

    auto report = hcp::verify_store(db_path, key);
    std::cout << "已从 " << backup_path.string() << " 恢复 " << db_path.string() << "（数据库版本 " << header.version
              << "，完整性检查通过）\n";
    print_report(report);
    if (!kept.empty()) std::cout << "恢复前的数据库保存为 " << kept << "（确认无误后可删除）\n";
    std::cout << "存储密钥不在备份里：请确认配置 [store] key_file 是备份时那台设备的 store.key"
                 "（加 --key 可在恢复前核对），然后启动服务：systemctl start hcp-hub.service\n";
    return report.ok() ? kExitOk : kExitFindings;
}

}  // namespace

void add_backup_commands(CLI::App& app, int& exit_code) {
    // A refusal says why in Chinese under the command's name, with its own exit code.
    const auto command = [&app, &exit_code](const std::string& name, const std::string& description,
                                            int (*run)(const BackupArgs&)) {
        CLI::App& cmd = *app.add_subcommand(name, description);
        auto args = std::make_shared<BackupArgs>();
        cmd.callback([args, run, name, &exit_code] {
            try {
                exit_code = run(*args);
            } catch (const Refused& r) {
                std::cerr << "hcpctl " << name << ": " << r.message << '\n';
                exit_code = r.exit_code;
            }
        });
        cmd.add_option("--key", args->key, "the store key: also check the device MACs and that the key fits")
            ->option_text("FILE");
        return std::pair<CLI::App&, BackupArgs&>(cmd, *args);
    };

    auto [backup_cmd, b] = command("backup", "online backup of a running hub's database, checked and verified", backup);
    backup_cmd.add_option("DB", b.from, "the hub's database")->required();
    backup_cmd.add_option("OUT", b.to, "the backup file to write")->required();
    backup_cmd.add_flag("--force", b.force, "overwrite OUT");

    auto [restore_cmd, r] =
        command("restore", "put a checked backup in place (hub stopped; the old database is kept)", restore);
    restore_cmd.add_option("BACKUP", r.from, "the backup to restore")->required();
    restore_cmd.add_option("DB", r.to, "where the database goes")->required();
    restore_cmd.add_flag("--force", r.force, "replace an existing DB (kept as DB.before-restore-<time>)");
}

}  // namespace hcpctl
