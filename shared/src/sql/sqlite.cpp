#include "hcp/sql/sqlite.hpp"

#include <fcntl.h>
#include <sqlite3.h>
#include <unistd.h>

#include "hcp/base/io.hpp"

namespace hcp::sql {

bool SqliteError::disk_full() const noexcept {
    return (m_code & 0xff) == SQLITE_FULL;
}

void DbDeleter::operator()(sqlite3* db) const noexcept {
    sqlite3_close_v2(db);
}
void StmtDeleter::operator()(sqlite3_stmt* s) const noexcept {
    sqlite3_finalize(s);
}

int Db::changes() const noexcept {
    return sqlite3_changes(m_db.get());
}
std::int64_t Db::last_insert_rowid() const noexcept {
    return sqlite3_last_insert_rowid(m_db.get());
}

Db::Db(const std::filesystem::path& path, Mode mode, std::chrono::milliseconds busy_timeout) {
    // A new database file is made 0600 whatever the umask (it holds ratings and encrypted
    // personal data); SQLite gives its -wal and -shm files the database file's mode.
    if (mode != Mode::read_only) {
        // EEXIST: an existing file keeps its mode; other errors: SQLite says them.
        const io::UniqueFd created(::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
    }
    sqlite3* raw = nullptr;
    int flags = mode == Mode::read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
    flags |= SQLITE_OPEN_NOMUTEX;
    int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
    m_db.reset(raw);
    if (rc != SQLITE_OK) {
        std::string msg = raw != nullptr ? sqlite3_errmsg(raw) : sqlite3_errstr(rc);
        throw SqliteError(rc, "cannot open database " + path.string() + ": " + msg);
    }
    sqlite3_extended_result_codes(raw, 1);
    // Wait for another process's write lock instead of failing at once.
    sqlite3_busy_timeout(raw, static_cast<int>(busy_timeout.count()));
}

void Db::exec(const std::string& sql) {
    char* err = nullptr;
    int rc = sqlite3_exec(m_db.get(), sql.c_str(), nullptr, nullptr, &err);
    if (rc != SQLITE_OK) {
        std::string msg = err != nullptr ? err : sqlite3_errstr(rc);
        sqlite3_free(err);
        throw SqliteError(rc, msg + " (in: " + sql.substr(0, 80) + ")");
    }
}

void Db::fail(int rc, const std::string& context) const {
    throw SqliteError(sqlite3_extended_errcode(m_db.get()),
                      context + ": " + sqlite3_errmsg(m_db.get()) + " [" + std::to_string(rc) + "]");
}

Statement::Statement(const Db& db, std::string_view sql) : m_db(&db) {
    sqlite3_stmt* raw = nullptr;
    int rc = sqlite3_prepare_v2(db.handle(), sql.data(), static_cast<int>(sql.size()), &raw, nullptr);
    m_stmt.reset(raw);
    if (rc != SQLITE_OK) db.fail(rc, "prepare '" + std::string(sql.substr(0, 60)) + "'");
}

Statement& Statement::bind(int index, std::int64_t value) {
    int rc = sqlite3_bind_int64(m_stmt.get(), index, value);
    if (rc != SQLITE_OK) m_db->fail(rc, "bind");
    return *this;
}

Statement& Statement::bind(int index, std::string_view value) {
    int rc = sqlite3_bind_text(m_stmt.get(), index, value.data(), static_cast<int>(value.size()), SQLITE_TRANSIENT);
    if (rc != SQLITE_OK) m_db->fail(rc, "bind");
    return *this;
}

Statement& Statement::bind_blob(int index, const std::vector<std::uint8_t>& value) {
    int rc = value.empty() ? sqlite3_bind_zeroblob(m_stmt.get(), index, 0)
                           : sqlite3_bind_blob(m_stmt.get(), index, value.data(), static_cast<int>(value.size()),
                                               SQLITE_TRANSIENT);
    if (rc != SQLITE_OK) m_db->fail(rc, "bind");
    return *this;
}

Statement& Statement::bind_null(int index) {
    int rc = sqlite3_bind_null(m_stmt.get(), index);
    if (rc != SQLITE_OK) m_db->fail(rc, "bind");
    return *this;
}

bool Statement::step() {
    int rc = sqlite3_step(m_stmt.get());
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    m_db->fail(rc, "step");
}

void Statement::run() {
    while (step()) {}
}

void Statement::reset() {
    sqlite3_reset(m_stmt.get());
    sqlite3_clear_bindings(m_stmt.get());
}

std::int64_t Statement::column_int(int index) const {
    return sqlite3_column_int64(m_stmt.get(), index);
}

std::string Statement::column_text(int index) const {
    const auto* p = sqlite3_column_text(m_stmt.get(), index);
    int n = sqlite3_column_bytes(m_stmt.get(), index);
    if (p == nullptr) return {};
    return std::string(reinterpret_cast<const char*>(p), static_cast<size_t>(n));
}

std::vector<std::uint8_t> Statement::column_blob(int index) const {
    const auto* p = static_cast<const std::uint8_t*>(sqlite3_column_blob(m_stmt.get(), index));
    int n = sqlite3_column_bytes(m_stmt.get(), index);
    if (p == nullptr || n <= 0) return {};
    return std::vector<std::uint8_t>(p, p + n);
}

bool Statement::column_null(int index) const {
    return sqlite3_column_type(m_stmt.get(), index) == SQLITE_NULL;
}

Transaction::Transaction(Db& db) : m_db(db) {
    m_db.exec("BEGIN IMMEDIATE");
}

Transaction::~Transaction() {
    if (!m_done) {
        // Destructors never throw: a failed rollback leaves SQLite to roll back on close.
        sqlite3_exec(m_db.handle(), "ROLLBACK", nullptr, nullptr, nullptr);
    }
}

void Transaction::commit() {
    m_db.exec("COMMIT");
    m_done = true;
}

std::vector<std::string> first_column(const Db& db, std::string_view sql) {
    Statement st(db, sql);
    std::vector<std::string> rows;
    while (st.step()) rows.push_back(st.column_text(0));
    return rows;
}

std::int64_t single_int(const Db& db, std::string_view sql) {
    Statement st(db, sql);
    return st.step() ? st.column_int(0) : 0;
}

Backup::Backup(Db& destination, const Db& source)
    : m_destination(destination), m_backup(sqlite3_backup_init(destination.handle(), "main", source.handle(), "main")) {
    // The error of a failed init is on the destination connection.
    if (m_backup == nullptr) destination.fail(sqlite3_errcode(destination.handle()), "backup");
}

Backup::~Backup() {
    if (m_backup != nullptr) sqlite3_backup_finish(m_backup);
}

Backup::Progress Backup::step(int pages) {
    const int rc = sqlite3_backup_step(m_backup, pages);
    switch (rc & 0xff) {
        case SQLITE_OK: return Progress::more;
        case SQLITE_DONE: return Progress::done;
        case SQLITE_BUSY:
        case SQLITE_LOCKED: return Progress::busy;
        default: throw SqliteError(rc, std::string("backup: ") + sqlite3_errstr(rc));
    }
}

void Backup::finish() {
    const int rc = sqlite3_backup_finish(m_backup);
    m_backup = nullptr;
    if (rc != SQLITE_OK) m_destination.fail(rc, "backup");
}

}  // namespace hcp::sql
