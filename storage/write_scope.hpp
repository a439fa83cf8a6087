// A write transaction that nests: the outermost scope is BEGIN IMMEDIATE ... COMMIT, inner ones are
// savepoints. Rolled back when it goes out of scope uncommitted.
#pragma once

namespace SQLite {
class Database;
}

namespace storage {

/// Use instead of SQLite::Transaction / SQLite::Savepoint wherever the code may run inside another
/// transaction (admin API writes run in one with their audit row; the dispatcher runs handlers in
/// one). SQLiteCpp's Savepoint leaves the outermost transaction open after a rollback; this does not.
class write_scope {
public:
    /// @throws SQLite::Exception when the transaction cannot start (e.g. busy past the timeout).
    explicit write_scope(SQLite::Database& db);
    ~write_scope();
    write_scope(const write_scope&) = delete;
    write_scope& operator=(const write_scope&) = delete;

    /// Makes the writes permanent (or part of the enclosing transaction). @throws SQLite::Exception
    void commit();

private:
    SQLite::Database& db_;
    bool nested_ = false;  ///< a savepoint inside an enclosing transaction (else this scope owns it)
    bool done_ = false;
};

}  // namespace storage
