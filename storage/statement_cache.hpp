// Prepared statements kept per connection, so hot queries are compiled once, not per call.
#pragma once

#include <memory>
#include <string>
#include <string_view>

namespace SQLite {
class Database;
class Statement;
}  // namespace SQLite

namespace storage {

/// The prepared statements of one connection. While it lives, storage::statement on that
/// connection reuses statements instead of compiling the SQL again (sqlite3_prepare costs
/// 5–30 µs per statement, several per event). Create it right after opening the connection on
/// the thread that owns it, destroy it before the connection closes.
class statement_cache {
public:
    explicit statement_cache(SQLite::Database& db);
    ~statement_cache();
    statement_cache(const statement_cache&) = delete;
    statement_cache& operator=(const statement_cache&) = delete;

    struct impl;

private:
    std::unique_ptr<impl> impl_;
};

/// A prepared statement for `sql`: the connection's cached one when it has a statement_cache and
/// the statement is not in use already (a nested call prepares its own), otherwise a fresh one.
/// Reset, with its bindings cleared, when this handle goes out of scope. Use like a
/// SQLite::Statement through `->`.
/// @throws SQLite::Exception when the SQL does not compile.
class statement {
public:
    statement(SQLite::Database& db, std::string_view sql);
    ~statement();
    statement(const statement&) = delete;
    statement& operator=(const statement&) = delete;

    SQLite::Statement* operator->() { return stmt_; }
    SQLite::Statement& operator*() { return *stmt_; }

private:
    SQLite::Statement* stmt_ = nullptr;
    std::unique_ptr<SQLite::Statement> owned_;  ///< when not from the cache
    bool* busy_ = nullptr;                      ///< the cache entry's in-use flag
};

}  // namespace storage
