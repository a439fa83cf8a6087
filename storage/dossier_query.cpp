// Dossier lookups for citizens.
#include "storage/dossier_query.hpp"

#include "storage/statement_cache.hpp"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

namespace storage {

std::optional<dossier_status> find_dossier_status(SQLite::Database& db, const std::string& code) {
    // Only the columns a code holder may see: never the citizen's phone or the assigned official.
    statement q(db,
                        "SELECT code, procedure, level, unit_id, channel, received_on, due_on, COALESCE(returned_on, ''), state"
                        " FROM dossiers WHERE code = ?");
    q->bind(1, code);
    if (!q->executeStep()) return std::nullopt;
    dossier_status d;
    d.code = q->getColumn(0).getString();
    d.procedure = q->getColumn(1).getString();
    d.level = q->getColumn(2).getString();
    d.unit_id = q->getColumn(3).getString();
    d.channel = q->getColumn(4).getString();
    d.received_on = q->getColumn(5).getString();
    d.due_on = q->getColumn(6).getString();
    d.returned_on = q->getColumn(7).getString();
    d.state = q->getColumn(8).getString();
    return d;
}

}  // namespace storage
