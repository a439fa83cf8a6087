// A text message: the sender is loaded once, then each step in turn may take the message —
// officials' commands and hand-off answers, the flood limit, an open hand-off, buttons,
// following a dossier, the commune or village, the broadcast opt-out, a dossier code, and last
// the knowledge base.
#include "handlers/user_send_text.hpp"

#include "bot/core/config.hpp"
#include "bot/core/messages.hpp"
#include "bot/core/units.hpp"
#include "bot/language/knowledge_base.hpp"
#include "handlers/citizen_question.hpp"
#include "handlers/citizen_settings.hpp"
#include "handlers/conversation_common.hpp"
#include "handlers/dossier_follow.hpp"
#include "handlers/dossier_lookup.hpp"
#include "handlers/handoff.hpp"
#include "handlers/official_commands.hpp"
#include "handlers/sender.hpp"
#include "storage/user_repository.hpp"

namespace handlers {

namespace {

bool starts_with(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

// A tapped oa.query button arrives as its payload text ("#menu", "#topic:khai_sinh", ...).
std::optional<outcome> handle_payload(context& ctx, const std::string& text, const sender& s) {
    const std::string kind = "button";
    const std::string& uid = s.id();
    const std::string& unit_id = s.unit_id();
    if (text == payload::menu) return menu_reply(ctx, uid, kind, unit_id);
    if (text == payload::units) return unit_menu(ctx, uid, kind, unit_id);
    if (text == payload::more)
        return reply_to(ctx, uid, ctx.texts.render("conversation_menu_more"), more_menu_buttons(ctx),
                        interaction_note{kind, "", interaction_outcome::command, unit_id});
    if (starts_with(text, payload::unit)) {
        // A button from a menu sent before a merger means the commune that took over.
        const auto* unit = bot::unit_on(ctx.cfg, text.substr(payload::unit.size()), today_of(ctx));
        if (!unit) return unit_menu(ctx, uid, kind, unit_id);
        return place_chosen(ctx, uid, *unit, {}, kind);
    }
    if (starts_with(text, payload::village)) {
        const std::string village = text.substr(payload::village.size());
        const auto* unit = village_owner(ctx, village, unit_id);
        if (!unit) return unit_menu(ctx, uid, kind, unit_id);
        return place_chosen(ctx, uid, *unit, village, kind);
    }
    if (starts_with(text, payload::topic)) {
        const std::string id = text.substr(payload::topic.size());
        if (id == "gap_can_bo") return open_handoff_for(ctx, s.user, "asked", text, kind);
        const auto* topic = ctx.kb ? ctx.kb->find(id) : nullptr;
        if (topic) return topic_reply(ctx, uid, *topic, kind, unit_id);
        if (id == "tra_cuu_ho_so")
            return reply_to(ctx, uid, ctx.texts.render("conversation_lookup_hint"), {},
                            interaction_note{kind, id, interaction_outcome::command, unit_id});
        return menu_reply(ctx, uid, kind, unit_id);
    }
    return std::nullopt;
}

}  // namespace

outcome handle_user_send_text(const zalo::event& ev, context& ctx) {
    if (ev.user_id.empty()) return {};
    const sender s = load_sender(ctx, ev.user_id);
    // Folded once for every step that reads it (a Unicode decomposition per character); the
    // surrounding whitespace trim() removes below does not change it.
    const std::string folded = bot::fold_text(ev.text);

    if (auto r = handle_official_text(ev.text, folded, ctx, s)) return std::move(*r);
    if (auto r = official_handoff_reply(ctx, ev.text, s)) return std::move(*r);

    // The flood limit never blocks officials.
    if (!s.official) {
        switch (storage::count_message(ctx.db, s.user, ctx.now_ms(), ctx.cfg.conversation.flood_limit_per_minute)) {
        case storage::flood_verdict::ok:
            break;
        case storage::flood_verdict::notify:
            return reply_to(ctx, s.id(), ctx.texts.render("conversation_flood_notice"), {},
                            interaction_note{"flood", "", interaction_outcome::none, s.unit_id()});
        case storage::flood_verdict::silent:
            return outcome{{}, interaction_note{"flood", "", interaction_outcome::none, s.unit_id()}};
        }
    }

    if (s.open_handoff) return citizen_message_in_handoff(ctx, ev.text, s);

    const std::string text = trim(ev.text);
    if (text.empty()) return {};
    if (text.front() == '#')
        if (auto r = handle_payload(ctx, text, s)) return std::move(*r);

    if (auto r = dossier_follow(ctx, text, folded, s)) return std::move(*r);
    if (auto r = typed_place(ctx, folded, s)) return std::move(*r);
    if (auto r = broadcast_preference(ctx, folded, s)) return std::move(*r);
    if (auto code = find_dossier_code(ctx.cfg, text)) return dossier_lookup(ctx, s.id(), *code, "text", s.unit_id(), &s);
    return answer_question(ctx, text, s);
}

}  // namespace handlers
