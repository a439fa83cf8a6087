// Shared conversation pieces.
#include "handlers/conversation_common.hpp"

#include "bot/core/config.hpp"
#include "bot/core/local_time.hpp"
#include "bot/core/messages.hpp"
#include "bot/core/units.hpp"
#include "bot/core/wording.hpp"
#include "storage/user_repository.hpp"

#include <spdlog/spdlog.h>
#include <utf8proc.h>

#include <algorithm>
#include <cstdlib>

namespace handlers {

std::string fold_text(std::string_view s) {
    std::string decomposed;
    utf8proc_uint8_t* out = nullptr;
    const auto opts = static_cast<utf8proc_option_t>(UTF8PROC_STABLE | UTF8PROC_DECOMPOSE | UTF8PROC_STRIPMARK |
                                                     UTF8PROC_CASEFOLD | UTF8PROC_IGNORE);
    utf8proc_ssize_t n = utf8proc_map(reinterpret_cast<const utf8proc_uint8_t*>(s.data()),
                                      static_cast<utf8proc_ssize_t>(s.size()), &out, opts);
    if (n >= 0 && out) {
        decomposed.assign(reinterpret_cast<const char*>(out), static_cast<std::size_t>(n));
    } else {
        // Invalid UTF-8: keep the ASCII letters and digits, drop the rest.
        for (char c : s)
            if (static_cast<unsigned char>(c) < 0x80) decomposed.push_back(c);
    }
    std::free(out);

    std::string r;
    r.reserve(decomposed.size());
    bool space = true;  // no leading space
    for (std::size_t i = 0; i < decomposed.size(); ++i) {
        unsigned char c = static_cast<unsigned char>(decomposed[i]);
        if (c == 0xC4 && i + 1 < decomposed.size() && static_cast<unsigned char>(decomposed[i + 1]) == 0x91) {
            r.push_back('d');  // đ (casefolded Đ) has no decomposition
            ++i;
            space = false;
        } else if (c >= 0x80) {
            r.push_back(static_cast<char>(c));
            space = false;
        } else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
            r.push_back(static_cast<char>(c));
            space = false;
        } else if (c >= 'A' && c <= 'Z') {
            r.push_back(static_cast<char>(c - 'A' + 'a'));
            space = false;
        } else if (!space) {
            r.push_back(' ');
            space = true;
        }
    }
    while (!r.empty() && r.back() == ' ') r.pop_back();
    return r;
}

std::string trim(std::string_view s) {
    const auto ws = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
    while (!s.empty() && ws(s.front())) s.remove_prefix(1);
    while (!s.empty() && ws(s.back())) s.remove_suffix(1);
    return std::string(s);
}

zalo::button query_button(std::string title, std::string payload) {
    zalo::button b;
    b.type = zalo::button::kind::query_show;
    b.title = std::move(title);
    b.payload = std::move(payload);
    return b;
}

std::vector<zalo::outgoing_message> with_buttons(const context& ctx, const std::string& to, std::string text,
                                                 std::vector<zalo::button> buttons, const std::string& purpose) {
    std::vector<zalo::outgoing_message> out;
    zalo::outgoing_message first;
    first.recipient = to;
    first.text = std::move(text);
    first.purpose = purpose;
    std::size_t i = 0;
    for (; i < buttons.size() && i < max_buttons_per_message; ++i) first.buttons.push_back(std::move(buttons[i]));
    out.push_back(std::move(first));
    while (i < buttons.size()) {
        zalo::outgoing_message more;
        more.recipient = to;
        more.text = ctx.texts.render("conversation_more_options");
        more.purpose = purpose;
        for (std::size_t k = 0; k < max_buttons_per_message && i < buttons.size(); ++k, ++i)
            more.buttons.push_back(std::move(buttons[i]));
        out.push_back(std::move(more));
    }
    return out;
}

outcome reply_to(const context& ctx, const std::string& to, std::string text, std::vector<zalo::button> buttons,
                 interaction_note note) {
    outcome out;
    out.messages = with_buttons(ctx, to, std::move(text), std::move(buttons));
    out.note = std::move(note);
    return out;
}

std::vector<zalo::button> main_menu_buttons(const context& ctx) {
    // Zalo shows at most five buttons under a message: the menu fits in one message (a follow is
    // answered with exactly one), and "Xem thêm" opens the second page.
    const auto t = [&](const char* key) { return ctx.texts.render(key); };
    const std::string topic(payload::topic);
    return {
        query_button(t("conversation_button_submit_online"), topic + "nop_ho_so_truc_tuyen"),
        query_button(t("conversation_button_lookup"), topic + "tra_cuu_ho_so"),
        query_button(t("conversation_button_official"), topic + "gap_can_bo"),
        query_button(t("conversation_button_choose_unit"), std::string(payload::units)),
        query_button(t("conversation_button_more"), std::string(payload::more)),
    };
}

std::vector<zalo::button> more_menu_buttons(const context& ctx) {
    const auto t = [&](const char* key) { return ctx.texts.render(key); };
    const std::string topic(payload::topic);
    return {
        query_button(t("conversation_button_account"), topic + "tai_khoan_dvc"),
        query_button(t("conversation_button_birth"), topic + "khai_sinh"),
        query_button(t("conversation_button_payment"), topic + "thanh_toan_truc_tuyen"),
        query_button(t("conversation_button_hours"), topic + "gio_lam_viec"),
        query_button(t("conversation_button_address"), topic + "dia_chi_mot_cua"),
    };
}

std::string today_of(const context& ctx) {
    return bot::to_iso(bot::local_date_of(ctx.now_ms(), ctx.cfg.reminders.utc_offset_minutes));
}

std::vector<const bot::unit_config*> residence_units(const context& ctx) {
    // Citizens live in today's communes and wards; a unit with units below it (the province, a
    // district desk) is not a residence.
    const auto now = bot::units_on(ctx.cfg, today_of(ctx));
    std::vector<const bot::unit_config*> out;
    for (const auto* u : now)
        if (std::none_of(now.begin(), now.end(), [u](const bot::unit_config* c) { return c->parent == u->id; })) out.push_back(u);
    if (out.empty()) return now;
    return out;
}

std::string unit_display_name(const context& ctx, const std::string& unit_id) {
    if (const auto* u = bot::unit_on(ctx.cfg, unit_id, today_of(ctx))) return u->name;
    return ctx.texts.render("conversation_unit_unknown");
}

std::string desk_of_unit(const context& ctx, const std::string& unit_id) {
    // A commune merged since: the desk of the one that took over its work.
    if (const auto* u = bot::unit_on(ctx.cfg, unit_id, today_of(ctx))) return bot::desk_name_of(ctx.texts, *u);
    const auto& d = ctx.texts.defaults();
    auto it = d.find("desk");
    return it == d.end() ? std::string{} : it->second;
}

std::string unit_of_user(context& ctx, const std::string& user_id) {
    auto u = storage::find_user(ctx.db, user_id);
    return u ? u->unit_id : std::string{};
}

}  // namespace handlers
