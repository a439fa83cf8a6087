// The terminal chat's side of the outbox.
#include "storage/chat_outbox.hpp"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <SQLiteCpp/Transaction.h>

namespace storage {

std::vector<std::string> take_pending_for(SQLite::Database& db, const std::string& recipient, std::int64_t now_ms) {
    std::vector<std::string> bodies;
    SQLite::Transaction tx(db);
    SQLite::Statement q(db, "SELECT id, body FROM outbox WHERE recipient = ? AND state = 'pending' ORDER BY id");
    q.bind(1, recipient);
    std::vector<std::pair<std::int64_t, std::string>> rows;
    while (q.executeStep()) rows.emplace_back(q.getColumn(0).getInt64(), q.getColumn(1).getString());
    SQLite::Statement u(db, "UPDATE outbox SET state = 'sent', sent_at = ?"
                            " WHERE id = ? AND state = 'pending'");
    for (auto& [id, body] : rows) {
        u.reset();
        u.bind(1, now_ms);
        u.bind(2, id);
        if (u.exec() > 0) bodies.push_back(std::move(body));
    }
    tx.commit();
    return bodies;
}

}  // namespace storage
