// Profile events.
#include "handlers/user_profile.hpp"

#include "bot/core/messages.hpp"
#include "handlers/conversation_common.hpp"
#include "storage/user_repository.hpp"

namespace handlers {

namespace {
// Zalo sends the phone as 84xxxxxxxxx; Vietnamese readers write 0xxxxxxxxx.
std::string national_phone(const std::string& raw) {
    std::string digits;
    for (char c : raw)
        if (c >= '0' && c <= '9') digits.push_back(c);
    if (digits.size() >= 11 && digits.compare(0, 2, "84") == 0) digits = "0" + digits.substr(2);
    return digits;
}

// Only the last three digits are ever shown back.
std::string masked(const std::string& phone) {
    if (phone.size() <= 3) return std::string(phone.size(), '*');
    return std::string(phone.size() - 3, '*') + phone.substr(phone.size() - 3);
}
}  // namespace

outcome handle_user_submit_info(const zalo::event& ev, context& ctx) {
    if (ev.user_id.empty()) return {};
    storage::touch_user(ctx.db, ev.user_id, ctx.now_ms(), ctx.oa);
    const std::string unit = unit_of_user(ctx, ev.user_id);
    const std::string phone = national_phone(ev.info_phone);
    outcome out;
    out.note = interaction_note{"submit_info", "", interaction_outcome::command, unit};
    if (phone.empty()) return out;
    storage::set_user_phone(ctx.db, ev.user_id, phone);
    zalo::outgoing_message m;
    m.recipient = ev.user_id;
    m.text = ctx.texts.render("conversation_phone_saved", {{"phone", masked(phone)}});
    out.messages.push_back(std::move(m));
    return out;
}

outcome handle_user_withdraw(const zalo::event& ev, context& ctx) {
    if (ev.user_id.empty()) return {};
    storage::erase_user_data(ctx.db, ev.user_id, ctx.now_ms());
    return outcome{{}, interaction_note{"withdraw", "", interaction_outcome::none, ""}};
}

outcome handle_user_click_chatnow(const zalo::event& ev, context& ctx) {
    if (ev.user_id.empty()) return {};
    storage::touch_user(ctx.db, ev.user_id, ctx.now_ms(), ctx.oa);
    const std::string unit = unit_of_user(ctx, ev.user_id);
    outcome out;
    out.messages = with_buttons(ctx, ev.user_id,
                                ctx.texts.render(unit.empty() ? "conversation_welcome_choose_unit" : "conversation_welcome"),
                                main_menu_buttons(ctx));
    out.note = interaction_note{"chatnow", "", interaction_outcome::none, unit};
    return out;
}

}  // namespace handlers
