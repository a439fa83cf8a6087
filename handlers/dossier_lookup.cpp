// Dossier lookup by code.
#include "handlers/dossier_lookup.hpp"

#include "bot/core/config.hpp"
#include "bot/core/local_time.hpp"
#include "bot/core/messages.hpp"
#include "bot/core/units.hpp"
#include "handlers/conversation_common.hpp"
#include "storage/dossier_query.hpp"
#include "storage/user_repository.hpp"

#include <spdlog/spdlog.h>

#include <regex>

namespace handlers {

namespace {

const std::regex& code_regex(const std::string& pattern) {
    thread_local std::string cached_pattern;
    thread_local std::regex cached;
    if (cached_pattern != pattern || cached_pattern.empty()) {
        cached = std::regex(pattern, std::regex::ECMAScript);
        cached_pattern = pattern;
    }
    return cached;
}

std::string vn_date(const std::string& iso) {
    auto d = bot::parse_iso_date(iso);
    return d ? bot::to_vn(*d) : iso;
}

}  // namespace

std::optional<std::string> find_dossier_code(const bot::config& cfg, const std::string& text) {
    // Codes are upper-case; citizens often type them in lower case.
    std::string upper = text;
    for (auto& c : upper)
        if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    try {
        std::smatch m;
        const auto& re = code_regex(cfg.conversation.dossier_code_pattern);
        if (std::regex_search(upper, m, re)) return m.size() > 1 && m[1].matched ? m[1].str() : m[0].str();
    } catch (const std::regex_error& e) {
        spdlog::error("conversation.dossier_code_pattern is not a valid regular expression: {}", e.what());
    }
    return std::nullopt;
}

outcome dossier_lookup(context& ctx, const std::string& to, const std::string& code, const std::string& kind,
                       const std::string& unit) {
    storage::set_fallback_streak(ctx.db, to, 0);
    interaction_note note{kind, "tra_cuu_ho_so", "lookup", unit};
    auto d = storage::find_dossier_status(ctx.db, code);
    if (!d) {
        std::vector<zalo::button> buttons{query_button(ctx.texts.render("conversation_button_official"),
                                                       std::string(payload::topic) + "gap_can_bo")};
        return reply_to(ctx, to, ctx.texts.render("conversation_lookup_not_found", {{"code", code}}), std::move(buttons), note);
    }
    const std::string today = bot::to_iso(bot::local_date_of(ctx.now_ms(), ctx.cfg.reminders.utc_offset_minutes));
    std::string status;
    if (!d->returned_on.empty()) {
        status = ctx.texts.render(d->returned_on > d->due_on ? "conversation_status_returned_late" : "conversation_status_ready",
                                  {{"returned", vn_date(d->returned_on)}});
    } else if (today > d->due_on) {
        status = ctx.texts.render("conversation_status_overdue");
    } else if (d->received_on == today) {
        status = ctx.texts.render("conversation_status_received");
    } else {
        status = ctx.texts.render("conversation_status_processing");
    }
    std::string place;
    if (d->channel == "bcci") {
        place = ctx.texts.render("conversation_place_bcci");
    } else if (const auto* u = bot::unit_on(ctx.cfg, d->unit_id, today_of(ctx))) {
        // Where the result is collected today: a merged commune's dossiers at its successor.
        // The desk of the dossier's unit, its address and phone (words from the texts).
        place = desk_of_unit(ctx, u->id);
        if (!u->address.empty()) place += ctx.texts.render("conversation_place_address", {{"address", u->address}});
        if (!u->phone.empty()) place += ctx.texts.render("conversation_place_phone", {{"phone", u->phone}});
    } else {
        place = ctx.texts.render("conversation_place_one_stop");
    }
    return reply_to(ctx, to,
                 ctx.texts.render("conversation_lookup_found", {{"code", d->code},
                                                                {"procedure", d->procedure},
                                                                {"status", status},
                                                                {"due", vn_date(d->due_on)},
                                                                {"place", place}}),
                 {}, note);
}

}  // namespace handlers
