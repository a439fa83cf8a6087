// Reports: GET /api/v1/reports?from=&to=&format=&unit=&level=&oa= for viewers.
#include "bot/app/app.hpp"

#include "bot/core/local_time.hpp"

#include "bot/http/admin_api.hpp"
#include "bot/http/json_body.hpp"
#include "bot/language/knowledge_base.hpp"
#include "bot/reports/report.hpp"
#include "bot/reports/report_format.hpp"

#include <stdexcept>

namespace bot::app {

namespace {

std::string param(const api_request& req, const std::string& name) {
    auto it = req.http.query.find(name);
    return it == req.http.query.end() ? std::string{} : it->second;
}

}  // namespace

void start_reports(services& s) {
    environment& env = s.env;
    s.api.add_read("GET", "/api/v1/reports", {api_role::viewer},
              [&env](const api_request& req, SQLite::Database& db) -> http_response {
                  report_request rq{param(req, "from"), param(req, "to"), param(req, "unit"), param(req, "level")};
                  rq.today = to_iso(local_date_of(env.clock(), env.cfg.time.utc_offset_minutes));
                  rq.oa = param(req, "oa");
                  std::string format = param(req, "format");
                  if (format.empty()) format = "json";
                  if (format != "json" && format != "csv" && format != "text" && format != "xlsx")
                      throw std::invalid_argument("format must be json, csv, text or xlsx");
                  if (rq.from.empty() || rq.to.empty()) throw std::invalid_argument("from and to are required (YYYY-MM-DD)");
                  // A token that does not serve every unit reports on one of its units (and those below it).
                  if (!rq.unit.empty()) {
                      require_known_unit(env.cfg, "unit", rq.unit);
                      require_unit(req, env.cfg, rq.unit, "unit \"" + rq.unit + "\"");
                  } else if (!serves_unit(req, env.cfg, "")) {
                      const auto mine = served_units(req, env.cfg);
                      if (mine.size() != 1 || !rq.level.empty()) {
                          std::string list;
                          for (const auto& u : mine) list += (list.empty() ? "" : ", ") + u;
                          throw api_forbidden("the token \"" + req.actor + "\" does not serve every unit: name one of its units with unit= (" + list + ")");
                      }
                      rq.unit = mine.front();
                  }
                  // report_request_error is an invalid_argument: a bad date or unit answers 400.
                  report r = compute_report(db, env.cfg, rq, env.cfg.storage.path);
                  if (auto kb = env.kb.get())
                      for (const auto& t : kb->topics()) r.topic_titles[t.id] = t.title;
                  http_response res;
                  if (format == "json") {
                      res.content_type = "application/json";
                      res.body = to_json(r);
                  } else if (format == "csv") {
                      res.content_type = "text/csv; charset=utf-8";
                      res.body = to_csv(r);
                      res.headers.emplace_back("Content-Disposition",
                                               "attachment; filename=\"bao-cao-" + rq.from + "-" + rq.to + ".csv\"");
                  } else if (format == "text") {
                      res.content_type = "text/plain; charset=utf-8";
                      res.body = to_text(r, env.texts);
                  } else {
                      res.content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
                      res.body = to_xlsx(r, env.texts);
                      res.headers.emplace_back("Content-Disposition",
                                               "attachment; filename=\"bao-cao-" + rq.from + "-" + rq.to + ".xlsx\"");
                  }
                  return res;
              });
}

}  // namespace bot::app
