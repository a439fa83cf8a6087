// Hồ sơ: due-soon and overdue dossiers by unit and by official, with filters; each dossier's
// reminders, undeliverable ones with the reason; the daily one-stop export uploaded with a
// line-by-line preview before anything is written (all or nothing, as `cchcbot dossiers import`).
#include "bot/console/pages.hpp"

#include "bot/core/calendar.hpp"
#include "bot/core/local_time.hpp"
#include "bot/dossiers/dossier_import.hpp"
#include "bot/dossiers/import_issue_text.hpp"
#include "bot/dossiers/import_run.hpp"
#include "bot/dossiers/reminder_admin.hpp"
#include "bot/dossiers/scheduler.hpp"
#include "bot/http/https_client.hpp"
#include "storage/console_queries.hpp"
#include "storage/dossier_repository.hpp"

#include <algorithm>

namespace bot::console {

namespace {

constexpr int list_limit = 200;
constexpr std::size_t preview_rows = 20;
constexpr std::int64_t upload_max_age_ms = 30 * 60'000;

struct dates {
    std::string today, horizon;
    local_date today_d;
};

dates dates_now(const page_ctx& c) {
    const auto cal = calendar_for(c.cfg());
    dates d;
    d.today_d = local_date_of(c.now(), c.cfg().reminders.utc_offset_minutes);
    d.today = to_iso(d.today_d);
    d.horizon = scan_horizon(c.now(), *cal, c.cfg());
    return d;
}

// "Quá hạn 3 ngày làm việc", "Đến hạn hôm nay", "Còn 2 ngày", "Đã trả 12/06/2026 (trễ)".
std::pair<std::string, std::string> status_of(const page_ctx& c, const dates& d, const std::string& due_on,
                                              const std::string& returned_on) {
    if (!returned_on.empty()) {
        const bool late = returned_on > due_on;
        return {c.text(late ? "console_dossier_returned_late" : "console_dossier_returned", {{"date", vn_date_text(returned_on)}}),
                late ? "warn" : "ok"};
    }
    auto due = parse_iso_date(due_on);
    if (!due) return {due_on, "plain"};
    const auto cal = calendar_for(c.cfg());
    if (due_on < d.today)
        return {c.text("console_dossier_overdue", {{"days", std::to_string(std::max(1, cal->working_days_between(*due, d.today_d)))}}),
                "bad"};
    if (due_on == d.today) return {c.text("console_dossier_due_today"), "warn"};
    const int left = cal->working_days_between(d.today_d, *due);
    return {c.text("console_dossier_due_in", {{"days", std::to_string(left)}}), due_on <= d.horizon ? "warn" : "plain"};
}

std::string channel_label(const page_ctx& c, const std::string& ch) {
    if (ch == "truc_tuyen" || ch == "truc_tiep" || ch == "bcci") return c.text("console_channel_" + ch);
    return ch;
}

// What became of one reminder, in words an official understands.
std::pair<std::string, std::string> reminder_outcome(const page_ctx& c, const storage::reminder_history_row& r) {
    if (r.status == storage::reminder_status::queued) {
        if (r.outbox_state == storage::outbox_state::sent) {
            if (r.seen_at) return {c.text("console_reminder_seen", {{"time", local_time_text(c.cfg(), *r.seen_at)}}), "ok"};
            if (r.delivered_at) return {c.text("console_reminder_received", {{"time", local_time_text(c.cfg(), *r.delivered_at)}}), "ok"};
            return {c.text("console_reminder_sent"), "ok"};
        }
        if (r.outbox_state == storage::outbox_state::failed)
            return {c.text("console_reminder_failed", {{"reason", r.error_reason.empty() ? std::string("?") : r.error_reason},
                                                       {"code", r.error_code ? std::to_string(*r.error_code) : std::string("-")}}),
                    "bad"};
        if (r.outbox_state == storage::outbox_state::cancelled) return {c.text("console_reminder_cancelled"), "plain"};
        return {c.text("console_reminder_pending"), "info"};
    }
    const std::string status(storage::to_string(r.status));
    const std::string key = "console_reminder_status_" + status;
    if (c.deps.texts.has(key)) return {c.text(key), "bad"};
    return {c.text("console_reminder_status_other", {{"status", status}}), "bad"};
}

void add_unit_options(const page_ctx& c, boost::json::object& m, const std::string& selected) {
    boost::json::array units;
    for (const auto* u : c.units_in_scope())
        units.push_back(boost::json::object{{"id", u->id}, {"name", u->name}, {"selected", u->id == selected}});
    m["unit_options"] = std::move(units);
}

}  // namespace

http_response page_dossiers(page_ctx& c) {
    const auto d = dates_now(c);
    storage::dossier_list_filter f;
    f.units = c.unit_filter();
    f.unit_id = c.query("don_vi");
    f.official_id = c.query("can_bo");
    f.status = c.query("trang_thai");
    f.search = c.query("tim");
    f.today = d.today;
    f.horizon = d.horizon;
    f.limit = list_limit;
    static const std::vector<std::string> statuses = {"", "open", "overdue", "due_soon", "returned", "all"};
    if (std::find(statuses.begin(), statuses.end(), f.status) == statuses.end()) f.status.clear();
    if (!f.unit_id.empty()) {
        if (!c.cfg().find_unit(f.unit_id)) throw not_found(c.text("console_error_not_found"));
        c.require_unit(f.unit_id);  // another unit typed into the address: 403
    }
    if (f.search.size() > 100) f.search.resize(100);

    boost::json::object m;
    m["section"] = "dossiers";
    add_unit_options(c, m, f.unit_id);
    m["search"] = f.search;
    boost::json::array status_options;
    for (const auto& s : statuses) {
        if (s.empty()) continue;
        status_options.push_back(boost::json::object{{"id", s}, {"name", c.text("console_dossier_filter_" + s)},
                                                     {"selected", s == (f.status.empty() ? "open" : f.status)}});
    }
    m["status_options"] = std::move(status_options);

    // Counts by unit and by official (unresolved dossiers).
    boost::json::array by_unit;
    for (const auto& u : storage::dossier_counts_by_unit(c.db, d.today, d.horizon)) {
        if (!c.covers(u.unit_id) || (!f.unit_id.empty() && u.unit_id != f.unit_id)) continue;
        by_unit.push_back(boost::json::object{{"id", u.unit_id}, {"name", c.unit_name(u.unit_id)}, {"open", number_text(u.open)},
                                              {"overdue", number_text(u.overdue)}, {"due_soon", number_text(u.due_soon)}});
    }
    m["by_unit"] = std::move(by_unit);
    storage::unit_filter counted = f.units;
    if (!f.unit_id.empty()) counted = storage::unit_filter{false, {f.unit_id}};
    boost::json::array by_official, official_options;
    for (const auto& o : storage::dossier_counts_by_official(c.db, d.today, d.horizon, counted)) {
        const std::string id = o.official_id.empty() ? "-" : o.official_id;
        const std::string name = o.official_id.empty() ? c.text("console_dossier_unassigned") : (o.name.empty() ? o.official_id : o.name);
        by_official.push_back(boost::json::object{{"id", id}, {"name", name}, {"open", number_text(o.open)},
                                                  {"overdue", number_text(o.overdue)}, {"due_soon", number_text(o.due_soon)},
                                                  {"unit", f.unit_id}});
        official_options.push_back(boost::json::object{{"id", id}, {"name", name}, {"selected", id == f.official_id}});
    }
    m["by_official"] = std::move(by_official);
    m["official_options"] = std::move(official_options);

    boost::json::array rows;
    for (const auto& r : storage::list_dossier_rows(c.db, f)) {
        auto [status, tag] = status_of(c, d, r.due_on, r.returned_on);
        rows.push_back(boost::json::object{
            {"code", r.code},
            {"code_url", url_encode(r.code)},
            {"procedure", r.procedure},
            {"unit", c.unit_name(r.unit_id)},
            {"official", r.official_id.empty() ? c.text("console_dossier_unassigned") : (r.official_name.empty() ? r.official_id : r.official_name)},
            {"due", vn_date_text(r.due_on)},
            {"status", status},
            {"tag", tag},
            {"reminders", number_text(r.reminders)},
            {"undeliverable", r.undeliverable > 0 ? c.text("console_dossier_undeliverable", {{"n", std::to_string(r.undeliverable)}}) : std::string{}},
        });
    }
    m["shown"] = number_text(static_cast<std::int64_t>(rows.size()));
    m["capped"] = rows.size() >= static_cast<std::size_t>(list_limit);
    m["rows"] = std::move(rows);
    m["can_import"] = may(c.me.role, staff_action::import_dossiers);
    return c.render("dossiers", std::move(m));
}

http_response page_dossier(page_ctx& c) {
    const std::string code = c.params.at(0);
    auto dossier = storage::find_dossier(c.db, code);
    if (!dossier) throw not_found(c.text("console_error_dossier_not_found", {{"code", code}}));
    c.require_unit(dossier->unit_id);
    const auto d = dates_now(c);
    auto [status, tag] = status_of(c, d, dossier->due_on, dossier->returned_on);
    std::string official = c.text("console_dossier_unassigned");
    if (!dossier->official_id.empty()) {
        auto o = storage::find_official(c.db, dossier->official_id);
        official = o ? o->name + " (" + o->official_id + ")" : dossier->official_id;
    }
    boost::json::object m;
    m["section"] = "dossiers";
    m["title"] = c.text("console_title_dossier", {{"code", dossier->code}});
    m["code"] = dossier->code;
    m["procedure"] = dossier->procedure;
    m["field"] = dossier->field;
    m["unit"] = c.unit_name(dossier->unit_id);
    m["channel"] = channel_label(c, dossier->channel);
    m["received"] = vn_date_text(dossier->received_on) + (dossier->received_time.empty() ? "" : " " + dossier->received_time);
    m["due"] = vn_date_text(dossier->due_on) + (dossier->due_time.empty() ? "" : " " + dossier->due_time);
    m["returned"] = dossier->returned_on.empty() ? std::string{} : vn_date_text(dossier->returned_on);
    m["official"] = official;
    m["phone"] = dossier->citizen_phone.empty() ? std::string{} : mask_phone(dossier->citizen_phone);
    m["status"] = status;
    m["tag"] = tag;
    boost::json::array reminders;
    for (const auto& r : storage::reminder_history(c.db, dossier->code)) {
        auto [outcome, otag] = reminder_outcome(c, r);
        reminders.push_back(boost::json::object{
            {"day", vn_date_text(r.local_day)},
            {"kind", c.text("console_reminder_kind_" + (c.deps.texts.has("console_reminder_kind_" + r.kind) ? r.kind : std::string("other")))},
            {"to", r.recipient_name.empty() ? r.recipient : r.recipient_name},
            {"channel", r.channel == "cs" ? c.text("console_reminder_channel_cs")
                        : r.channel == "template" || r.channel == "zns" ? c.text("console_reminder_channel_zns")
                                                                        : c.text("console_reminder_channel_none")},
            {"outcome", outcome},
            {"tag", otag},
        });
    }
    m["reminders"] = std::move(reminders);
    return c.render("dossier", std::move(m));
}

namespace {

// Exports are uploaded within server.admin_body_limit, like the admin API's (bot/http/http_server).
std::string upload_limit_kb(const page_ctx& c) {
    return number_text(static_cast<std::int64_t>(c.cfg().server.admin_body_limit / 1024));
}

}  // namespace

http_response page_import(page_ctx& c) {
    boost::json::object m;
    m["section"] = "dossiers";
    m["title"] = c.text("console_title_import");
    m["max_kb"] = upload_limit_kb(c);
    return c.render("import", std::move(m));
}

namespace {

// An upload checked by the dossiers area's preview (CSV, XLSX or JSON; every line; each row's unit
// against the person's units; compared with the stored dossiers). Nothing is written.
struct checked_upload {
    import_preview preview;
    import_result parsed;  ///< the rows, for the sample (read only when the preview is clean)
};

checked_upload check_upload(const page_ctx& c, const std::string& content) {
    checked_upload out;
    out.preview = preview_dossier_import(c.db, content, c.cfg(), c.me.scope, &out.parsed);
    return out;
}

// An import issue as officials read it, in the same words as on the command line.
std::string issue_text(const page_ctx& c, const import_error& e) { return import_issue_text(c.cfg(), c.deps.texts, e); }

// The import page with a file's per-line mistakes (422): nothing was written.
http_response rejected_page(const page_ctx& c, boost::json::object m, const std::string& file_name, std::size_t rows,
                            const std::vector<import_error>& errors) {
    m["file_name"] = file_name;
    m["rows"] = number_text(static_cast<std::int64_t>(rows));
    boost::json::array errs;
    for (const auto& e : errors) errs.push_back(boost::json::object{{"text", issue_text(c, e)}});
    m["error_count"] = number_text(static_cast<std::int64_t>(errors.size()));
    m["errors"] = std::move(errs);
    return c.render("import", std::move(m), 422);
}

boost::json::object import_model(const page_ctx& c) {
    boost::json::object m;
    m["section"] = "dossiers";
    m["title"] = c.text("console_title_import");
    m["max_kb"] = upload_limit_kb(c);
    return m;
}

}  // namespace

http_response post_import_preview(page_ctx& c) {
    boost::json::object m = import_model(c);
    auto file = c.form->files.find("tep");
    if (file == c.form->files.end() || file->second.content.empty()) {
        m["problem"] = c.text("console_import_no_file");
        return c.render("import", std::move(m), 422);
    }
    const auto& up = file->second;
    auto checked = check_upload(c, up.content);
    const auto& p = checked.preview;
    if (!p.ok()) return rejected_page(c, std::move(m), up.file_name, p.rows, p.errors);
    m["file_name"] = up.file_name;
    m["rows"] = number_text(static_cast<std::int64_t>(p.rows));
    boost::json::array sample;
    const auto d = dates_now(c);
    for (std::size_t i = 0; i < checked.parsed.rows.size() && i < preview_rows; ++i) {
        const auto& r = checked.parsed.rows[i];
        auto [status, tag] = status_of(c, d, r.due_on, r.returned_on);
        sample.push_back(boost::json::object{{"line", i < checked.parsed.lines.size() ? checked.parsed.lines[i] : i + 2},
                                             {"code", r.code}, {"procedure", r.procedure}, {"unit", c.unit_name(r.unit_id)},
                                             {"due", vn_date_text(r.due_on)}, {"status", status}, {"tag", tag}});
    }
    m["sample"] = std::move(sample);
    m["more"] = checked.parsed.rows.size() > preview_rows
                    ? c.text("console_import_more", {{"n", std::to_string(checked.parsed.rows.size() - preview_rows)}})
                    : std::string{};
    boost::json::array notes;
    for (const auto& w : p.warnings) notes.push_back(boost::json::object{{"text", issue_text(c, w)}});
    m["has_notes"] = !notes.empty();
    m["notes"] = std::move(notes);
    m["inserted"] = number_text(static_cast<std::int64_t>(p.inserted));
    m["updated"] = number_text(static_cast<std::int64_t>(p.updated));
    m["unchanged"] = number_text(static_cast<std::int64_t>(p.unchanged));
    m["ready"] = true;
    m["upload_id"] = c.uploads->put(c.me.session_hash, {up.file_name, up.content, c.now()});
    return c.render("import", std::move(m));
}

// A form in steps (bot/console/site.cpp): this runs on the console's task thread, which parses
// and compares the file on its own connection; each write is its own short job on the write
// worker, as for the admin API, so a 100,000-row export never holds citizens' replies for seconds.
http_response post_import_confirm(page_ctx& c) {
    auto item = c.uploads->get(c.me.session_hash, c.field("tep_id"), c.now(), upload_max_age_ms);
    if (!item) return page_ctx::redirect("/console/ho-so/nhap?tb=upload_expired");
    // Checked again as it is imported (every line, the person's units): the stored dossiers may
    // have changed since the preview. Off the worker, it may wait for another process's import.
    const import_io io{c.db, c.write};
    import_request req;
    req.source = "console";
    req.actor = c.me.who.official_id;
    req.file_name = item->file_name;
    req.scope = c.me.scope;
    c.audit_action = "dossiers import";
    c.audit_target = item->file_name;
    // Who imported which file and what it changed, in the transaction that shows the change.
    req.on_imported = [&c](SQLite::Database& w, const storage::upsert_stats& st) {
        c.audit_detail = std::to_string(st.inserted + st.updated + st.unchanged) + " rows: " + std::to_string(st.inserted) +
                         " new, " + std::to_string(st.updated) + " updated, " + std::to_string(st.newly_returned) + " returned";
        c.audit_into(w);
    };
    auto o = run_dossier_import(io, item->content, req, c.cfg(), c.deps.clock);
    if (o.outcome == storage::import_outcome::imported) {
        c.audit_done = true;  // committed with the merge
        c.uploads->drop(c.me.session_hash);
        return page_ctx::redirect("/console/ho-so?tb=imported&n=" + std::to_string(o.parsed.rows.size()));
    }
    // Otherwise nothing changed; the console records the attempt after this page (site.cpp).
    if (o.outcome == storage::import_outcome::rejected) {
        c.audit_detail = "rejected: " + std::to_string(o.parsed.errors.size()) + " error(s), nothing imported";
        c.uploads->drop(c.me.session_hash);
        auto m = import_model(c);
        m["problem"] = c.text("console_warn_upload_changed");
        return rejected_page(c, std::move(m), item->file_name, o.parsed.rows.size(), o.parsed.errors);
    }
    c.audit_detail = "failed, nothing imported (import run " + std::to_string(o.run_id) + ")";
    return page_ctx::redirect("/console/ho-so/nhap?tb=import_failed");
}

}  // namespace bot::console
