// Non-text messages.
#include "handlers/non_text.hpp"

#include "bot/core/config.hpp"
#include "bot/core/messages.hpp"
#include "handlers/conversation_common.hpp"
#include "handlers/handoff.hpp"
#include "handlers/sender.hpp"
#include "storage/handoff_repository.hpp"
#include "storage/official_repository.hpp"
#include "storage/user_repository.hpp"

namespace handlers {

namespace {
// The attachment kind, from the first attachment, else from the event name (user_send_<kind>).
std::string kind_of(const zalo::event& ev) {
    if (!ev.attachments.empty() && !ev.attachments.front().type.empty()) return ev.attachments.front().type;
    std::string_view n = ev.name;
    constexpr std::string_view prefix = "user_send_";
    if (n.substr(0, prefix.size()) == prefix) n.remove_prefix(prefix.size());
    return std::string(n);
}

const char* what_key(const std::string& kind) {
    if (kind == "image") return "conversation_what_image";
    if (kind == "gif") return "conversation_what_gif";
    if (kind == "file") return "conversation_what_file";
    if (kind == "sticker") return "conversation_what_sticker";
    if (kind == "audio") return "conversation_what_audio";
    if (kind == "video") return "conversation_what_video";
    if (kind == "location") return "conversation_what_location";
    if (kind == "link") return "conversation_what_link";
    if (kind == "business_card") return "conversation_what_business_card";
    return "conversation_what_other";
}
}  // namespace

outcome handle_non_text(const zalo::event& ev, context& ctx) {
    if (ev.user_id.empty()) return {};
    const sender s = load_sender(ctx, ev.user_id);
    const std::string kind = kind_of(ev);
    const std::string& unit = s.unit_id();
    const std::string what = ctx.texts.render(what_key(kind));

    // Officials get no lecture about the portal, and the limiter never counts them.
    if (s.official) return outcome{{}, interaction_note{kind, "", interaction_outcome::none, unit}};
    if (storage::count_message(ctx.db, s.user, ctx.now_ms(), ctx.cfg.conversation.flood_limit_per_minute) !=
        storage::flood_verdict::ok)
        return outcome{{}, interaction_note{"flood", "", interaction_outcome::none, unit}};

    // During a hand-off the bot stays quiet: the officials get a pointer to what was sent.
    if (s.open_handoff) {
        const auto& h = *s.open_handoff;
        const std::string url = ev.attachments.empty() ? std::string{} : ev.attachments.front().url;
        outcome out;
        out.messages = to_handoff_officials(
            ctx, h,
            ctx.texts.render("conversation_handoff_forward_attachment", {{"id", std::to_string(h.id)}, {"what", what}, {"url", url}}));
        out.note = interaction_note{kind, "", interaction_outcome::handoff, unit};
        return out;
    }

    zalo::button portal;
    portal.type = zalo::button::kind::open_url;
    portal.title = ctx.texts.render("conversation_button_portal");
    portal.payload = ctx.cfg.conversation.portal_url;
    std::vector<zalo::button> buttons{portal, query_button(ctx.texts.render("conversation_button_menu"), std::string(payload::menu))};
    outcome out;
    out.messages = with_buttons(ctx, ev.user_id,
                                ctx.texts.render("conversation_non_text", {{"what", what},
                                                                           {"portal", ctx.cfg.conversation.portal_url},
                                                                           {"desk", desk_of_unit(ctx, unit)}}),
                                std::move(buttons));
    out.note = interaction_note{kind, "", interaction_outcome::none, unit};
    return out;
}

}  // namespace handlers
