// Knowledge-base reload (POST /api/v1/kb/reload, SIGHUP) and the editors' resources.
#include "bot/app/kb_commands.hpp"

#include "bot/core/personal_data.hpp"
#include "bot/http/admin_api.hpp"
#include "bot/language/knowledge_base.hpp"
#include "storage/console_repository.hpp"
#include "storage/kb_queries.hpp"

#include <SQLiteCpp/Database.h>

#include <filesystem>

#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <spdlog/spdlog.h>

#include <stdexcept>

namespace bot::app {

namespace {

constexpr int default_unanswered_limit = 100;
constexpr int max_unanswered_limit = 1000;

// "model trained on N texts in X ms", or that the texts were the same and the model was kept, or
// read from the model cache.
std::string model_summary(const kb_training_stats& st) {
    if (st.reused) return fmt::format("same training texts, model kept ({} texts)", st.texts);
    if (st.cached) return fmt::format("model of {} texts read from the model cache in {:.0f} ms", st.texts, st.milliseconds);
    return fmt::format("model trained on {} texts in {:.0f} ms", st.texts, st.milliseconds);
}

bool looks_like_day(const std::string& s) {
    if (s.size() != 10 || s[4] != '-' || s[7] != '-') return false;
    for (std::size_t i = 0; i < s.size(); ++i)
        if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9')) return false;
    return true;
}

std::string query_param(const api_request& req, const char* key) {
    auto it = req.http.query.find(key);
    return it == req.http.query.end() ? std::string{} : it->second;
}

}  // namespace

std::vector<kb_extra_example> stored_kb_examples(const config& cfg) {
    std::vector<kb_extra_example> out;
    const auto& path = cfg.storage.path;
    std::error_code ec;
    if (path.empty() || path == ":memory:" || !std::filesystem::exists(path, ec)) return out;
    try {
        SQLite::Database db(path, SQLite::OPEN_READONLY);
        db.setBusyTimeout(5000);
        if (!db.tableExists("kb_examples")) return out;
        for (const auto& e : storage::list_kb_examples(db))
            out.push_back({e.topic_id, e.text, "console example #" + std::to_string(e.id) + " (added by " + e.added_by + ")"});
    } catch (const std::exception& e) {
        spdlog::warn("knowledge base: the examples stored in {} could not be read: {}", path, e.what());
    }
    return out;
}

std::shared_ptr<const knowledge_base> load_kb_with_stored_examples(const config& cfg) {
    return load_knowledge_base(cfg, stored_kb_examples(cfg));
}

std::optional<std::string> reload_kb(environment& env) {
    try {
        auto kb = load_kb_with_stored_examples(env.cfg);
        auto n = kb->topics().size();
        auto st = training_stats(*kb);  // trains the model before the new knowledge base answers anyone
        env.kb.set(std::move(kb));
        spdlog::info("knowledge base reloaded: {} topics from {}; {}", n, env.cfg.kb.dir, model_summary(st));
        return std::nullopt;
    } catch (const std::exception& e) {
        // The running KB stays: a typo in one file must not silence the bot.
        spdlog::error("knowledge base reload failed, keeping the previous one: {}", e.what());
        return std::string(e.what());
    }
}

void start_kb(services& s) {
    environment& env = s.env;
    if (auto kb = env.kb.get()) {
        auto st = training_stats(*kb);  // train now rather than on the first citizen's message
        spdlog::info("knowledge base: {} topics; {}", kb->topics().size(), model_summary(st));
    }
    s.reload_hooks.push_back([&env] { (void)reload_kb(env); });

    s.api.add("POST", "/api/v1/kb/reload", {api_role::operator_}, true,
              [&env](const api_request&, SQLite::Database&) -> http_response {
                  if (auto err = reload_kb(env))
                      return json_error(422, "invalid_knowledge_base", *err + " (the previous knowledge base is still in use)");
                  boost::json::object o;
                  o["reloaded"] = true;
                  o["topics"] = env.kb.get()->topics().size();
                  return json_response(boost::json::serialize(o));
              });

    s.api.add_read("GET", "/api/v1/kb/topics", {api_role::viewer, api_role::propaganda, api_role::operator_},
              [&env](const api_request&, SQLite::Database&) -> http_response {
                  auto kb = env.kb.get();
                  boost::json::array arr;
                  if (kb) {
                      for (const auto& t : kb->topics()) {
                          boost::json::object o;
                          o["id"] = t.id;
                          o["title"] = t.title;
                          o["source"] = t.source;
                          o["reviewed"] = t.reviewed;
                          o["examples"] = t.examples.size();
                          boost::json::array rel;
                          for (const auto& r : t.related) rel.emplace_back(r);
                          o["related"] = std::move(rel);
                          arr.push_back(std::move(o));
                      }
                  }
                  boost::json::object body;
                  body["topics"] = std::move(arr);
                  return json_response(boost::json::serialize(body));
              });

    s.api.add_read("GET", "/api/v1/kb/unanswered", {api_role::viewer, api_role::operator_},
              [](const api_request& req, SQLite::Database& db) -> http_response {
                  auto from = query_param(req, "from");
                  auto to = query_param(req, "to");
                  if ((!from.empty() && !looks_like_day(from)) || (!to.empty() && !looks_like_day(to)))
                      throw std::invalid_argument("from and to must be dates YYYY-MM-DD");
                  int limit = default_unanswered_limit;
                  if (auto l = query_param(req, "limit"); !l.empty()) {
                      try {
                          limit = std::stoi(l);
                      } catch (const std::exception&) {
                          throw std::invalid_argument("limit must be a number");
                      }
                      if (limit < 1 || limit > max_unanswered_limit)
                          throw std::invalid_argument("limit must be between 1 and " + std::to_string(max_unanswered_limit));
                  }
                  boost::json::array arr;
                  for (const auto& u : storage::list_unanswered(db, from, to, limit)) {
                      boost::json::object o;
                      // Editors need the wording, not the asker's phone or ID number.
                      o["text"] = mask_personal_numbers(u.text);
                      o["normalized"] = mask_personal_numbers(u.normalized);
                      o["count"] = u.count;
                      o["last_at"] = u.last_at;
                      o["last_day"] = u.last_day;
                      arr.push_back(std::move(o));
                  }
                  boost::json::object body;
                  body["questions"] = std::move(arr);
                  return json_response(boost::json::serialize(body));
              });
}

}  // namespace bot::app
