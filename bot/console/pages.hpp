// Inside the console: what a page function gets (the signed-in staff member, the form, a database
// connection) and the page functions themselves. Included by bot/console/*.cpp only.
#pragma once

#include "bot/console/site.hpp"
#include "bot/console/view.hpp"
#include "bot/console/web.hpp"
#include "bot/core/config.hpp"
#include "bot/core/messages.hpp"
#include "bot/core/personal_data.hpp"  // mask_personal_numbers, one policy with the API and reports
#include "bot/core/staff.hpp"
#include "handlers/context.hpp"
#include "storage/console_queries.hpp"
#include "storage/official_repository.hpp"

#include <boost/json.hpp>

#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace SQLite {
class Database;
}

namespace handlers {
struct broadcast_status;
}

namespace bot::console {

/// The signed-in staff member.
struct staff {
    storage::official who;
    staff_role role = staff_role::viewer;
    unit_scope scope;
    std::string csrf;          ///< the form token of the session
    std::string session_hash;  ///< the stored form of the session id
};

/// A page refused for this staff member (403).
struct forbidden : std::runtime_error {
    using std::runtime_error::runtime_error;
};
/// Nothing there (404).
struct not_found : std::runtime_error {
    using std::runtime_error::runtime_error;
};

/// Uploaded files kept between an import's preview and its confirmation (in memory, per session,
/// one at a time, for a limited time).
class upload_stash {
public:
    struct item {
        std::string file_name;
        std::string content;
        std::int64_t stored_at = 0;
    };
    /// Keeps `content` for the session (replacing its earlier one); returns the id to confirm with.
    std::string put(const std::string& session_hash, item it);
    /// The item when `id` is the session's current one and not older than `max_age_ms`.
    [[nodiscard]] std::optional<item> get(const std::string& session_hash, const std::string& id, std::int64_t now_ms,
                                          std::int64_t max_age_ms) const;
    /// Forgets the session's item.
    void drop(const std::string& session_hash);

private:
    mutable std::mutex mu_;
    std::map<std::string, std::pair<std::string, item>> items_;  ///< session → (id, item)
};

/// One request to a page function.
struct page_ctx {
    page_ctx(const site_deps& d, const view& v, const http_request& r, const staff& m, SQLite::Database& conn,
             const form_data* f, upload_stash* u, std::vector<std::string> p)
        : deps(d), views(v), req(r), me(m), db(conn), form(f), uploads(u), params(std::move(p)) {}

    const site_deps& deps;
    const view& views;
    const http_request& req;
    const staff& me;
    SQLite::Database& db;                ///< the reader's connection (GET), the writer's (a form that writes in one
                                         ///< transaction) or the task thread's read-only one (a form in steps)
    const form_data* form = nullptr;     ///< the submitted form (POST)
    upload_stash* uploads = nullptr;     ///< the site's stash of uploaded files
    std::vector<std::string> params;     ///< path parameters (":id")
    bool wake_outbox = false;            ///< set when messages were queued
    std::string audit_action;            ///< set by a page that changed something (what, in words)
    std::string audit_target;
    std::string audit_detail;
    /// Runs after the transaction committed (e.g. a knowledge-base reload that must see the new
    /// rows), and may replace the response.
    std::function<http_response(http_response)> after_commit;
    /// A form in steps only: runs one job on the write worker and waits for it (each call its own
    /// short turn, so citizens' replies are served between them; the job makes its own
    /// transaction). Exceptions the job throws come back out. Empty for other pages.
    std::function<void(const std::function<void(SQLite::Database&)>&)> write;
    /// A form in steps only: true once the page's audit row committed with its change (written by
    /// audit_into inside the step that made the change). Otherwise the console writes the row in
    /// a step of its own after the page, whatever came of it.
    bool audit_done = false;

    [[nodiscard]] const config& cfg() const { return deps.cfg; }
    [[nodiscard]] std::int64_t now() const { return deps.clock(); }
    /// A handler context on this request's connection (for the domain functions of handlers/).
    [[nodiscard]] handlers::context handler_context() const;
    /// A query parameter, or "".
    [[nodiscard]] std::string query(const std::string& key) const;
    /// A form field, or "".
    [[nodiscard]] std::string field(const std::string& key) const;
    /// A console text (templates/messages/console.toml).
    [[nodiscard]] std::string text(const std::string& key, const std::map<std::string, std::string>& vars = {}) const;
    /// True when the staff member's scope covers the unit (unit_scope::covers, the one rule).
    [[nodiscard]] bool covers(const std::string& unit_id) const;
    /// Throws forbidden unless covers(unit_id).
    void require_unit(const std::string& unit_id) const;
    /// Throws forbidden unless the role may do it.
    void require(staff_action a) const;
    /// The units this staff member covers that exist on `on` ('YYYY-MM-DD'; empty: today), in
    /// configuration order (pickers: today's communes; a report: the units of its last day).
    [[nodiscard]] std::vector<const unit_config*> units_in_scope(const std::string& on = {}) const;
    /// Today's local date, 'YYYY-MM-DD'.
    [[nodiscard]] std::string today() const;
    /// A unit's display name (its id when unknown, the "no unit" text when empty).
    [[nodiscard]] std::string unit_name(const std::string& unit_id) const;
    /// The unit filter for storage queries: every unit for an administrator, else exactly the
    /// configured units covered in any period (so the dossiers and questions of a unit that merged
    /// into theirs stay theirs), and "" for citizens without a unit when their desk is covered.
    [[nodiscard]] storage::unit_filter unit_filter() const;
    /// The unit a citizen's case belongs to: theirs, or the top-level desk's when they chose none
    /// (hand-offs without a commune go to the one-stop desk above).
    [[nodiscard]] std::string case_unit(const std::string& unit_id) const;

    /// Appends the page's audit row (`console:<official id>`, audit_action or the method and path,
    /// audit_target, audit_detail) on the write connection `w`, inside the caller's transaction.
    /// @throws SQLite::Exception
    void audit_into(SQLite::Database& w) const;

    /// The page inside the layout, with the navigation and the staff member's details.
    [[nodiscard]] http_response render(const std::string& page, boost::json::object model, int status = 200) const;
    /// 303 See Other to a console path.
    [[nodiscard]] static http_response redirect(const std::string& to);
};

/// When the citizen of a hand-off opened at `opened_at_ms` was promised an answer: the end of that
/// working day when it was opened before closing time on a working day, otherwise noon of the
/// next working day (the citizen was told "the next working morning").
[[nodiscard]] std::int64_t answer_due_at(const config& cfg, std::int64_t opened_at_ms);
/// "2 giờ 5 phút", "3 ngày 4 giờ": a duration for people.
[[nodiscard]] std::string duration_text(std::int64_t ms);
/// "14:05 12/06/2026" in local time.
[[nodiscard]] std::string local_time_text(const config& cfg, std::int64_t ms);
/// "12/06/2026" from 'YYYY-MM-DD' (the text itself when it is not a date).
[[nodiscard]] std::string vn_date_text(const std::string& iso);
/// 12219 → "12.219".
[[nodiscard]] std::string number_text(std::int64_t n);
/// The role's name in Vietnamese.
[[nodiscard]] std::string role_label(const message_catalog& texts, staff_role r);

/// True when a broadcast's audience (its target JSON) lies within the staff member's units; a
/// broadcast to every follower only for someone who covers every unit.
[[nodiscard]] bool broadcast_visible(const page_ctx& c, const std::string& target_json);
/// A broadcast for the lists: text, audience, state, counts and bars.
[[nodiscard]] boost::json::object broadcast_summary(const page_ctx& c, const handlers::broadcast_status& b);

// ---- the pages (one file each: page_<name>.cpp) ----
http_response page_overview(page_ctx& c);
http_response page_inbox(page_ctx& c);
http_response page_inbox_list(page_ctx& c);
http_response page_conversation(page_ctx& c);
http_response post_handoff_reply(page_ctx& c);
http_response post_handoff_close(page_ctx& c);
http_response post_handoff_assign(page_ctx& c);
http_response page_dossiers(page_ctx& c);
http_response page_dossier(page_ctx& c);
http_response page_import(page_ctx& c);
http_response post_import_preview(page_ctx& c);
http_response post_import_confirm(page_ctx& c);
http_response page_broadcasts(page_ctx& c);
http_response page_broadcast_new(page_ctx& c);
http_response post_broadcast_preview(page_ctx& c);
http_response post_broadcast_send(page_ctx& c);
http_response post_broadcast_cancel(page_ctx& c);
http_response page_reports(page_ctx& c);
http_response page_report_download(page_ctx& c);
http_response page_unanswered(page_ctx& c);
http_response post_unanswered_attach(page_ctx& c);
http_response post_unanswered_dismiss(page_ctx& c);
http_response page_staff(page_ctx& c);
http_response post_staff_link_code(page_ctx& c);
http_response post_staff_disable(page_ctx& c);

}  // namespace bot::console
