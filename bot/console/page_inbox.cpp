// Hội thoại: open hand-offs of the staff member's units, oldest first, with the waiting time against
// the answer time the citizen was promised; a conversation with its history; reply, close and hand
// over. Replies and closing go through the same functions as the "#n" replies on Zalo.
#include "bot/console/pages.hpp"

#include "bot/core/messages.hpp"
#include "bot/dossiers/sign_in_link.hpp"
#include "handlers/conversation_common.hpp"
#include "handlers/handoff.hpp"
#include "storage/console_queries.hpp"
#include "storage/console_repository.hpp"
#include "storage/handoff_repository.hpp"

#include <algorithm>

namespace bot::console {

namespace {

/// Messages of the citizen's history shown (the latest), and with "?lich_su=tat_ca".
constexpr int history_recent = 20;
constexpr int history_all = 300;
constexpr std::size_t reply_max_bytes = 2000;
/// Within this long of the promised time, a hand-off is marked as due soon.
constexpr std::int64_t due_soon_ms = 30 * 60'000;

std::string trim(const std::string& s) {
    const auto b = s.find_first_not_of(" \t\r\n");
    if (b == std::string::npos) return {};
    return s.substr(b, s.find_last_not_of(" \t\r\n") - b + 1);
}

std::string citizen_label(const page_ctx& c, const storage::inbox_row& h) {
    if (!h.citizen_name.empty()) return h.citizen_name;
    const std::string tail = h.user_id.size() > 4 ? h.user_id.substr(h.user_id.size() - 4) : h.user_id;
    return c.text("console_citizen_unnamed", {{"tail", tail}});
}

std::string place_label(const page_ctx& c, const storage::inbox_row& h) {
    const std::string unit = c.unit_name(h.unit_id);
    return h.village.empty() ? unit : h.village + ", " + unit;
}

boost::json::object inbox_item_model(const page_ctx& c, const storage::inbox_row& h) {
    const std::int64_t now = c.now();
    const std::int64_t due = answer_due_at(c.cfg(), h.opened_at);
    std::string state, cls;
    if (h.first_answer_at) {
        state = c.text("console_handoff_answered_at", {{"time", local_time_text(c.cfg(), *h.first_answer_at)}});
        cls = "answered";
    } else if (now > due) {
        state = c.text("console_handoff_late", {{"late", duration_text(now - due)}});
        cls = "late";
    } else {
        state = c.text("console_handoff_due_in", {{"left", duration_text(due - now)}, {"time", local_time_text(c.cfg(), due)}});
        cls = due - now < due_soon_ms ? "soon" : "waiting";
    }
    boost::json::object o{
        {"id", h.id},
        {"citizen", citizen_label(c, h)},
        {"place", place_label(c, h)},
        {"question", h.question},
        {"opened", local_time_text(c.cfg(), h.opened_at)},
        {"waited", duration_text(now - h.opened_at)},
        {"state", state},
        {"class", cls},
        {"late", cls == "late"},
        {"reason", c.text(h.reason == "fallbacks" ? "console_handoff_reason_fallbacks" : "console_handoff_reason_asked")},
    };
    if (!h.assigned_to.empty())
        o["assigned"] = c.text("console_handoff_assigned_to", {{"name", h.assigned_name.empty() ? h.assigned_to : h.assigned_name}});
    if (h.last_message_at && *h.last_message_at > h.opened_at)
        o["last_message"] = c.text("console_handoff_last_message", {{"time", local_time_text(c.cfg(), *h.last_message_at)}});
    return o;
}

boost::json::object inbox_model(const page_ctx& c) {
    boost::json::array items;
    std::string ids;
    std::int64_t late = 0;
    for (const auto& h : storage::open_inbox(c.db)) {
        if (!c.covers(c.case_unit(h.unit_id))) continue;
        auto item = inbox_item_model(c, h);
        if (item.at("late").as_bool()) ++late;
        ids += (ids.empty() ? "" : ",") + std::to_string(h.id);
        items.push_back(std::move(item));
    }
    boost::json::object m;
    m["section"] = "inbox";
    m["count"] = number_text(static_cast<std::int64_t>(items.size()));
    m["late_count"] = late > 0 ? number_text(late) : std::string{};
    m["ids"] = ids;
    m["items"] = std::move(items);
    return m;
}

std::int64_t handoff_id(const page_ctx& c) {
    const std::string& s = c.params.at(0);
    if (s.empty() || s.size() > 18 || s.find_first_not_of("0123456789") != std::string::npos)
        throw not_found(c.text("console_error_not_found"));
    return std::stoll(s);
}

// The hand-off, refused (403) when its unit is not the staff member's.
storage::inbox_row load_handoff(const page_ctx& c) {
    auto h = storage::inbox_item(c.db, handoff_id(c));
    if (!h) throw not_found(c.text("console_error_handoff_not_found"));
    // The rule of a "#n" reply on Zalo (handlers::may_handle), so Zalo and the console agree; an
    // old hand-off of no unit counts as the one-stop desk's, as new ones are filed.
    storage::handoff as_filed;
    as_filed.id = h->id;
    as_filed.user_id = h->user_id;
    as_filed.unit_id = c.case_unit(h->unit_id);
    if (!handlers::may_handle(c.handler_context(), c.me.who, as_filed))
        throw forbidden(c.text("console_error_handoff_scope", {{"id", std::to_string(h->id)}}));
    return *h;
}

// Colleagues who may take over a case of this unit: enabled, handling cases, serving it.
std::vector<storage::official> colleagues_for(const page_ctx& c, const std::string& unit) {
    std::vector<storage::official> out;
    for (auto& o : storage::list_officials(c.db, false)) {
        if (o.official_id == c.me.who.official_id || !handles_cases(role_of(o))) continue;
        if (!scope_of(o).covers(c.cfg(), unit)) continue;
        out.push_back(std::move(o));
    }
    return out;
}

}  // namespace

http_response page_inbox(page_ctx& c) { return c.render("inbox", inbox_model(c)); }

http_response page_inbox_list(page_ctx& c) {
    http_response r;
    r.content_type = "text/html; charset=utf-8";
    r.body = c.views.fragment("partials/inbox_list", inbox_model(c));
    return r;
}

http_response page_conversation(page_ctx& c) {
    const auto h = load_handoff(c);
    auto stored = storage::find_handoff(c.db, h.id);
    boost::json::object m = inbox_item_model(c, h);
    m["section"] = "inbox";
    m["title"] = c.text("console_title_conversation", {{"id", std::to_string(h.id)}});
    const bool open = stored && !stored->closed_at;
    m["open"] = open;
    if (stored && stored->closed_at)
        m["closed"] = c.text("console_handoff_closed_at", {{"time", local_time_text(c.cfg(), *stored->closed_at)},
                                                            {"by", stored->closed_by}});
    boost::json::array thread;
    const bool all = c.query("lich_su") == "tat_ca";
    const auto history = storage::conversation_history(c.db, h.user_id, (all ? history_all : history_recent) + 1);
    const bool more = !all && history.size() > static_cast<std::size_t>(history_recent);
    for (std::size_t i = more ? 1 : 0; i < history.size(); ++i) {
        const auto& msg = history[i];
        if (msg.text.empty()) continue;
        const char* who = msg.direction == "in" ? "console_thread_citizen"
                          : msg.kind == "relay"  ? "console_thread_official"
                          : msg.kind == "broadcast" || msg.kind == "promotion" ? "console_thread_broadcast"
                                                                                : "console_thread_bot";
        thread.push_back(boost::json::object{{"dir", msg.direction == "in" ? "in" : "out"},
                                             {"who", c.text(who)},
                                             {"when", local_time_text(c.cfg(), msg.at)},
                                             {"text", msg.text}});
    }
    m["thread"] = std::move(thread);
    m["history_more"] = more;
    boost::json::array colleagues;
    for (const auto& o : colleagues_for(c, c.case_unit(h.unit_id)))
        colleagues.push_back(boost::json::object{{"id", o.official_id},
                                                 {"label", o.name + " (" + c.unit_name(o.unit_id) + (o.zalo_user_id.empty() ? ", " + c.text("console_not_linked") : "") + ")"}});
    m["has_colleagues"] = !colleagues.empty();
    m["colleagues"] = std::move(colleagues);
    m["reply_text"] = c.query("nhap");
    return c.render("conversation", std::move(m));
}

http_response post_handoff_reply(page_ctx& c) {
    const auto h = load_handoff(c);
    const std::string text = trim(c.field("noi_dung"));
    const std::string back = "/console/hoi-thoai/" + std::to_string(h.id);
    if (text.empty()) return page_ctx::redirect(back + "?tb=reply_empty");
    if (text.size() > reply_max_bytes) return page_ctx::redirect(back + "?tb=reply_too_long");
    auto ctx = c.handler_context();
    auto stored = storage::find_handoff(c.db, h.id);
    if (!stored || stored->closed_at) return page_ctx::redirect(back + "?tb=already_closed");
    // The citizen reads who answered, as with a "#n" reply on Zalo.
    const std::string answerer = ctx.texts.render(
        "conversation_answerer_official", {{"name", c.me.who.name}, {"unit", handlers::unit_display_name(ctx, c.me.who.unit_id)}});
    handlers::outcome out;
    out.messages = handlers::relay_handoff_answer(ctx, h.id, answerer, text);
    handlers::commit_outcome(ctx, out, h.user_id, "", std::nullopt, std::nullopt);
    c.audit_action = "handoff reply";
    c.audit_target = std::to_string(h.id);
    c.wake_outbox = true;
    return page_ctx::redirect(back + "?tb=replied");
}

http_response post_handoff_close(page_ctx& c) {
    const auto h = load_handoff(c);
    auto ctx = c.handler_context();
    handlers::outcome out;
    out.messages = handlers::close_handoff_messages(ctx, h.id, "console:" + c.me.who.official_id);
    if (out.messages.empty()) return page_ctx::redirect("/console/hoi-thoai/" + std::to_string(h.id) + "?tb=already_closed");
    handlers::commit_outcome(ctx, out, h.user_id, "", std::nullopt, std::nullopt);
    c.audit_action = "handoff close";
    c.audit_target = std::to_string(h.id);
    c.wake_outbox = true;
    return page_ctx::redirect("/console/hoi-thoai?tb=closed");
}

http_response post_handoff_assign(page_ctx& c) {
    const auto h = load_handoff(c);
    const std::string back = "/console/hoi-thoai/" + std::to_string(h.id);
    auto stored = storage::find_handoff(c.db, h.id);
    if (!stored || stored->closed_at) return page_ctx::redirect(back + "?tb=already_closed");
    const std::string to = c.field("can_bo");
    auto colleagues = colleagues_for(c, c.case_unit(h.unit_id));
    auto it = std::find_if(colleagues.begin(), colleagues.end(), [&](const storage::official& o) { return o.official_id == to; });
    if (it == colleagues.end()) throw forbidden(c.text("console_error_colleague"));
    storage::assign_handoff(c.db, h.id, it->official_id, c.me.who.official_id, c.now());
    if (!it->zalo_user_id.empty()) {
        auto ctx = c.handler_context();
        zalo::outgoing_message m;
        m.recipient = it->zalo_user_id;
        m.purpose = "handoff";
        m.ref = "handoff:" + std::to_string(h.id);
        m.text = c.text("console_handoff_handed_over", {{"id", std::to_string(h.id)},
                                                         {"from", c.me.who.name},
                                                         {"question", h.question},
                                                         {"link", console_base_url(c.db, c.cfg()) + "/console/hoi-thoai/" + std::to_string(h.id)}});
        handlers::outcome out;
        out.messages.push_back(std::move(m));
        handlers::commit_outcome(ctx, out, "", "", std::nullopt, std::nullopt);
        c.wake_outbox = true;
    }
    c.audit_action = "handoff hand over";
    c.audit_target = std::to_string(h.id);
    c.audit_detail = "to " + it->official_id;
    return page_ctx::redirect(back + "?tb=handed_over");
}

}  // namespace bot::console
