// Read-only queries for the knowledge-base editors.
#include "storage/kb_queries.hpp"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

namespace storage {

std::vector<unanswered_question> list_unanswered(SQLite::Database& db, const std::string& from_day,
                                                 const std::string& to_day, int limit) {
    // The latest wording of each normalised question is the row with the greatest id.
    SQLite::Statement q(db, R"SQL(
SELECT u.text, g.normalized, g.n, g.last_at, g.last_day
FROM (SELECT normalized, COUNT(*) AS n, MAX(id) AS last_id, MAX(at) AS last_at, MAX(local_day) AS last_day
      FROM unanswered
      WHERE (?1 = '' OR local_day >= ?1) AND (?2 = '' OR local_day <= ?2)
      GROUP BY normalized) AS g
JOIN unanswered u ON u.id = g.last_id
ORDER BY g.n DESC, g.last_at DESC
LIMIT ?3)SQL");
    q.bind(1, from_day);
    q.bind(2, to_day);
    q.bind(3, limit);
    std::vector<unanswered_question> out;
    while (q.executeStep()) {
        unanswered_question u;
        u.text = q.getColumn(0).getString();
        u.normalized = q.getColumn(1).getString();
        u.count = q.getColumn(2).getInt64();
        u.last_at = q.getColumn(3).getInt64();
        u.last_day = q.getColumn(4).getString();
        out.push_back(std::move(u));
    }
    return out;
}

}  // namespace storage
