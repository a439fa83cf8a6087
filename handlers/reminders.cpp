// The reminder job.
#include "handlers/reminders.hpp"

#include "bot/core/config.hpp"
#include "bot/core/local_time.hpp"
#include "bot/core/messages.hpp"
#include "bot/core/official_accounts.hpp"
#include "bot/core/units.hpp"
#include "bot/zalo/outbox.hpp"
#include "bot/core/staff.hpp"
#include "bot/dossiers/reachability.hpp"
#include "bot/dossiers/scheduler.hpp"
#include "storage/dossier_repository.hpp"
#include "storage/official_repository.hpp"
#include "storage/reminder_repository.hpp"

#include "storage/write_scope.hpp"

#include <SQLiteCpp/Database.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <unordered_map>

namespace handlers {

namespace {

std::string vn_date(const std::string& iso) {
    auto d = bot::date_of(iso);
    return d ? bot::to_vn(*d) : iso;
}

// Zalo wants phones in country format (zalo-api.md §2.7): 0912... → 84912...
std::string country_phone(const std::string& phone) {
    std::string digits;
    for (char c : phone)
        if (c >= '0' && c <= '9') digits.push_back(c);
    if (digits.size() > 1 && digits[0] == '0') return "84" + digits.substr(1);
    return digits;
}

std::string render_text(const bot::planned_reminder& r, const bot::message_catalog& texts, const std::string& today,
                        const std::unordered_map<std::string, const storage::official*>& by_id, const bot::config& cfg) {
    const std::string han = vn_date(r.due_on);
    if (r.kind == "due_soon") {
        std::string khi = texts.render(r.due_on == today ? "reminder_due_today" : "reminder_due_on", {{"han_tra", han}});
        return texts.render("reminder_due_soon", {{"ma_ho_so", r.dossier}, {"thu_tuc", short_procedure(r.procedure)}, {"khi", khi}});
    }
    if (r.kind == "overdue")
        return texts.render("reminder_overdue", {{"ma_ho_so", r.dossier},
                                                 {"thu_tuc", short_procedure(r.procedure)},
                                                 {"so_ngay", std::to_string(r.working_days_late)},
                                                 {"han_tra", han}});
    if (r.kind == "escalation") {
        std::string who = texts.render("reminder_unassigned");
        if (!r.assignee.empty()) {
            auto it = by_id.find(r.assignee);
            who = it != by_id.end() ? it->second->name : r.assignee;
        }
        return texts.render("reminder_escalation", {{"ma_ho_so", r.dossier},
                                                    {"thu_tuc", short_procedure(r.procedure)},
                                                    {"can_bo", who},
                                                    {"so_ngay", std::to_string(r.working_days_late)},
                                                    {"han_tra", han}});
    }
    std::string details;
    if (!r.oldest_overdue.empty()) {
        details = texts.render("reminder_digest_oldest");
        for (const auto& d : r.oldest_overdue)
            details += texts.render("reminder_digest_item",
                                    {{"ma_ho_so", d.code}, {"thu_tuc", short_procedure(d.procedure, 50)}, {"han_tra", vn_date(d.due_on)}});
    }
    const auto* unit = cfg.find_unit(r.unit_id);
    return texts.render("reminder_digest", {{"don_vi", unit ? bot::unit_name_on(*unit, today) : r.unit_id},
                                            {"ngay", vn_date(today)},
                                            {"dang_giai_quyet", std::to_string(r.open)},
                                            {"qua_han", std::to_string(r.overdue)},
                                            {"sap_den_han", std::to_string(r.due_soon)},
                                            {"chi_tiet", details}});
}

// The unit's officials nothing reaches, for its leader's digest: a reminder to them is recorded
// but read by nobody, and the leader is the one who can get them linked.
template <class ChannelOf>
std::string unreachable_in_digest(const context& ctx, const std::string& unit_id, const std::vector<storage::official>& officials,
                                  ChannelOf&& channel_of) {
    std::string list;
    for (const auto& o : officials) {
        if (o.disabled || !o.reminders_enabled || !bot::handles_cases(bot::role_of(o))) continue;
        if (std::find(o.units.begin(), o.units.end(), unit_id) == o.units.end() && o.unit_id != unit_id) continue;
        const auto ch = channel_of(o);
        if (ch.channel != "none") continue;
        list += ctx.texts.render("reminder_digest_unreachable_item",
                                 {{"ten", o.name}, {"ly_do", ctx.texts.render("reminder_unreachable_" + ch.reason)}});
    }
    return list.empty() ? list : ctx.texts.render("reminder_digest_unreachable") + list;
}

}  // namespace

std::map<std::string, std::int64_t> unreachable_officials(context& ctx) {
    std::map<std::string, std::int64_t> out;
    const std::int64_t now = ctx.now_ms();
    for (const auto& o : storage::list_officials(ctx.db, false)) {
        if (!o.reminders_enabled || !bot::handles_cases(bot::role_of(o))) continue;
        const auto r = bot::reachability_now(ctx.db, o, now, ctx.cfg);
        if (r.state == bot::reach_state::unreachable) ++out[r.reason];
    }
    return out;
}

std::string short_procedure(const std::string& name, std::size_t max_chars) {
    std::string out;
    std::size_t chars = 0;
    bool space = false;
    for (std::size_t i = 0; i < name.size(); ++i) {
        const char c = name[i];
        if (c == ' ' || c == '\n' || c == '\r' || c == '\t') {
            space = !out.empty();
            continue;
        }
        const bool lead = (static_cast<unsigned char>(c) & 0xC0) != 0x80;  // first byte of a UTF-8 code point
        if (lead) {
            if (space) {
                if (++chars > max_chars) return out + "…";
                out.push_back(' ');
                space = false;
            }
            if (++chars > max_chars) {
                while (!out.empty() && out.back() == ' ') out.pop_back();
                return out + "…";
            }
        }
        out.push_back(c);
    }
    return out;
}

scan_report run_reminder_scan(context& ctx, const bot::work_calendar& cal, bool dry_run) {
    const std::int64_t now = ctx.now_ms();
    scan_report rep;

    const std::string horizon = bot::scan_horizon(now, cal, ctx.cfg);
    const auto dossiers = storage::open_dossiers_due_by(ctx.db, horizon);
    const auto officials = storage::list_officials(ctx.db, false);
    const auto open_by_unit = storage::open_counts_by_unit(ctx.db);
    const auto escalated = storage::escalated_pairs(ctx.db);

    bot::plan_input in;
    in.now_ms = now;
    in.dossiers = &dossiers;
    in.officials = &officials;
    in.open_by_unit = &open_by_unit;
    in.escalated = &escalated;
    in.calendar = &cal;
    in.cfg = &ctx.cfg;
    auto plan = bot::plan_reminders(in);
    rep.active = plan.active;
    rep.reason = plan.reason;
    rep.today = plan.today;
    if (!plan.active) return rep;

    std::unordered_map<std::string, const storage::official*> by_id;
    for (const auto& o : officials) by_id.emplace(o.official_id, &o);
    std::unordered_map<std::string, bot::channel_choice> channels;
    auto channel_of = [&](const storage::official& o) {
        auto it = channels.find(o.official_id);
        if (it != channels.end()) return it->second;
        std::optional<std::int64_t> last;
        if (!o.zalo_user_id.empty()) last = storage::last_interaction_at(ctx.db, o.zalo_user_id);
        return channels.emplace(o.official_id, bot::choose_channel(o, last, now, ctx.cfg)).first->second;
    };

    const auto already = storage::reminder_keys_on(ctx.db, plan.today);
    std::vector<const bot::planned_reminder*> fresh;
    for (const auto& r : plan.items) {
        if (already.count(storage::reminder_key(r.kind, r.dossier, r.recipient))) continue;
        fresh.push_back(&r);
    }

    std::vector<storage::reminder_row> rows;
    rows.reserve(fresh.size());
    for (const auto* r : fresh) {
        const storage::official& o = *by_id.at(r->recipient);
        const auto ch = channel_of(o);
        rep.items.push_back({r->kind, r->recipient, r->dossier, ch.channel, ch.status, ch.reason});
        if (ch.status != storage::reminder_status::queued && !dry_run)
            spdlog::warn("reminder {} for {} ({}) recorded as undeliverable: {}", r->kind, r->recipient,
                         r->dossier.empty() ? r->unit_id : r->dossier, ch.reason);
        rows.push_back({r->kind, r->dossier, r->recipient, plan.today, r->unit_id, ch.channel, ch.status, std::nullopt, ch.reason});
    }
    if (dry_run) return rep;

    // Recording and enqueuing share one transaction: a crash leaves both or neither, and the
    // primary key refuses a second row for the same kind, dossier, recipient and day.
    storage::write_scope sp(ctx.db);
    const auto recorded = storage::record_reminders(ctx.db, rows, now);
    const auto oas = ctx.cfg.official_accounts();
    std::vector<zalo::outgoing_message> items;
    std::vector<storage::reminder_row> queued_rows;
    for (std::size_t i = 0; i < fresh.size(); ++i) {
        if (!recorded[i] || rows[i].status != storage::reminder_status::queued) continue;
        const auto* r = fresh[i];
        const storage::official& o = *by_id.at(r->recipient);
        zalo::outgoing_message m;
        m.prio = zalo::priority::reminder;
        m.purpose = r->kind == "digest" ? "digest" : "reminder";
        m.ref = r->kind == "digest" ? "digest:" + r->unit_id : r->dossier;
        m.text = render_text(*r, ctx.texts, plan.today, by_id, ctx.cfg);
        if (r->kind == "digest") m.text += unreachable_in_digest(ctx, r->unit_id, officials, channel_of);
        if (rows[i].channel == "cs") {
            m.recipient = o.zalo_user_id;
            m.via = zalo::channel::cs;
            m.fallback_phone = country_phone(o.phone);
        } else {
            m.recipient = country_phone(o.phone);
            m.via = zalo::channel::zns;
            // A phone has no OA of its own: the official's (linked on, or serving their unit).
            const bot::oa_config& oa = bot::official_oa(ctx.cfg, oas, o.oa, o.unit_id);
            m.oa = oa.id;
            m.template_id = oa.zns_reminder_template;
            m.template_data = {{"loai", r->kind},
                               {"can_bo", o.name},
                               {"ma_ho_so", r->dossier.empty() ? "-" : r->dossier},
                               {"thu_tuc", r->procedure.empty() ? "-" : short_procedure(r->procedure)},
                               {"han_tra", r->due_on.empty() ? "-" : vn_date(r->due_on)},
                               {"noi_dung", m.text}};
        }
        items.push_back(std::move(m));
        queued_rows.push_back(rows[i]);
        ++rep.queued_by_kind[r->kind];
    }
    const auto ids = zalo::queue_messages(ctx.db, items, now);
    storage::set_reminder_outboxes(ctx.db, queued_rows, ids);
    sp.commit();
    return rep;
}

}  // namespace handlers
