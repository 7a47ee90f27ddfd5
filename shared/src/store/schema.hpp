#pragma once
// Internal: the database schema, its migrations, and how a rating row is read. Shared by the
// store (read-write) and the verifier (read-only).
#include <string>
#include <vector>

#include "hcp/domain/domain.hpp"
#include "hcp/sql/sqlite.hpp"

namespace hcp::schema {

// PRAGMA application_id of an hcp-kiosk database ("HCP1").
inline constexpr int kApplicationId = 0x48435031;

struct Migration {
    int version;
    const char* sql;
};

// Migrations in order; migration N brings a database from N-1 to N.
const std::vector<Migration>& migrations();

// Column list for SELECTs that read_rating() understands.
extern const char* const kRatingColumns;
Rating read_rating(const sql::Statement& row);

// String lists are stored in one column as JSON arrays.
std::string join_list(const std::vector<std::string>& items);
std::vector<std::string> split_list(const std::string& json_array);

}  // namespace hcp::schema
