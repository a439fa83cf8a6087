// The statement cache: a registry of caches by connection handle, entries by SQL text.
#include "storage/statement_cache.hpp"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <sqlite3.h>

#include <mutex>
#include <unordered_map>

namespace storage {

namespace {

struct text_hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
};

struct entry {
    std::unique_ptr<SQLite::Statement> stmt;
    bool busy = false;
};

std::mutex registry_mu;
std::unordered_map<sqlite3*, statement_cache::impl*> registry;

}  // namespace

struct statement_cache::impl {
    SQLite::Database& db;
    std::unordered_map<std::string, entry, text_hash, std::equal_to<>> entries;
};

statement_cache::statement_cache(SQLite::Database& db) : impl_(new impl{db, {}}) {
    std::lock_guard lk(registry_mu);
    registry[db.getHandle()] = impl_.get();
}

statement_cache::~statement_cache() {
    {
        std::lock_guard lk(registry_mu);
        auto it = registry.find(impl_->db.getHandle());
        if (it != registry.end() && it->second == impl_.get()) registry.erase(it);
    }
    impl_->entries.clear();  // finalizes, so the connection can close
}

statement::statement(SQLite::Database& db, std::string_view sql) {
    statement_cache::impl* cache = nullptr;
    {
        std::lock_guard lk(registry_mu);
        auto it = registry.find(db.getHandle());
        if (it != registry.end()) cache = it->second;
    }
    if (cache) {
        auto it = cache->entries.find(sql);
        if (it == cache->entries.end())
            it = cache->entries.emplace(std::string(sql), entry{std::make_unique<SQLite::Statement>(db, std::string(sql)), false})
                     .first;
        if (!it->second.busy) {
            it->second.busy = true;
            busy_ = &it->second.busy;
            stmt_ = it->second.stmt.get();
            return;
        }
    }
    owned_ = std::make_unique<SQLite::Statement>(db, std::string(sql));
    stmt_ = owned_.get();
}

statement::~statement() {
    if (!busy_) return;
    // Ready for the next caller: no open read, no bindings pointing at freed strings.
    stmt_->tryReset();
    try {
        stmt_->clearBindings();
    } catch (...) {
        // sqlite3_clear_bindings cannot fail; destructors never throw all the same.
    }
    *busy_ = false;
}

}  // namespace storage
