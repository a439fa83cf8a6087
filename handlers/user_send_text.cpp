// Text messages: the citizen's pipeline (and officials' hand-off replies).
#include "handlers/user_send_text.hpp"

#include "bot/core/config.hpp"
#include "bot/language/knowledge_base.hpp"
#include "bot/core/local_time.hpp"
#include "bot/core/messages.hpp"
#include "handlers/conversation_common.hpp"
#include "handlers/official_commands.hpp"
#include "storage/dossier_query.hpp"
#include "storage/handoff_repository.hpp"
#include "storage/official_repository.hpp"
#include "storage/user_repository.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <regex>

namespace handlers {

namespace {

constexpr std::int64_t previous_question_window_ms = 24LL * 3600 * 1000;
// Two failed answers "in a row" means in one conversation: a fallback older than this does not count.
constexpr std::int64_t fallback_streak_window_ms = 3600LL * 1000;

bool starts_with(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

std::string trim(std::string_view s) {
    const auto ws = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
    while (!s.empty() && ws(s.front())) s.remove_prefix(1);
    while (!s.empty() && ws(s.back())) s.remove_suffix(1);
    return std::string(s);
}

outcome reply(const context& ctx, const std::string& to, std::string text, std::vector<zalo::button> buttons,
              interaction_note note) {
    outcome out;
    out.messages = with_buttons(ctx, to, std::move(text), std::move(buttons));
    out.note = std::move(note);
    return out;
}

// ---- officials answering a hand-off: "#12 nội dung", "#12 xong" ----

struct handoff_reply {
    std::int64_t id = 0;
    std::string body;
};

std::optional<handoff_reply> parse_handoff_reply(std::string_view text) {
    std::string t = trim(text);
    if (t.size() < 2 || t[0] != '#') return std::nullopt;
    std::size_t i = 1;
    while (i < t.size() && i < 19 && t[i] >= '0' && t[i] <= '9') ++i;
    if (i == 1) return std::nullopt;
    if (i < t.size() && !(t[i] == ' ' || t[i] == ':' || t[i] == '\n' || t[i] == '\t' || t[i] == '-' || t[i] == '.'))
        return std::nullopt;
    handoff_reply r;
    r.id = std::stoll(t.substr(1, i - 1));
    std::string_view rest(t);
    rest.remove_prefix(i);
    while (!rest.empty() && (rest.front() == ':' || rest.front() == '-' || rest.front() == '.' || rest.front() == ' ' ||
                             rest.front() == '\n' || rest.front() == '\t'))
        rest.remove_prefix(1);
    r.body = trim(rest);
    return r;
}

std::optional<outcome> official_handoff_reply(const zalo::event& ev, context& ctx, const storage::official& official) {
    auto r = parse_handoff_reply(ev.text);
    if (!r) return std::nullopt;
    const std::string num = std::to_string(r->id);
    const std::string& me = ev.user_id;
    interaction_note note{"command", "", "command", official.unit_id};
    auto to_official = [&](const char* key) {
        zalo::outgoing_message m;
        m.recipient = me;
        m.text = ctx.texts.render(key, {{"id", num}});
        return m;
    };
    outcome out;
    out.note = note;
    auto h = storage::find_handoff(ctx.db, r->id);
    if (!h) {
        out.messages.push_back(to_official("conversation_handoff_not_found"));
        return out;
    }
    if (r->body.empty()) {
        out.messages.push_back(to_official("conversation_handoff_usage"));
        return out;
    }
    if (h->closed_at) {
        out.messages.push_back(to_official("conversation_handoff_already_closed"));
        return out;
    }
    static const std::array<std::string_view, 6> close_words = {"xong", "dong", "ket thuc", "da xong", "close", "dong lai"};
    const std::string folded = fold_text(r->body);
    if (std::find(close_words.begin(), close_words.end(), folded) != close_words.end()) {
        out.messages = close_handoff_messages(ctx, r->id, "official:" + official.official_id);
        out.messages.push_back(to_official("conversation_handoff_closed_official"));
        return out;
    }
    const std::string answerer = ctx.texts.render(
        "conversation_answerer_official", {{"name", official.name}, {"unit", unit_display_name(ctx, official.unit_id)}});
    out.messages = relay_handoff_answer(ctx, r->id, answerer, r->body);
    out.messages.push_back(to_official("conversation_handoff_relayed"));
    return out;
}

// ---- while a hand-off is open: forward to the officials, say nothing to the citizen ----

outcome forward_to_officials(const zalo::event& ev, context& ctx, const storage::handoff& h) {
    outcome out;
    const std::string num = std::to_string(h.id);
    for (const auto& official : handoff_recipients(ctx, h.unit_id)) {
        zalo::outgoing_message m;
        m.recipient = official;
        m.purpose = "handoff";
        m.ref = "handoff:" + num;
        m.text = ctx.texts.render("conversation_handoff_forward", {{"id", num}, {"text", trim(ev.text)}});
        out.messages.push_back(std::move(m));
    }
    out.note = interaction_note{"handoff_message", "", "handoff", h.unit_id};
    return out;
}

/// "kết thúc", "kết thúc hỗ trợ", "huỷ hỗ trợ", "xong rồi": the citizen ends the hand-off.
bool is_citizen_close(const std::string& text) {
    const std::string f = fold_text(trim(text));
    for (const char* w : {"ket thuc", "ket thuc ho tro", "huy ho tro", "xong roi", "dung ho tro"})
        if (f == w) return true;
    return false;
}

outcome citizen_close_handoff(context& ctx, const storage::handoff& h) {
    outcome out;
    if (!storage::close_handoff(ctx.db, h.id, "citizen", ctx.now_ms())) return out;
    const std::string num = std::to_string(h.id);
    for (const auto& official : handoff_recipients(ctx, h.unit_id)) {
        zalo::outgoing_message m;
        m.recipient = official;
        m.purpose = "handoff";
        m.ref = "handoff:" + num;
        m.text = ctx.texts.render("conversation_handoff_citizen_closed_notify", {{"id", num}});
        out.messages.push_back(std::move(m));
    }
    for (auto& m : with_buttons(ctx, h.user_id, ctx.texts.render("conversation_handoff_closed_by_citizen", {{"id", num}}),
                                main_menu_buttons(ctx)))
        out.messages.push_back(std::move(m));
    out.note = interaction_note{"command", "", "command", h.unit_id};
    return out;
}

// ---- commune / village ----

outcome unit_menu(const context& ctx, const std::string& to, const std::string& kind, const std::string& unit) {
    std::vector<zalo::button> buttons;
    for (const auto* u : residence_units(ctx)) buttons.push_back(query_button(u->name, std::string(payload::unit) + u->id));
    return reply(ctx, to, ctx.texts.render("conversation_choose_unit"), std::move(buttons),
                 interaction_note{kind, "", "command", unit});
}

outcome place_chosen(context& ctx, const std::string& to, const bot::unit_config& unit, const std::string& village,
                     const std::string& kind) {
    storage::set_user_place(ctx.db, to, unit.id, village);
    interaction_note note{kind, "", "command", unit.id};
    if (village.empty() && !unit.villages.empty()) {
        std::vector<zalo::button> buttons;
        for (const auto& v : unit.villages) buttons.push_back(query_button(v, std::string(payload::village) + v));
        return reply(ctx, to, ctx.texts.render("conversation_unit_chosen_ask_village", {{"unit", unit.name}}),
                     std::move(buttons), note);
    }
    const std::string place = village.empty() ? unit.name : village + ", " + unit.name;
    return reply(ctx, to, ctx.texts.render("conversation_place_chosen", {{"place", place}}), main_menu_buttons(ctx), note);
}

std::string strip_prefix_words(std::string s, std::initializer_list<std::string_view> prefixes) {
    for (auto p : prefixes) {
        std::string with_space = std::string(p) + " ";
        if (starts_with(s, with_space)) return s.substr(with_space.size());
    }
    return s;
}

std::string strip_polite(std::string s) {
    static const std::array<std::string_view, 10> lead = {"toi o", "nha toi o", "em o", "minh o", "chau o",
                                                          "toi song o", "toi thuoc", "o", "chon", "dia chi"};
    static const std::array<std::string_view, 5> tail = {" a", " nhe", " nha", " voi", " ha"};
    for (bool changed = true; changed;) {
        changed = false;
        for (auto t : tail)
            if (s.size() > t.size() && s.compare(s.size() - t.size(), t.size(), t) == 0) {
                s.resize(s.size() - t.size());
                changed = true;
            }
    }
    for (auto p : lead) {
        std::string with_space = std::string(p) + " ";
        if (starts_with(s, with_space)) {
            s = s.substr(with_space.size());
            break;
        }
    }
    return s;
}

struct place_match {
    const bot::unit_config* unit = nullptr;
    std::string village;
};

// A message that is only a commune and/or village name ("xã Tân Sỏi", "thon dong dieu").
std::optional<place_match> typed_place(const context& ctx, const std::string& folded, const std::string& current_unit) {
    const std::string s = strip_polite(folded);
    if (s.empty()) return std::nullopt;
    const auto unit_forms = [](const bot::unit_config& u) {
        std::string full = fold_text(u.name);
        std::string shortf = strip_prefix_words(full, {"xa", "thi tran", "phuong", "huyen", "thanh pho"});
        return std::pair{full, shortf};
    };
    const auto village_forms = [](const std::string& v) {
        std::string full = fold_text(v);
        std::string shortf = strip_prefix_words(full, {"thon", "to dan pho", "khu pho", "to", "ban", "xom", "ap", "khu"});
        return std::pair{full, shortf};
    };
    const auto units = residence_units(ctx);
    for (const auto* u : units) {
        auto [full, shortf] = unit_forms(*u);
        if (s == full || s == shortf) return place_match{u, {}};
    }
    std::optional<place_match> found;
    for (const auto* u : units) {
        auto [uf, us] = unit_forms(*u);
        for (const auto& v : u->villages) {
            auto [vf, vs] = village_forms(v);
            const bool alone = s == vf || s == vs;
            const bool with_unit = s == vf + " " + uf || s == vf + " " + us || s == vs + " " + uf || s == vs + " " + us;
            if (with_unit) return place_match{u, v};
            if (alone && (!found || u->id == current_unit)) found = place_match{u, v};
        }
    }
    return found;
}

const bot::unit_config* village_owner(const context& ctx, const std::string& village, const std::string& current_unit) {
    const bot::unit_config* found = nullptr;
    for (const auto* u : residence_units(ctx))
        if (std::find(u->villages.begin(), u->villages.end(), village) != u->villages.end())
            if (!found || u->id == current_unit) found = u;
    return found;
}

// ---- topics ----

outcome topic_reply(const context& ctx, const std::string& to, const bot::kb_topic& topic, const std::string& kind,
                    const std::string& unit) {
    storage::set_fallback_streak(ctx.db, to, 0);
    interaction_note note{kind, topic.id, "answered", unit};
    // "What can you do" is the main menu itself.
    if (topic.id == "huong_dan_su_dung") return reply(ctx, to, topic.answer, main_menu_buttons(ctx), note);

    // The topic's own buttons, then related topics not already offered, within one message.
    std::vector<zalo::button> buttons = topic.buttons;
    std::vector<std::string> offered{topic.id};
    std::vector<std::string> titles;
    for (const auto& b : buttons) {
        titles.push_back(fold_text(b.title));
        if (ctx.kb && (b.type == zalo::button::kind::query_show || b.type == zalo::button::kind::query_hide))
            if (auto m = ctx.kb->match(b.payload); m.outcome == "answered" && m.topic) offered.push_back(m.topic->id);
    }
    for (const auto& rid : topic.related) {
        if (buttons.size() >= max_buttons_per_message) break;
        const auto* rel = ctx.kb ? ctx.kb->find(rid) : nullptr;
        if (!rel || std::find(offered.begin(), offered.end(), rel->id) != offered.end()) continue;
        if (std::find(titles.begin(), titles.end(), fold_text(rel->title)) != titles.end()) continue;
        offered.push_back(rel->id);
        titles.push_back(fold_text(rel->title));
        buttons.push_back(query_button(rel->title, std::string(payload::topic) + rel->id));
    }
    if (buttons.empty()) buttons = main_menu_buttons(ctx);
    return reply(ctx, to, topic.answer, std::move(buttons), note);
}

outcome menu_reply(const context& ctx, const std::string& to, const std::string& kind, const std::string& unit) {
    return reply(ctx, to, ctx.texts.render("conversation_menu"), main_menu_buttons(ctx),
                 interaction_note{kind, "", "command", unit});
}

// ---- dossier lookup ----

const std::regex& code_regex(const std::string& pattern) {
    thread_local std::string cached_pattern;
    thread_local std::regex cached;
    if (cached_pattern != pattern || cached_pattern.empty()) {
        cached = std::regex(pattern, std::regex::ECMAScript);
        cached_pattern = pattern;
    }
    return cached;
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

std::string vn_date(const std::string& iso) {
    auto d = bot::parse_iso_date(iso);
    return d ? bot::to_vn(*d) : iso;
}

outcome dossier_lookup(context& ctx, const std::string& to, const std::string& code, const std::string& kind,
                       const std::string& unit) {
    storage::set_fallback_streak(ctx.db, to, 0);
    interaction_note note{kind, "tra_cuu_ho_so", "lookup", unit};
    auto d = storage::find_dossier_status(ctx.db, code);
    if (!d) {
        std::vector<zalo::button> buttons{query_button(ctx.texts.render("conversation_button_official"),
                                                       std::string(payload::topic) + "gap_can_bo")};
        return reply(ctx, to, ctx.texts.render("conversation_lookup_not_found", {{"code", code}}), std::move(buttons), note);
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
    } else if (const auto* u = ctx.cfg.find_unit(d->unit_id)) {
        place = u->name;
        if (!u->address.empty()) place += " — " + u->address;
        if (!u->phone.empty()) place += " (ĐT " + u->phone + ")";
    } else {
        place = ctx.texts.render("conversation_place_one_stop");
    }
    return reply(ctx, to,
                 ctx.texts.render("conversation_lookup_found", {{"code", d->code},
                                                                {"procedure", d->procedure},
                                                                {"status", status},
                                                                {"due", vn_date(d->due_on)},
                                                                {"place", place}}),
                 {}, note);
}

namespace {

// ---- broadcasts opt-out / opt-in ----

std::optional<bool> opt_out_request(const std::string& folded) {
    std::string s = strip_polite(folded);
    s = strip_prefix_words(s, {"cho toi", "toi muon", "em muon", "xin", "vui long"});
    static const std::array<std::string_view, 8> out = {"huy nhan tin", "huy dang ky nhan tin", "ngung nhan tin",
                                                        "dung nhan tin", "khong nhan tin", "tat nhan tin",
                                                        "huy nhan thong bao", "ngung nhan thong bao"};
    static const std::array<std::string_view, 6> in = {"nhan tin", "dang ky nhan tin", "nhan lai tin", "bat nhan tin",
                                                       "nhan tin lai", "nhan thong bao"};
    if (std::find(out.begin(), out.end(), s) != out.end()) return true;
    if (std::find(in.begin(), in.end(), s) != in.end()) return false;
    return std::nullopt;
}

// ---- button payloads ----

std::optional<outcome> handle_payload(context& ctx, const std::string& uid, const std::string& text, const storage::user& u) {
    const std::string kind = "button";
    if (text == payload::menu) return menu_reply(ctx, uid, kind, u.unit_id);
    if (text == payload::units) return unit_menu(ctx, uid, kind, u.unit_id);
    if (text == payload::more)
        return reply(ctx, uid, ctx.texts.render("conversation_menu_more"), more_menu_buttons(ctx),
                     interaction_note{kind, "", "command", u.unit_id});
    if (starts_with(text, payload::unit)) {
        const auto* unit = ctx.cfg.find_unit(text.substr(payload::unit.size()));
        if (!unit) return unit_menu(ctx, uid, kind, u.unit_id);
        return place_chosen(ctx, uid, *unit, {}, kind);
    }
    if (starts_with(text, payload::village)) {
        const std::string village = text.substr(payload::village.size());
        const auto* unit = village_owner(ctx, village, u.unit_id);
        if (!unit) return unit_menu(ctx, uid, kind, u.unit_id);
        return place_chosen(ctx, uid, *unit, village, kind);
    }
    if (starts_with(text, payload::topic)) {
        const std::string id = text.substr(payload::topic.size());
        if (id == "gap_can_bo") return open_handoff_for(ctx, uid, "asked", text, kind);
        const auto* topic = ctx.kb ? ctx.kb->find(id) : nullptr;
        if (topic) return topic_reply(ctx, uid, *topic, kind, u.unit_id);
        if (id == "tra_cuu_ho_so")
            return reply(ctx, uid, ctx.texts.render("conversation_lookup_hint"), {},
                         interaction_note{kind, id, "command", u.unit_id});
        return menu_reply(ctx, uid, kind, u.unit_id);
    }
    return std::nullopt;
}

// ---- the knowledge base ----

outcome fallback(context& ctx, const std::string& uid, const std::string& text, const storage::user& u) {
    const std::int64_t now = ctx.now_ms();
    const std::string day = bot::to_iso(bot::local_date_of(now, ctx.cfg.reminders.utc_offset_minutes));
    auto previous = storage::last_unanswered(ctx.db, uid, now - previous_question_window_ms);
    const bool recent = previous && storage::last_unanswered(ctx.db, uid, now - fallback_streak_window_ms).has_value();
    storage::record_unanswered(ctx.db, now, day, uid, text, fold_text(text));
    const int streak = recent ? u.fallback_streak + 1 : 1;
    if (streak >= 2) {
        std::string question = previous && *previous != text ? *previous + "\n" + text : text;
        return open_handoff_for(ctx, uid, "fallbacks", question, "text");
    }
    storage::set_fallback_streak(ctx.db, uid, streak);
    return reply(ctx, uid, ctx.texts.render("conversation_fallback"), main_menu_buttons(ctx),
                 interaction_note{"text", "", "fallback", u.unit_id});
}

outcome knowledge_base_answer(context& ctx, const std::string& uid, const std::string& text, const storage::user& u) {
    if (!ctx.kb) return fallback(ctx, uid, text, u);
    const bot::kb_match m = ctx.kb->match(text);
    if (m.outcome == "answered" && m.topic) {
        if (m.topic->id == "gap_can_bo") return open_handoff_for(ctx, uid, "asked", text, "text");
        return topic_reply(ctx, uid, *m.topic, "text", u.unit_id);
    }
    if (m.outcome == "clarified" && !m.alternatives.empty()) {
        std::vector<zalo::button> buttons;
        for (const auto* t : m.alternatives) {
            if (!t || buttons.size() >= 3) continue;
            buttons.push_back(query_button(t->title, std::string(payload::topic) + t->id));
        }
        storage::set_fallback_streak(ctx.db, uid, 0);
        return reply(ctx, uid, ctx.texts.render("conversation_clarify"), std::move(buttons),
                     interaction_note{"text", m.alternatives.front()->id, "clarified", u.unit_id});
    }
    return fallback(ctx, uid, text, u);
}

}  // namespace

outcome handle_user_send_text(const zalo::event& ev, context& ctx) {
    const std::string& uid = ev.user_id;
    if (uid.empty()) return {};
    const std::int64_t now = ctx.now_ms();
    // Every message opens (or refreshes) Zalo's 7-day consultation window, officials' too.
    storage::touch_user(ctx.db, uid, now);

    if (auto r = handle_official_text(ev, ctx)) return std::move(*r);

    const auto official = storage::find_official_by_zalo(ctx.db, uid);
    if (official)
        if (auto r = official_handoff_reply(ev, ctx, *official)) return std::move(*r);

    storage::user u;
    u.user_id = uid;
    if (auto found = storage::find_user(ctx.db, uid)) u = std::move(*found);
    if (!official) {
        switch (storage::count_message(ctx.db, uid, now, ctx.cfg.conversation.flood_limit_per_minute)) {
        case storage::flood_verdict::ok:
            break;
        case storage::flood_verdict::notify:
            return reply(ctx, uid, ctx.texts.render("conversation_flood_notice"), {},
                         interaction_note{"flood", "", "", u.unit_id});
        case storage::flood_verdict::silent:
            return outcome{{}, interaction_note{"flood", "", "", u.unit_id}};
        }
    }

    if (auto h = storage::open_handoff_of(ctx.db, uid)) {
        if (is_citizen_close(ev.text)) return citizen_close_handoff(ctx, *h);
        return forward_to_officials(ev, ctx, *h);
    }

    const std::string text = trim(ev.text);
    if (text.empty()) return {};
    if (text.front() == '#')
        if (auto r = handle_payload(ctx, uid, text, u)) return std::move(*r);

    const std::string folded = fold_text(text);
    if (auto p = typed_place(ctx, folded, u.unit_id)) return place_chosen(ctx, uid, *p->unit, p->village, "text");

    if (auto opt = opt_out_request(folded)) {
        storage::set_broadcast_opt_out(ctx.db, uid, *opt);
        return reply(ctx, uid, ctx.texts.render(*opt ? "conversation_opted_out" : "conversation_opted_in"), {},
                     interaction_note{"text", "", "command", u.unit_id});
    }

    if (auto code = find_dossier_code(ctx.cfg, text)) return dossier_lookup(ctx, uid, *code, "text", u.unit_id);

    return knowledge_base_answer(ctx, uid, text, u);
}

}  // namespace handlers
