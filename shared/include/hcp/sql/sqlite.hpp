#pragma once
// Internal RAII wrapper over the SQLite C API (SQLiteCpp's idea, our own small code), the one
// way into SQLite for the core, hcpctl and the platform simulator.
// C handles live in unique_ptrs with deleters; a Transaction rolls back in its destructor
// unless committed; a Backup is finished in its destructor; every failure throws
// hcp::Error(store_failure) carrying SQLite's code. The SQLite header stays out of this one:
// a source that calls the C API on handle() includes <sqlite3.h> itself.
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "hcp/base/error.hpp"

struct sqlite3;
struct sqlite3_stmt;
struct sqlite3_backup;

namespace hcp::sql {

// Error from SQLite with its extended result code (e.g. SQLITE_FULL).
class SqliteError : public Error {
public:
    SqliteError(int code, const std::string& message) : Error(Errc::store_failure, message), m_code(code) {}
    int sqlite_code() const noexcept { return m_code; }
    bool disk_full() const noexcept;  // SQLITE_FULL

private:
    int m_code;
};

struct DbDeleter {
    void operator()(sqlite3* db) const noexcept;
};
struct StmtDeleter {
    void operator()(sqlite3_stmt* s) const noexcept;
};

class Db {
public:
    enum class Mode { read_write_create, read_only };
    static constexpr std::chrono::milliseconds kDefaultBusyTimeout{5000};

    // read_write_create makes a missing file (mode 0600); read_only never writes to the file.
    // A lock held by another connection is waited for up to `busy_timeout`, then SQLITE_BUSY.
    Db(const std::filesystem::path& path, Mode mode, std::chrono::milliseconds busy_timeout = kDefaultBusyTimeout);

    sqlite3* handle() const noexcept { return m_db.get(); }
    // Rows changed by the last INSERT, UPDATE or DELETE on this connection.
    int changes() const noexcept;
    // The rowid of the last successful INSERT on this connection.
    std::int64_t last_insert_rowid() const noexcept;
    void exec(const std::string& sql);
    [[noreturn]] void fail(int rc, const std::string& context) const;

private:
    std::unique_ptr<sqlite3, DbDeleter> m_db;
};

class Statement {
public:
    Statement(const Db& db, std::string_view sql);

    Statement& bind(int index, std::int64_t value);
    Statement& bind(int index, int value) { return bind(index, static_cast<std::int64_t>(value)); }
    // Any other integer type (long long, unsigned …) as a 64-bit integer.
    template <class T, class = std::enable_if_t<std::is_integral_v<T> && !std::is_same_v<T, bool>>>
    Statement& bind(int index, T value) {
        return bind(index, static_cast<std::int64_t>(value));
    }
    Statement& bind(int index, std::string_view value);
    Statement& bind(int index, const std::string& value) { return bind(index, std::string_view(value)); }
    Statement& bind(int index, const char* value) { return bind(index, std::string_view(value)); }
    Statement& bind_blob(int index, const std::vector<std::uint8_t>& value);
    Statement& bind_null(int index);

    // Steps once: true when a row is available, false when done.
    bool step();
    // Steps to completion (for statements without rows).
    void run();
    void reset();

    std::int64_t column_int(int index) const;
    std::string column_text(int index) const;
    std::vector<std::uint8_t> column_blob(int index) const;
    bool column_null(int index) const;

private:
    const Db* m_db;
    std::unique_ptr<sqlite3_stmt, StmtDeleter> m_stmt;
};

// BEGIN IMMEDIATE … COMMIT; rolls back in the destructor unless commit() succeeded.
class Transaction {
public:
    explicit Transaction(Db& db);
    ~Transaction();
    Transaction(const Transaction&) = delete;
    Transaction& operator=(const Transaction&) = delete;
    void commit();

private:
    Db& m_db;
    bool m_done = false;
};

// The first column of every row as text (NULL as ""), e.g. PRAGMA integrity_check.
std::vector<std::string> first_column(const Db& db, std::string_view sql);
// The first column of the first row as an integer; 0 when there is no row.
std::int64_t single_int(const Db& db, std::string_view sql);

// An online backup (sqlite3_backup_*) of `source`'s main database into `destination`'s, copied a
// few pages per step while other connections keep using the source. The destructor releases
// the handle of an unfinished backup (the destination is then left as SQLite leaves it).
class Backup {
public:
    Backup(Db& destination, const Db& source);
    ~Backup();
    Backup(const Backup&) = delete;
    Backup& operator=(const Backup&) = delete;

    enum class Progress { more, done, busy };
    // Copies up to `pages` pages. busy: a lock held by another connection; step again later.
    // Throws SqliteError on any other failure.
    Progress step(int pages);
    // Releases the handle; throws SqliteError when the backup failed.
    void finish();

private:
    Db& m_destination;
    sqlite3_backup* m_backup;
};

}  // namespace hcp::sql
