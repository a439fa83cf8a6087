// The outbox commit watch: a TEMP trigger calls back into this process on every outbox insert.
#include "storage/outbox_watch.hpp"

#include <SQLiteCpp/Database.h>
#include <sqlite3.h>

namespace storage {

namespace {
constexpr const char* function_name = "cchcbot_outbox_queued";
}  // namespace

struct outbox_watch_hooks {
    static void on_insert(sqlite3_context* ctx, int, sqlite3_value**) {
        static_cast<outbox_watch*>(sqlite3_user_data(ctx))->queued_in_tx_ = true;
        sqlite3_result_null(ctx);
    }
    // Runs inside COMMIT (before it completes): only remember; the owner acts after its job.
    static int on_commit(void* self) {
        auto* w = static_cast<outbox_watch*>(self);
        if (w->queued_in_tx_) w->committed_.store(true, std::memory_order_release);
        w->queued_in_tx_ = false;
        return 0;  // non-zero would turn the commit into a rollback
    }
    static void on_rollback(void* self) { static_cast<outbox_watch*>(self)->queued_in_tx_ = false; }
};

outbox_watch::outbox_watch(SQLite::Database& db) : db_(db) {
    sqlite3* h = db_.getHandle();
    sqlite3_create_function(h, function_name, 0, SQLITE_UTF8, this, &outbox_watch_hooks::on_insert, nullptr, nullptr);
    // TEMP: the trigger lives in this connection only; other connections and processes never see it.
    db_.exec(std::string("CREATE TEMP TRIGGER IF NOT EXISTS cchcbot_outbox_watch AFTER INSERT ON main.outbox BEGIN SELECT ") +
             function_name + "(); END");
    sqlite3_commit_hook(h, &outbox_watch_hooks::on_commit, this);
    sqlite3_rollback_hook(h, &outbox_watch_hooks::on_rollback, this);
}

outbox_watch::~outbox_watch() {
    sqlite3* h = db_.getHandle();
    sqlite3_commit_hook(h, nullptr, nullptr);
    sqlite3_rollback_hook(h, nullptr, nullptr);
    try {
        db_.exec("DROP TRIGGER IF EXISTS temp.cchcbot_outbox_watch");
    } catch (...) {
        // Destructors never throw; the function below is removed all the same.
    }
    // A function without an implementation is removed from the connection.
    sqlite3_create_function(h, function_name, 0, SQLITE_UTF8, nullptr, nullptr, nullptr, nullptr);
}

bool outbox_watch::take() { return committed_.exchange(false, std::memory_order_acq_rel); }

}  // namespace storage
