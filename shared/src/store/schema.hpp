#pragma once
// Internal: the database schema, its migrations, how a store file is recognised, and how a
// rating row is written and read. Shared by the store (read-write), the forward store, the
// outbox, the queue and the verifier (read-only).
#include <filesystem>
#include <string>
#include <vector>

#include "hcp/domain/domain.hpp"
#include "hcp/domain/rules.hpp"
#include "hcp/sql/sqlite.hpp"

namespace hcp::schema {

struct Migration {
    int version;
    const char* sql;
};

// Migrations in order; migration N brings a database from N-1 to N.
const std::vector<Migration>& migrations();

// Which schema versions a connection to an existing store accepts.
enum class SchemaAge {
    current,    // exactly this release's: older files are migrated by Store::open first
    not_newer,  // this release's or older (reading only what every version has)
};

// Checks that `db`, opened on the existing file `path`, is an hcp-kiosk store (application_id)
// whose schema version `accept`s, and returns that version. Throws Error(not_a_store) for a
// file that is not SQLite or belongs to another program, Error(schema_too_new) for a newer
// release's file, Error(store_failure) for an older file where the current schema is needed.
int check_store_file(const sql::Db& db, const std::filesystem::path& path, SchemaAge accept);

// Column list for SELECTs that read_rating() understands.
extern const char* const kRatingColumns;
Rating read_rating(const sql::Statement& row);

// Inserts the rating row (recorded now), the slots it occupies and its outbox entry for
// `outbox_target`, inside the caller's transaction. The chain head is the caller's.
void insert_rating(const sql::Db& db, const Rating& r, const std::vector<RatingSlot>& slots,
                   const std::string& outbox_target);

// Inserts a forwarded link whose case another rating holds (`superseded_by`) into
// superseded_ratings, inside the caller's transaction: no slot, no outbox entry.
void insert_superseded(const sql::Db& db, const Rating& r, const std::string& superseded_by);

// String lists are stored in one column as JSON arrays.
std::string join_list(const std::vector<std::string>& items);
std::vector<std::string> split_list(const std::string& json_array);

}  // namespace hcp::schema
