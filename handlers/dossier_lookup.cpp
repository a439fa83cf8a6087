// Dossier lookup by code.
#include "handlers/dossier_lookup.hpp"

#include "bot/core/config.hpp"
#include "bot/core/local_time.hpp"
#include "bot/core/messages.hpp"
#include "bot/core/staff.hpp"
#include "bot/core/units.hpp"
#include "bot/dossiers/dossier_import.hpp"
#include "handlers/conversation_common.hpp"
#include "handlers/dossier_follow.hpp"
#include "handlers/sender.hpp"
#include "storage/dossier_follow_repository.hpp"
#include "storage/dossier_query.hpp"
#include "storage/dossier_repository.hpp"
#include "storage/user_repository.hpp"

#include <spdlog/spdlog.h>

#include <regex>
#include <string_view>

namespace handlers {

namespace {

// The default pattern (bot::config's dossier_code_pattern) as a hand scanner: std::regex tries its
// automaton at every position of the text and cost about 5 % of the write worker's time at
// saturation (one search per text message). The scanner finds exactly what the regex finds:
// the leftmost position where a shape matches, the shapes tried in the pattern's order, with
// ECMAScript's \b (a word character is [A-Za-z0-9_] in the classic locale the regex uses, so
// a UTF-8 byte never is one). The test "the dossier code scanner finds what the regex finds"
// compares the two. A configured pattern other than the default goes through std::regex.
constexpr std::string_view default_code_pattern =
    R"(\b(\d{3}\.\d{2}\.\d{2}\.[A-Z]\d{2}-\d{6}-\d{4}|[A-Z]\d{2}\.\d{2}-\d{4}|HS-\d{4}-\d{6})\b)";

bool is_word(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
}

// Whether `text` at `at` has `shape`: '9' a digit, 'A' a letter A–Z, any other character itself.
bool has_shape(std::string_view text, std::size_t at, std::string_view shape) {
    if (text.size() - at < shape.size()) return false;
    for (std::size_t k = 0; k < shape.size(); ++k) {
        const char c = text[at + k];
        switch (shape[k]) {
            case '9': if (c < '0' || c > '9') return false; break;
            case 'A': if (c < 'A' || c > 'Z') return false; break;
            default: if (c != shape[k]) return false;
        }
    }
    // The closing \b: every shape ends in a digit, so the next character must not be a word one.
    return at + shape.size() == text.size() || !is_word(text[at + shape.size()]);
}

std::optional<std::string> scan_default_code(std::string_view upper) {
    // The pattern's alternatives, in its order.
    constexpr std::string_view shapes[] = {"999.99.99.A99-999999-9999", "A99.99-9999", "HS-9999-999999"};
    for (std::size_t i = 0; i < upper.size(); ++i) {
        // The opening \b: every shape starts with a word character.
        if (i > 0 && is_word(upper[i - 1])) continue;
        for (auto shape : shapes)
            if (has_shape(upper, i, shape)) return std::string(upper.substr(i, shape.size()));
    }
    return std::nullopt;
}

const std::regex& code_regex(const std::string& pattern) {
    thread_local std::string cached_pattern;
    thread_local std::regex cached;
    if (cached_pattern != pattern || cached_pattern.empty()) {
        cached = std::regex(pattern, std::regex::ECMAScript);
        cached_pattern = pattern;
    }
    return cached;
}

std::string with_time(const std::string& date, const std::string& time) {
    return time.empty() ? vn_date(date) : time + " " + vn_date(date);
}

// What only a follower or an official of the dossier's unit reads.
std::string details(context& ctx, const std::string& code, const sender& s, bool follower) {
    const auto d = storage::find_dossier(ctx.db, code);
    if (!d) return {};
    const bool official = s.official && bot::scope_of(*s.official).covers(ctx.cfg, d->unit_id);
    if (official) {
        std::string name = ctx.texts.render("dossier_official_unassigned");
        if (!d->official_id.empty()) {
            auto o = storage::find_official(ctx.db, d->official_id);
            name = o ? o->name : d->official_id;
        }
        return ctx.texts.render("dossier_lookup_details_official",
                                {{"received", with_time(d->received_on, d->received_time)},
                                 {"official", name},
                                 {"phone", d->citizen_phone.empty() ? "-" : bot::mask_phone(d->citizen_phone)},
                                 {"followers", std::to_string(storage::count_followers(ctx.db, code))}});
    }
    if (follower)
        return ctx.texts.render("dossier_lookup_details_follower",
                                {{"received", with_time(d->received_on, d->received_time)},
                                 {"phone", bot::mask_phone(d->citizen_phone)}});
    return {};
}

}  // namespace

std::string vn_date(const std::string& iso) {
    auto d = bot::parse_iso_date(iso);
    return d ? bot::to_vn(*d) : iso;
}

std::optional<std::string> find_dossier_code(const bot::config& cfg, const std::string& text) {
    // Codes are upper-case; citizens often type them in lower case.
    std::string upper = text;
    for (auto& c : upper)
        if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    if (cfg.conversation.dossier_code_pattern == default_code_pattern) return scan_default_code(upper);
    try {
        std::smatch m;
        const auto& re = code_regex(cfg.conversation.dossier_code_pattern);
        if (std::regex_search(upper, m, re)) return m.size() > 1 && m[1].matched ? m[1].str() : m[0].str();
    } catch (const std::regex_error& e) {
        spdlog::error("conversation.dossier_code_pattern is not a valid regular expression: {}", e.what());
    }
    return std::nullopt;
}

std::string dossier_status_text(const context& ctx, const storage::dossier_status& d) {
    const std::string today = today_of(ctx);
    if (d.state == "withdrawn") return ctx.texts.render("dossier_status_withdrawn");
    if (!d.returned_on.empty())
        return ctx.texts.render(d.returned_on > d.due_on ? "conversation_status_returned_late" : "conversation_status_ready",
                                {{"returned", vn_date(d.returned_on)}});
    if (d.state == "result_ready") return ctx.texts.render("dossier_status_result_ready");
    if (d.state == "supplement") return ctx.texts.render("dossier_status_supplement");
    if (today > d.due_on) return ctx.texts.render("conversation_status_overdue");
    if (d.received_on == today || d.state == "received") return ctx.texts.render("conversation_status_received");
    return ctx.texts.render("conversation_status_processing");
}

std::string dossier_place_text(const context& ctx, const std::string& unit_id, const std::string& channel) {
    if (channel == "bcci") return ctx.texts.render("conversation_place_bcci");
    if (const auto* u = bot::unit_on(ctx.cfg, unit_id, today_of(ctx))) {
        // Where the result is collected today: a merged commune's dossiers at its successor.
        // The desk of the dossier's unit, its address and phone (words from the texts).
        std::string place = desk_of_unit(ctx, u->id);
        if (!u->address.empty()) place += ctx.texts.render("conversation_place_address", {{"address", u->address}});
        if (!u->phone.empty()) place += ctx.texts.render("conversation_place_phone", {{"phone", u->phone}});
        return place;
    }
    return ctx.texts.render("conversation_place_one_stop");
}

outcome dossier_lookup(context& ctx, const std::string& to, const std::string& code, const std::string& kind,
                       const std::string& unit, const sender* s) {
    storage::set_fallback_streak(ctx.db, to, 0);
    interaction_note note{kind, "tra_cuu_ho_so", interaction_outcome::lookup, unit};
    auto d = storage::find_dossier_status(ctx.db, code);
    if (!d) {
        std::vector<zalo::button> buttons{official_button(ctx)};
        return reply_to(ctx, to, ctx.texts.render("conversation_lookup_not_found", {{"code", code}}), std::move(buttons), note);
    }
    std::string text = ctx.texts.render("conversation_lookup_found", {{"code", d->code},
                                                                       {"procedure", d->procedure},
                                                                       {"status", dossier_status_text(ctx, *d)},
                                                                       {"due", vn_date(d->due_on)},
                                                                       {"place", dossier_place_text(ctx, d->unit_id, d->channel)}});
    std::vector<zalo::button> buttons;
    if (s) {
        const bool follower = storage::follows(ctx.db, d->code, s->id());
        text += details(ctx, d->code, *s, follower);
        // Following needs the receipt's phone: the button asks for it; a follower can stop.
        if (follower)
            buttons.push_back(query_button(ctx.texts.render("dossier_button_unfollow"), std::string(follow_payload::unfollow) + d->code));
        else if (!s->official)
            buttons.push_back(query_button(ctx.texts.render("dossier_button_follow"), std::string(follow_payload::follow) + d->code));
    }
    return reply_to(ctx, to, std::move(text), std::move(buttons), note);
}

}  // namespace handlers
