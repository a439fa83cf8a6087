// The periodic CCHC report: figures per level and unit, conversations, reminders, broadcasts.
#pragma once

#include "bot/core/config.hpp"
#include "storage/report_queries.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace SQLite {
class Database;
}

namespace bot {

/// What a report covers. Dates are local 'YYYY-MM-DD', both inclusive.
struct report_request {
    std::string from;
    std::string to;
    std::string unit;   ///< one unit id, or empty
    std::string level;  ///< one level id, or empty (ignored when `unit` is set)
    /// Today's local date: pending dossiers are overdue as of the earlier of `to` and this day
    /// (a period ending in the future does not count dossiers not yet due). Empty: the system
    /// clock's local date.
    std::string today = {};
    std::string oa{};   ///< one Official Account id, or empty: its conversations and broadcasts, its units' dossiers
};

/// A request that cannot be answered as asked (bad date, from > to, unknown unit or level).
class report_request_error : public std::invalid_argument {
public:
    using std::invalid_argument::invalid_argument;
};

/// Dossier figures with SPEC's definitions; the derived ones are computed by `finish()`.
struct dossier_figures {
    storage::dossier_counters c;
    std::int64_t offline = 0;  ///< received − online (in person + BCCI)
    std::int64_t total = 0;    ///< received + carried over
    std::int64_t pending = 0;  ///< total − resolved
    std::optional<double> online_rate;   ///< % online / received, none when nothing received
    std::optional<double> on_time_rate;  ///< % (early + on time) / resolved, none when nothing resolved
    std::vector<std::pair<std::string, std::int64_t>> late_by_procedure;             ///< most first
    std::vector<std::pair<std::string, std::int64_t>> pending_overdue_by_procedure;  ///< most first

    void add(const storage::dossier_counters& o);
    void finish();
};

/// One unit's figures.
struct unit_report {
    std::string unit;
    std::string name;
    dossier_figures fig;
};

/// One level's figures (the sum of its units) and its units, in configuration order.
struct level_report {
    std::string level;
    std::string label;
    dossier_figures fig;
    std::vector<unit_report> units;
};

/// One dossier named in a warning.
struct warning_item {
    std::string code;  ///< dossier code (for duplicates: the colliding codes joined by ", ")
    std::string level;
    std::string unit;
    std::string received_on;
    std::string due_on;
    std::string returned_on;
};

/// A kind of data problem the report refuses to count, with the dossiers concerned.
struct report_warning {
    /// returned_before_received | due_before_received | bad_date | duplicate_code | unknown_unit
    std::string kind;
    std::int64_t count = 0;           ///< dossiers left out of the figures for this reason
    std::vector<warning_item> items;  ///< at most report_warning_list_limit of them
};

/// One Official Account's conversations and broadcast messages.
struct oa_report {
    std::string oa;    ///< configured OA id
    std::string name;  ///< its name ("UBND xã Yên Thế"), else its id
    storage::oa_figures fig;
};

/// Reminders sent per unit.
struct reminder_unit_report {
    std::string unit;
    std::string name;
    storage::reminder_counts counts;
};

/// The whole report.
struct report {
    std::string from;
    std::string to;
    std::string as_of;  ///< the day overdue was judged at: the earlier of `to` and today
    std::string unit;   ///< scope, empty for all
    std::string level;  ///< scope, empty for all
    double online_rate_target = 0;
    double on_time_rate_target = 0;
    std::vector<level_report> levels;
    dossier_figures totals;  ///< all levels together
    storage::conversation_figures conversations;
    std::vector<reminder_unit_report> reminders;
    storage::reminder_counts reminder_totals;
    std::int64_t reminded_then_resolved = 0;
    storage::broadcast_figures broadcasts;
    storage::dossier_notice_figures dossier_notices;  ///< citizens following their dossiers
    std::string oa;                  ///< scope, empty for all
    std::vector<oa_report> by_oa;    ///< per OA, configuration order; only when there are several (or one asked for)
    std::vector<report_warning> warnings;
    std::int64_t excluded_dossiers = 0;  ///< left out of the figures because of the warnings
    std::map<std::string, std::string> topic_titles;  ///< topic id → title (from the knowledge base)
};

/// Most individual warnings listed per kind (the summary always gives the full count).
inline constexpr int report_warning_list_limit = 100;
/// Entries in the top-topics and top-unanswered lists.
inline constexpr int report_top_n = 10;

/// Validates the request against the configuration.
/// @throws report_request_error
void validate(const report_request& req, const config& cfg);

/// Computes the report from the database (read only). With `parallel_path` (the database file
/// behind `db`), the conversation figures are read on a second read-only connection in parallel
/// with the dossier scan: the two big passes then take the time of the longer one.
/// @throws report_request_error, SQLite::Exception
[[nodiscard]] report compute_report(SQLite::Database& db, const config& cfg, const report_request& req,
                                    const std::string& parallel_path = {});

}  // namespace bot
