// Conversation: hand-off resources of the admin API (list open, reply to the citizen, close).
#include "bot/app/app.hpp"

#include "bot/http/admin_api.hpp"
#include "bot/http/json_body.hpp"
#include "bot/core/local_time.hpp"
#include "handlers/conversation_common.hpp"
#include "handlers/handoff.hpp"
#include "storage/handoff_repository.hpp"

#include "storage/write_scope.hpp"

#include <SQLiteCpp/Database.h>
#include <boost/json.hpp>

#include <optional>

#include <stdexcept>

namespace bot::app {

namespace {

std::int64_t handoff_id(const api_request& req) {
    if (req.path_params.empty()) throw std::invalid_argument("missing hand-off id");
    const std::string& s = req.path_params.front();
    if (s.empty() || s.size() > 18 || s.find_first_not_of("0123456789") != std::string::npos)
        throw std::invalid_argument("hand-off id must be a number");
    return std::stoll(s);
}

boost::json::object to_json(const storage::handoff& h, const config& cfg) {
    boost::json::object o;
    o["id"] = h.id;
    o["user_id"] = h.user_id;
    o["unit_id"] = h.unit_id;
    const auto* u = cfg.find_unit(h.unit_id);
    o["unit_name"] = u ? u->name : std::string{};
    o["opened_at"] = format_local_datetime(h.opened_at, cfg.time.utc_offset_minutes);
    o["opened_at_ms"] = h.opened_at;
    o["reason"] = h.reason;
    o["question"] = h.question;
    if (h.first_answer_at)
        o["first_answer_at"] = format_local_datetime(*h.first_answer_at, cfg.time.utc_offset_minutes);
    else
        o["first_answer_at"] = nullptr;
    o["open"] = !h.closed_at.has_value();
    return o;
}

// The body's "text", trimmed; 400 when missing, empty, too long, or beside an unknown key.
std::string reply_text(const std::string& body) {
    auto b = json_body::parse(body);
    std::string s = b.required_string("text");
    b.finish();
    const auto first = s.find_first_not_of(" \t\r\n");
    s = s.substr(first, s.find_last_not_of(" \t\r\n") - first + 1);
    if (s.size() > 2000) throw std::invalid_argument("\"text\" is longer than 2000 bytes");
    return s;
}

void wake(services& s) {
    if (s.notify_outbox) s.notify_outbox();
}

}  // namespace

void start_conversation(services& s) {
    const std::vector<api_role> staff = {api_role::operator_};

    s.api.add_read("GET", "/api/v1/handoffs", staff, [&s](const api_request& req, SQLite::Database& db) {
        boost::json::array arr;
        for (const auto& h : storage::open_handoffs(db))
            if (serves_unit(req, s.env.cfg, h.unit_id)) arr.push_back(to_json(h, s.env.cfg));
        boost::json::object o;
        o["handoffs"] = std::move(arr);
        return json_response(boost::json::serialize(o));
    });

    s.api.add("POST", "/api/v1/handoffs/:id/reply", staff, true, [&s](const api_request& req, SQLite::Database& db) {
        const std::int64_t id = handoff_id(req);
        const std::string text = reply_text(req.http.body);
        auto ctx = s.env.context(db);
        // Joins the API's transaction (committed with the audit row) when there is one.
        storage::write_scope tx(db);
        auto h = storage::find_handoff(db, id);
        if (!h) throw std::out_of_range("no hand-off #" + std::to_string(id));
        require_unit(req, s.env.cfg, h->unit_id, "hand-off #" + std::to_string(id));
        if (h->closed_at) return json_error(409, "closed", "hand-off #" + std::to_string(id) + " is closed");
        const std::string answerer = ctx.texts.render("conversation_answerer_operator",
                                                      {{"unit", handlers::unit_display_name(ctx, h->unit_id)}});
        handlers::outcome out;
        out.messages = handlers::relay_handoff_answer(ctx, id, answerer, text);
        auto ids = handlers::commit_outcome(ctx, out, h->user_id, "", std::nullopt, std::nullopt);
        tx.commit();
        wake(s);
        boost::json::object o;
        o["id"] = id;
        o["outbox_ids"] = boost::json::value_from(ids);
        return json_response(boost::json::serialize(o));
    });

    s.api.add("POST", "/api/v1/handoffs/:id/close", staff, true, [&s](const api_request& req, SQLite::Database& db) {
        const std::int64_t id = handoff_id(req);
        auto ctx = s.env.context(db);
        // Joins the API's transaction (committed with the audit row) when there is one.
        storage::write_scope tx(db);
        auto h = storage::find_handoff(db, id);
        if (!h) throw std::out_of_range("no hand-off #" + std::to_string(id));
        require_unit(req, s.env.cfg, h->unit_id, "hand-off #" + std::to_string(id));
        if (h->closed_at) return json_error(409, "closed", "hand-off #" + std::to_string(id) + " is already closed");
        handlers::outcome out;
        out.messages = handlers::close_handoff_messages(ctx, id, "api:" + req.actor);
        auto ids = handlers::commit_outcome(ctx, out, h->user_id, "", std::nullopt, std::nullopt);
        tx.commit();
        wake(s);
        boost::json::object o;
        o["id"] = id;
        o["closed"] = true;
        o["outbox_ids"] = boost::json::value_from(ids);
        return json_response(boost::json::serialize(o));
    });
}

}  // namespace bot::app
