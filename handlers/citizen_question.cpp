// Questions answered from the knowledge base.
#include "handlers/citizen_question.hpp"

#include "bot/core/config.hpp"
#include "bot/core/local_time.hpp"
#include "bot/core/messages.hpp"
#include "bot/language/knowledge_base.hpp"
#include "handlers/conversation_common.hpp"
#include "handlers/handoff.hpp"
#include "storage/handoff_repository.hpp"
#include "storage/user_repository.hpp"

#include <algorithm>
#include <string_view>
#include <unordered_map>

namespace handlers {

namespace {

// A button or topic title folded. Titles come from the knowledge base, a small set, and every
// answer compares a few of them: each is folded once per thread (answers come from the write
// worker), not once per answer. Per thread, so no lock and nothing shared.
const std::string& folded_title(const std::string& title) {
    thread_local std::unordered_map<std::string, std::string> memo;
    if (auto it = memo.find(title); it != memo.end()) return it->second;  // references to values stay valid
    return memo.emplace(title, fold_text(title)).first->second;
}

}  // namespace

outcome topic_reply(const context& ctx, const std::string& to, const bot::kb_topic& topic, const std::string& kind,
                    const std::string& unit) {
    storage::set_fallback_streak(ctx.db, to, 0);
    interaction_note note{kind, topic.id, interaction_outcome::answered, unit};
    // The answer as rendered for the citizen's OA (its desk, address, phone).
    const std::string& answer = topic.answer_for(ctx.oa);
    // "What can you do" is the main menu itself.
    if (topic.id == "huong_dan_su_dung") return reply_to(ctx, to, answer, main_menu_buttons(ctx), note);

    // The topic's own buttons, then related topics not already offered, within one message.
    std::vector<zalo::button> buttons = topic.buttons_for(ctx.oa);
    std::vector<std::string> offered{topic.id};
    std::vector<std::string_view> titles;
    for (const auto& b : buttons) {
        titles.push_back(folded_title(b.title));
        if (ctx.kb && (b.type == zalo::button::kind::query_show || b.type == zalo::button::kind::query_hide))
            if (const auto* t = ctx.kb->button_topic(b.payload)) offered.push_back(t->id);
    }
    for (const auto& rid : topic.related) {
        if (buttons.size() >= max_buttons_per_message) break;
        const auto* rel = ctx.kb ? ctx.kb->find(rid) : nullptr;
        if (!rel || std::find(offered.begin(), offered.end(), rel->id) != offered.end()) continue;
        const std::string_view title = folded_title(rel->title);
        if (std::find(titles.begin(), titles.end(), title) != titles.end()) continue;
        offered.push_back(rel->id);
        titles.push_back(title);
        buttons.push_back(query_button(rel->title, std::string(payload::topic) + rel->id));
    }
    if (buttons.empty()) buttons = main_menu_buttons(ctx);
    return reply_to(ctx, to, answer, std::move(buttons), note);
}

outcome menu_reply(const context& ctx, const std::string& to, const std::string& kind, const std::string& unit) {
    return reply_to(ctx, to, ctx.texts.render("conversation_menu"), main_menu_buttons(ctx),
                 interaction_note{kind, "", interaction_outcome::command, unit});
}

namespace {

constexpr std::int64_t previous_question_window_ms = 24LL * 3600 * 1000;
// Two failed answers "in a row" means in one conversation: a fallback older than this does not count.
constexpr std::int64_t fallback_streak_window_ms = 3600LL * 1000;

outcome fallback(context& ctx, const std::string& text, const sender& s) {
    const std::string& uid = s.id();
    const storage::user& u = s.user;
    const std::int64_t now = ctx.now_ms();
    const std::string day = bot::to_iso(bot::local_date_of(now, ctx.cfg.time.utc_offset_minutes));
    auto previous = storage::last_unanswered(ctx.db, uid, now - previous_question_window_ms);
    const bool recent = previous && storage::last_unanswered(ctx.db, uid, now - fallback_streak_window_ms).has_value();
    storage::record_unanswered(ctx.db, now, day, uid, text, fold_text(text));
    const int streak = recent ? u.fallback_streak + 1 : 1;
    if (streak >= 2) {
        std::string question = previous && *previous != text ? *previous + "\n" + text : text;
        return open_handoff_for(ctx, u, "fallbacks", question, "text");
    }
    storage::set_fallback_streak(ctx.db, uid, streak);
    return reply_to(ctx, uid, ctx.texts.render("nlp_fallback"), main_menu_buttons(ctx),
                 interaction_note{"text", "", interaction_outcome::fallback, u.unit_id});
}

}  // namespace

std::vector<const bot::kb_topic*> clarify_options(const std::vector<const bot::kb_topic*>& alternatives) {
    constexpr std::size_t max_options = 3;
    std::vector<const bot::kb_topic*> out;
    for (const auto* t : alternatives) {
        if (!t || t->id == "chao_hoi" || out.size() == max_options) continue;
        out.push_back(t);
    }
    return out;
}

std::string clarify_text(const bot::message_catalog& texts, const std::vector<const bot::kb_topic*>& options) {
    std::string names;
    for (const auto* t : options) names += (names.empty() ? "" : " · ") + t->title;
    return texts.render("nlp_clarify", {{"options", names}});
}

outcome answer_question(context& ctx, const std::string& text, const sender& s) {
    const std::string& uid = s.id();
    const storage::user& u = s.user;
    if (!ctx.kb) return fallback(ctx, text, s);
    const bot::kb_match m = ctx.kb->match(text);
    // Thanks and "ok" after an answer (or after a fallback) are not questions: a short reply, and
    // the fallback count is left as it was, so they never open a hand-off.
    if (m.acknowledgement)
        return reply_to(ctx, uid, ctx.texts.render("nlp_thanks"), {},
                        interaction_note{"text", m.topic ? m.topic->id : "", interaction_outcome::answered, u.unit_id});
    if (m.outcome == bot::match_outcome::answered && m.topic) {
        if (m.topic->id == "gap_can_bo") return open_handoff_for(ctx, u, "asked", text, "text");
        return topic_reply(ctx, uid, *m.topic, "text", u.unit_id);
    }
    const auto options = m.outcome == bot::match_outcome::clarified ? clarify_options(m.alternatives) : std::vector<const bot::kb_topic*>{};
    if (!options.empty()) {
        std::vector<zalo::button> buttons;
        for (const auto* t : options) buttons.push_back(query_button(t->title, std::string(payload::topic) + t->id));
        // None of the guesses may be right: a person is one tap away, as under the fallback.
        const bool official_offered =
            std::any_of(options.begin(), options.end(), [](const bot::kb_topic* t) { return t->id == "gap_can_bo"; });
        if (!official_offered) buttons.push_back(official_button(ctx));
        storage::set_fallback_streak(ctx.db, uid, 0);
        return reply_to(ctx, uid, clarify_text(ctx.texts, options), std::move(buttons),
                        interaction_note{"text", options.front()->id, interaction_outcome::clarified, u.unit_id});
    }
    return fallback(ctx, text, s);
}

}  // namespace handlers
