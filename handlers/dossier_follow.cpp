// Following a dossier, and the notices its followers get.
#include "handlers/dossier_follow.hpp"

#include "bot/core/config.hpp"
#include "bot/core/local_time.hpp"
#include "bot/core/messages.hpp"
#include "bot/dossiers/dossier_import.hpp"
#include "bot/dossiers/export_mapping.hpp"
#include "bot/dossiers/scheduler.hpp"
#include "bot/zalo/outbox.hpp"
#include "handlers/conversation_common.hpp"
#include "handlers/dossier_lookup.hpp"
#include "handlers/reminders.hpp"
#include "handlers/sender.hpp"
#include "storage/dossier_follow_repository.hpp"
#include "storage/dossier_query.hpp"
#include "storage/dossier_repository.hpp"
#include "storage/interaction_repository.hpp"
#include "storage/write_scope.hpp"

#include <algorithm>
#include <array>

namespace handlers {

namespace {

/// How long the bot waits for the phone after asking for it.
constexpr std::int64_t pending_follow_ms = 30LL * 60 * 1000;
/// A notice's procedure name is shortened to this many characters (one short message).
constexpr std::size_t notice_procedure_chars = 60;

bool starts_with(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

interaction_note note_for(const std::string& kind, const sender& s) { return {kind, "theo_doi_ho_so", interaction_outcome::command, s.unit_id()}; }

zalo::button unfollow_button(const context& ctx, const std::string& code) {
    return query_button(ctx.texts.render("dossier_button_unfollow"), std::string(follow_payload::unfollow) + code);
}

// "Bỏ theo dõi 000.00…", "huy theo doi", "ngừng theo dõi hồ sơ …".
bool is_unfollow(const std::string& folded) {
    for (const char* p : {"bo theo doi", "huy theo doi", "ngung theo doi", "dung theo doi", "thoi theo doi"})
        if (folded == p || starts_with(folded, std::string(p) + " ")) return true;
    return false;
}

bool is_follow(const std::string& folded) { return folded == "theo doi" || starts_with(folded, "theo doi "); }

// A message that is only a phone number ("0912 345 678", "SĐT: 0912.345.678").
std::optional<std::string> only_a_phone(const std::string& text) {
    const std::string folded = fold_text(text);
    std::string rest;
    for (const char* w : {"so dien thoai", "sdt", "dt", "so"})
        if (starts_with(folded, std::string(w) + " ")) {
            rest = folded.substr(std::string(w).size() + 1);
            break;
        }
    if (rest.empty()) rest = folded;
    if (!std::all_of(rest.begin(), rest.end(), [](char c) { return (c >= '0' && c <= '9') || c == ' '; })) return std::nullopt;
    return bot::normalize_phone(text);
}

outcome unfollow(context& ctx, const std::string& code, const std::string& kind, const sender& s) {
    if (code.empty()) {
        const auto n = storage::unfollow_all(ctx.db, s.id(), ctx.now_ms());
        return reply_to(ctx, s.id(),
                        n ? ctx.texts.render("dossier_unfollow_all", {{"count", std::to_string(n)}})
                          : ctx.texts.render("dossier_unfollow_none"),
                        {}, note_for(kind, s));
    }
    const bool was = storage::unfollow_dossier(ctx.db, code, s.id(), ctx.now_ms());
    return reply_to(ctx, s.id(),
                    ctx.texts.render(was ? "dossier_unfollow_ok" : "dossier_unfollow_not_following", {{"code", code}}), {},
                    note_for(kind, s));
}

outcome ask_phone(context& ctx, const std::string& code, const std::string& kind, const sender& s) {
    if (storage::follows(ctx.db, code, s.id()))
        return reply_to(ctx, s.id(), ctx.texts.render("dossier_follow_already", {{"code", code}}), {unfollow_button(ctx, code)},
                        note_for(kind, s));
    storage::set_pending_follow(ctx.db, s.id(), code, ctx.now_ms());
    return reply_to(ctx, s.id(), ctx.texts.render("dossier_follow_ask_phone", {{"code", code}}), {}, note_for(kind, s));
}

// Follows when `phone` is the dossier's receipt phone. Every failure reads the same, whether the
// code is unknown, the phone differs or the dossier has no phone: a stranger learns nothing.
outcome verify_and_follow(context& ctx, const std::string& code, const std::string& phone, const std::string& kind,
                          const sender& s) {
    storage::set_pending_follow(ctx.db, s.id(), "", ctx.now_ms());
    const std::string day = today_of(ctx);
    if (storage::follow_failures(ctx.db, s.id(), day) >= max_follow_failures_per_day)
        return reply_to(ctx, s.id(), ctx.texts.render("dossier_follow_locked"), {}, note_for(kind, s));
    const auto d = storage::find_dossier(ctx.db, code);
    if (!d || d->citizen_phone.empty() || d->citizen_phone != phone) {
        storage::record_follow_failure(ctx.db, s.id(), day);
        return reply_to(ctx, s.id(), ctx.texts.render("dossier_follow_mismatch"), {}, note_for(kind, s));
    }
    const bool fresh = storage::follow_dossier(ctx.db, d->code, s.id(), phone, ctx.now_ms());
    if (!fresh)
        return reply_to(ctx, s.id(), ctx.texts.render("dossier_follow_already", {{"code", d->code}}),
                        {unfollow_button(ctx, d->code)}, note_for(kind, s));
    const auto st = storage::find_dossier_status(ctx.db, d->code);
    return reply_to(ctx, s.id(),
                    ctx.texts.render("dossier_follow_ok", {{"code", d->code},
                                                           {"procedure", d->procedure},
                                                           {"phone", bot::mask_phone(phone)},
                                                           {"status", st ? dossier_status_text(ctx, *st) : std::string{}},
                                                           {"due", vn_date(d->due_on)}}),
                    {unfollow_button(ctx, d->code)}, note_for(kind, s));
}

}  // namespace

std::optional<outcome> dossier_follow(context& ctx, const std::string& text, const std::string& folded, const sender& s) {
    if (s.id().empty()) return std::nullopt;
    // The buttons under a lookup or a notice.
    if (starts_with(text, follow_payload::follow)) {
        const std::string code = trim(text.substr(follow_payload::follow.size()));
        if (code.empty()) return std::nullopt;
        return ask_phone(ctx, code, "button", s);
    }
    if (starts_with(text, follow_payload::unfollow)) return unfollow(ctx, trim(text.substr(follow_payload::unfollow.size())), "button", s);

    if (is_unfollow(folded)) return unfollow(ctx, find_dossier_code(ctx.cfg, text).value_or(""), "text", s);
    if (is_follow(folded)) {
        const auto code = find_dossier_code(ctx.cfg, text);
        if (!code) return reply_to(ctx, s.id(), ctx.texts.render("dossier_follow_usage"), {}, note_for("text", s));
        // The phone is what remains once the code is taken out ("theo dõi <mã> 0912 345 678").
        std::string upper = text;
        for (auto& c : upper)
            if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
        std::string rest = text;
        if (auto at = upper.find(*code); at != std::string::npos) rest.erase(at, code->size());
        if (auto phone = bot::normalize_phone(rest)) return verify_and_follow(ctx, *code, *phone, "text", s);
        return ask_phone(ctx, *code, "text", s);
    }
    // The phone after the bot asked for it; anything else ends the question and goes on.
    if (auto code = storage::pending_follow(ctx.db, s.id(), ctx.now_ms() - pending_follow_ms)) {
        if (auto phone = only_a_phone(text)) return verify_and_follow(ctx, *code, *phone, "text", s);
        storage::set_pending_follow(ctx.db, s.id(), "", ctx.now_ms());
    }
    return std::nullopt;
}

namespace {

// Which notice a change gives: the apology when an open dossier passed its due date, the apology
// and new date when its due date moved later, else its new state.
std::string notice_kind(const storage::pending_change& c) {
    if (c.fields == storage::overdue_change_marker) return "overdue";
    const bool open = c.new_state == "received" || c.new_state == "processing" || c.new_state == "supplement";
    if (open && c.new_due_on > c.old_due_on) return "rescheduled";
    return c.new_state;
}

std::string notice_text(const context& ctx, const storage::pending_change& c, const std::string& kind, const std::string& today) {
    std::map<std::string, std::string> v = {{"code", c.code},
                                            {"procedure", short_procedure(c.procedure, notice_procedure_chars)},
                                            {"due", vn_date(c.new_due_on)},
                                            {"old_due", vn_date(c.old_due_on)},
                                            {"returned", vn_date(c.returned_on)},
                                            {"place", dossier_place_text(ctx, c.unit_id, c.channel)}};
    if (kind == "result_ready") {
        const char* how = c.channel == "truc_tuyen" ? "dossier_collect_online"
                          : c.channel == "bcci"     ? "dossier_collect_post"
                                                    : "dossier_collect_in_person";
        v["collect"] = ctx.texts.render(how, v);
    }
    // An open dossier past its due date without a new one still gets the apology.
    if ((kind == "received" || kind == "processing" || kind == "supplement") && today > c.new_due_on)
        v["late"] = ctx.texts.render("dossier_notice_late");
    return ctx.texts.render("dossier_notice_" + kind, v) + ctx.texts.render("dossier_notice_footer", v);
}

}  // namespace

notice_report run_dossier_notices(context& ctx, std::size_t max_changes) {
    notice_report rep;
    const std::int64_t now = ctx.now_ms();
    const int offset = ctx.cfg.time.utc_offset_minutes;
    const std::string today = bot::to_iso(bot::local_date_of(now, offset));
    // One transaction per run: the notices, their outbox rows and the changes marked done commit
    // together, so a crash repeats none and loses none.
    storage::write_scope tx(ctx.db);
    storage::record_overdue_changes(ctx.db, today, now);
    const auto changes = storage::pending_notice_changes(ctx.db, max_changes);
    rep.more = changes.size() == max_changes;
    std::vector<storage::notice_row> rows;
    std::vector<zalo::outgoing_message> messages;  // one per row; empty recipient when undeliverable
    std::vector<std::int64_t> ids;
    for (const auto& c : changes) {
        ids.push_back(c.id);
        ++rep.changes;
        const std::string kind = notice_kind(c);
        const std::string text = notice_text(ctx, c, kind, today);
        for (const auto& f : c.followers) {
            // Someone who began following after the due date was given the apology in the reply.
            if (kind == "overdue" && bot::to_iso(bot::local_date_of(f.followed_at, offset)) > c.new_due_on) continue;
            storage::notice_row r;
            r.change_id = c.id;
            r.user_id = f.user_id;
            r.code = c.code;
            r.kind = kind;
            r.unit_id = c.unit_id;
            r.local_day = today;
            zalo::outgoing_message m;
            m.prio = zalo::priority::reminder;
            m.purpose = "dossier_notice";
            m.ref = "notice:" + std::to_string(c.id);
            m.text = text;
            if (f.last_interaction_at && now - *f.last_interaction_at <= bot::cs_window_ms) {
                r.channel = "cs";
                m.recipient = f.user_id;
                m.via = zalo::channel::cs;
                m.buttons = {unfollow_button(ctx, c.code)};
            } else if (!ctx.cfg.zalo.zns_status_template.empty() && !f.phone.empty()) {
                r.channel = "zns";
                m.recipient = f.phone;  // the client sends it in country form
                m.via = zalo::channel::zns;
                m.oa = f.oa;  // by phone: through the OA the citizen followed on, not the default
                m.template_id = ctx.cfg.zalo.zns_status_template;
                m.template_data = {{"ma_ho_so", c.code},
                                   {"thu_tuc", short_procedure(c.procedure, 30)},
                                   {"trang_thai", ctx.texts.render("dossier_zns_state_" + kind)},
                                   {"ngay_hen", vn_date(c.new_due_on)}};
            } else {
                r.channel = "none";
            }
            r.status = r.channel == "none" ? storage::notice_status::undeliverable : storage::notice_status::queued;
            rows.push_back(std::move(r));
            messages.push_back(std::move(m));
        }
    }
    const auto fresh = storage::claim_notices(ctx.db, rows, now);
    std::vector<zalo::outgoing_message> to_queue;
    std::vector<std::size_t> queued;
    for (std::size_t i = 0; i < rows.size(); ++i) {
        if (!fresh[i]) continue;
        ++rep.by_kind[rows[i].kind];
        if (rows[i].status != storage::notice_status::queued) {
            ++rep.undeliverable;
            continue;
        }
        (rows[i].channel == "cs" ? rep.queued_cs : rep.queued_zns)++;
        // Every notice is an outbound interaction of the report.
        storage::interaction o;
        o.at = now;
        o.local_day = today;
        o.user_id = rows[i].user_id;
        o.unit_id = rows[i].unit_id;
        o.direction = "out";
        o.kind = "dossier_notice";
        o.topic = "theo_doi_ho_so";
        o.text = messages[i].text;
        storage::log_interaction(ctx.db, o);
        to_queue.push_back(std::move(messages[i]));
        queued.push_back(i);
    }
    const auto outbox_ids = zalo::queue_messages(ctx.db, to_queue, now);
    for (std::size_t k = 0; k < queued.size(); ++k) rows[queued[k]].outbox_id = outbox_ids[k];
    storage::set_notice_outboxes(ctx.db, rows);
    storage::mark_changes_noticed(ctx.db, ids);
    tx.commit();
    return rep;
}

}  // namespace handlers
