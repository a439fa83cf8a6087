// Outbox storage.
#include "storage/outbox_repository.hpp"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

namespace storage {

std::vector<std::int64_t> enqueue(SQLite::Database& db, const std::vector<outbox_item>& items, std::int64_t now_ms) {
    std::vector<std::int64_t> ids;
    if (items.empty()) return ids;
    SQLite::Statement ins(db,
                          "INSERT INTO outbox (tracking_id, recipient, channel, priority, body, purpose, ref, broadcast_id,"
                          " event_seq, state, attempts, next_attempt_at, created_at)"
                          " VALUES ('', ?, ?, ?, ?, ?, ?, ?, ?, 'pending', 0, ?, ?)");
    SQLite::Statement track(db, "UPDATE outbox SET tracking_id = ? WHERE id = ?");
    for (const auto& it : items) {
        ins.reset();
        ins.clearBindings();
        ins.bind(1, it.recipient);
        ins.bind(2, it.channel);
        ins.bind(3, it.priority);
        ins.bind(4, it.body_json);
        ins.bind(5, it.purpose);
        if (it.ref.empty()) ins.bind(6); else ins.bind(6, it.ref);
        if (it.broadcast_id) ins.bind(7, *it.broadcast_id); else ins.bind(7);
        if (it.event_seq) ins.bind(8, *it.event_seq); else ins.bind(8);
        ins.bind(9, now_ms);
        ins.bind(10, now_ms);
        ins.exec();
        std::int64_t id = db.getLastInsertRowid();
        // Tracking ids are derived from the row id: a resend after a crash reuses the same one.
        track.reset();
        track.bind(1, "cb" + std::to_string(id));
        track.bind(2, id);
        track.exec();
        ids.push_back(id);
    }
    return ids;
}

std::int64_t outbox_depth(SQLite::Database& db) {
    SQLite::Statement q(db, "SELECT COUNT(*) FROM outbox WHERE state IN ('pending', 'sending')");
    q.executeStep();
    return q.getColumn(0).getInt64();
}

}  // namespace storage
