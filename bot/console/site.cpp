// The console's request handling: static files, sign-in, sessions, CSRF, the route table.
#include "bot/console/site.hpp"

#include "bot/console/pages.hpp"
#include "bot/core/crypto.hpp"
#include "bot/core/local_time.hpp"
#include "bot/core/messages.hpp"
#include "bot/core/metrics.hpp"
#include "bot/core/task_thread.hpp"
#include "bot/core/worker.hpp"
#include "bot/dossiers/sign_in_link.hpp"
#include "bot/http/admin_api.hpp"
#include "bot/http/url_path.hpp"
#include "storage/console_repository.hpp"
#include "storage/official_repository.hpp"
#include "storage/write_scope.hpp"

#include <SQLiteCpp/Database.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <map>
#include <mutex>
#include <optional>

namespace bot::console {

namespace {

constexpr const char* cookie_name = "cchc_console";
constexpr const char* import_upload_path = "/console/ho-so/nhap";
/// A session's last-seen time is written at most this often (each page would otherwise write).
constexpr std::int64_t touch_interval_ms = 60'000;
/// Sign-in attempts with a wrong or spent link, per client address, before it must wait.
constexpr int sign_in_failures_allowed = 20;
constexpr std::int64_t sign_in_failure_window_ms = 10 * 60'000;

std::string header(const http_request& req, const char* name) {
    auto it = req.headers.find(name);
    return it == req.headers.end() ? std::string{} : it->second;
}

bool loopback(const std::string& addr) { return addr == "127.0.0.1" || addr == "::1" || addr.rfind("::ffff:127.", 0) == 0; }

// The client's address: nginx on this machine passes it in X-Real-IP; anyone else is the peer.
std::string client_address(const http_request& req) {
    if (loopback(req.remote)) {
        auto real = header(req, "X-Real-IP");
        if (!real.empty()) return real;
    }
    return req.remote;
}

http_response html(int status, std::string body) {
    http_response r;
    r.status = status;
    r.content_type = "text/html; charset=utf-8";
    r.body = std::move(body);
    return r;
}

}  // namespace

void add_security_headers(http_response& r, bool secure) {
    r.headers.emplace_back("Content-Security-Policy",
                           "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                           "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'");
    r.headers.emplace_back("X-Frame-Options", "DENY");
    r.headers.emplace_back("X-Content-Type-Options", "nosniff");
    // Same-origin: forms carry their Origin (checked below), other sites learn nothing. The
    // sign-in page sets its own stricter policy (its address holds the link's secret).
    bool has_referrer_policy = false;
    for (const auto& [k, v] : r.headers) has_referrer_policy = has_referrer_policy || k == "Referrer-Policy";
    if (!has_referrer_policy) r.headers.emplace_back("Referrer-Policy", "same-origin");
    r.headers.emplace_back("Cross-Origin-Opener-Policy", "same-origin");
    r.headers.emplace_back("Cross-Origin-Resource-Policy", "same-origin");
    r.headers.emplace_back("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()");
    if (secure) r.headers.emplace_back("Strict-Transport-Security", "max-age=31536000");
}

// ---- the upload stash ----

std::string upload_stash::put(const std::string& session_hash, item it) {
    std::string id = random_hex(12);
    std::lock_guard lk(mu_);
    items_[session_hash] = {id, std::move(it)};
    return id;
}

std::optional<upload_stash::item> upload_stash::get(const std::string& session_hash, const std::string& id, std::int64_t now_ms,
                                                    std::int64_t max_age_ms) const {
    std::lock_guard lk(mu_);
    auto found = items_.find(session_hash);
    if (found == items_.end() || !same_secret(found->second.first, id)) return std::nullopt;
    if (now_ms - found->second.second.stored_at > max_age_ms) return std::nullopt;
    return found->second.second;
}

void upload_stash::drop(const std::string& session_hash) {
    std::lock_guard lk(mu_);
    items_.erase(session_hash);
}

// ---- the site ----

struct site::impl : std::enable_shared_from_this<site::impl> {
    using page_fn = http_response (*)(page_ctx&);
    /// Where a page runs.
    enum class runs {
        reading,   ///< on the reader's connection; writes nothing
        writing,   ///< on the write worker, in one transaction with its audit row: short changes only
        in_steps,  ///< on the task thread (reads on its own connection), writing through
                   ///< page_ctx::write in short jobs: long work such as an import, which must not
                   ///< hold the write worker (and every citizen's reply) for seconds
    };
    struct route {
        std::string method;
        std::vector<std::string> segments;  ///< ":x" matches one segment
        staff_action action;
        runs where;
        page_fn fn;
    };

    site_deps deps;
    view views;
    std::vector<route> routes;
    upload_stash uploads;
    /// Runs the pages `in_steps`, one at a time.
    task_thread tasks;
    /// Sessions this process has seen valid (hash → last time), so the upload's guard can turn a
    /// stranger away on the header alone, before a dossier export's megabytes are read.
    mutable std::mutex live_mu;
    mutable std::map<std::string, std::int64_t> live_sessions;
    std::mutex failures_mu;
    std::map<std::string, std::pair<std::int64_t, int>> failures;  ///< address → (window start, count)

    impl(site_deps d, view v) : deps(std::move(d)), views(std::move(v)), tasks(deps.cfg.storage.path) {
        using a = staff_action;
        constexpr runs reads = runs::reading, writes = runs::writing, in_steps = runs::in_steps;
        auto add = [&](const char* m, const char* p, a act, runs where, page_fn f) { routes.push_back({m, split_path(p), act, where, f}); };
        add("GET", "/console", a::see_overview, reads, page_overview);
        add("GET", "/console/hoi-thoai", a::handle_handoffs, reads, page_inbox);
        add("GET", "/console/hoi-thoai/danh-sach", a::handle_handoffs, reads, page_inbox_list);
        add("GET", "/console/hoi-thoai/:id", a::handle_handoffs, reads, page_conversation);
        add("POST", "/console/hoi-thoai/:id/tra-loi", a::handle_handoffs, writes, post_handoff_reply);
        add("POST", "/console/hoi-thoai/:id/dong", a::handle_handoffs, writes, post_handoff_close);
        add("POST", "/console/hoi-thoai/:id/chuyen", a::handle_handoffs, writes, post_handoff_assign);
        add("GET", "/console/ho-so", a::see_dossiers, reads, page_dossiers);
        add("GET", "/console/ho-so/nhap", a::import_dossiers, reads, page_import);
        add("POST", "/console/ho-so/nhap", a::import_dossiers, reads, post_import_preview);
        add("POST", "/console/ho-so/nhap/xac-nhan", a::import_dossiers, in_steps, post_import_confirm);
        add("GET", "/console/ho-so/:code", a::see_dossiers, reads, page_dossier);
        add("GET", "/console/tuyen-truyen", a::see_broadcasts, reads, page_broadcasts);
        add("GET", "/console/tuyen-truyen/moi", a::send_broadcasts, reads, page_broadcast_new);
        add("POST", "/console/tuyen-truyen/moi", a::send_broadcasts, reads, page_broadcast_new);
        add("POST", "/console/tuyen-truyen/xem-truoc", a::send_broadcasts, reads, post_broadcast_preview);
        add("POST", "/console/tuyen-truyen/gui", a::send_broadcasts, writes, post_broadcast_send);
        add("POST", "/console/tuyen-truyen/:id/huy", a::send_broadcasts, writes, post_broadcast_cancel);
        add("GET", "/console/bao-cao", a::see_reports, reads, page_reports);
        add("GET", "/console/bao-cao/tai", a::see_reports, reads, page_report_download);
        add("GET", "/console/cau-hoi", a::see_unanswered, reads, page_unanswered);
        add("POST", "/console/cau-hoi/gan", a::edit_knowledge, writes, post_unanswered_attach);
        add("POST", "/console/cau-hoi/bo-qua", a::edit_knowledge, writes, post_unanswered_dismiss);
        add("GET", "/console/can-bo", a::see_staff, reads, page_staff);
        add("POST", "/console/can-bo/:id/ma-lien-ket", a::manage_staff, writes, post_staff_link_code);
        add("POST", "/console/can-bo/:id/vo-hieu", a::manage_staff, writes, post_staff_disable);
    }

    bool secure(const http_request& req) const {
        return deps.cfg.console.public_url.rfind("https://", 0) == 0 || header(req, "X-Forwarded-Proto") == "https";
    }

    http_response finish(http_response r, const http_request& req) const {
        add_security_headers(r, secure(req));
        bool has_cache = false;
        for (const auto& [k, v] : r.headers)
            if (k == "Cache-Control") has_cache = true;
        if (!has_cache) r.headers.emplace_back("Cache-Control", "no-store");
        return r;
    }

    // A page outside any session (sign-in help, errors before a session exists).
    http_response plain_page(const std::string& name, boost::json::object model, int status = 200) const {
        model["plain"] = true;
        return html(status, views.page(name, model));
    }

    http_response error_page(int status, const std::string& message, const staff* me = nullptr) const {
        boost::json::object m;
        m["title"] = deps.texts.render(status == 403 ? "console_title_forbidden" : status == 404 ? "console_title_not_found"
                                                                                                : "console_title_error");
        m["message"] = message;
        m["status"] = status;
        if (me) m["signed_in"] = true;
        return plain_page("error", std::move(m), status);
    }

    std::string session_cookie(const std::string& value, std::int64_t max_age_s, const http_request& req) const {
        std::string c = std::string(cookie_name) + "=" + value + "; Path=/console; HttpOnly; SameSite=Strict; Max-Age=" +
                        std::to_string(max_age_s);
        if (secure(req)) c += "; Secure";
        return c;
    }

    // A request whose Origin (sent by browsers with every POST) is another site: refused. "null"
    // is refused too, except where `allow_null` (the sign-in page sends no referrer at all, so its
    // form's Origin is "null"; its one-time secret is the credential there).
    bool foreign_origin(const http_request& req, bool allow_null = false) const {
        const std::string origin = header(req, "Origin");
        if (origin.empty()) return false;
        if (origin == "null") return !allow_null;
        const std::string host = header(req, "Host");
        if (!deps.cfg.console.public_url.empty() && origin == deps.cfg.console.public_url) return false;
        auto scheme_end = origin.find("://");
        return scheme_end == std::string::npos || origin.substr(scheme_end + 3) != host;
    }

    bool too_many_failures(const std::string& addr, std::int64_t now) {
        std::lock_guard lk(failures_mu);
        auto it = failures.find(addr);
        if (it == failures.end()) return false;
        if (now - it->second.first > sign_in_failure_window_ms) {
            failures.erase(it);
            return false;
        }
        return it->second.second >= sign_in_failures_allowed;
    }

    void count_failure(const std::string& addr, std::int64_t now) {
        std::lock_guard lk(failures_mu);
        if (failures.size() > 10000) failures.clear();  // bounded; a flood only resets the counts
        auto& f = failures[addr];
        if (now - f.first > sign_in_failure_window_ms) f = {now, 0};
        ++f.second;
    }

    // ---- sessions ----

    enum class session_state { none, expired, ok };

    session_state resolve(SQLite::Database& db, const http_request& req, staff& out) const {
        const std::string secret = cookie(req, cookie_name);
        if (secret.empty() || secret.size() > 128) return session_state::none;
        const std::string hash = hash_console_secret(secret);
        auto s = storage::find_console_session(db, hash);
        if (!s) return session_state::expired;
        const std::int64_t now = deps.clock();
        const auto idle = std::chrono::duration_cast<std::chrono::milliseconds>(deps.cfg.console.session_idle).count();
        const auto max = std::chrono::duration_cast<std::chrono::milliseconds>(deps.cfg.console.session_max).count();
        if (s->ended || now - s->last_seen_at > idle || now - s->created_at > max) return session_state::expired;
        auto o = storage::find_official(db, s->official_id);
        if (!o || o->disabled) return session_state::expired;
        out.who = std::move(*o);
        out.role = role_of(out.who);
        out.scope = scope_of(out.who);
        out.csrf = s->csrf;
        out.session_hash = hash;
        {
            std::lock_guard lk(live_mu);
            live_sessions[hash] = now;
            if (live_sessions.size() > 4096)  // idle ones go; the map stays the size of who is working
                std::erase_if(live_sessions, [&](const auto& kv) { return now - kv.second > idle; });
        }
        if (now - s->last_seen_at > touch_interval_ms)
            deps.writer.post([hash, now](SQLite::Database& w) { storage::touch_console_session(w, hash, now); });
        return session_state::ok;
    }

    const route* match(const http_request& req, std::vector<std::string>& params, bool& path_known) const {
        auto segs = split_path(req.path);
        path_known = false;
        for (const auto& r : routes) {
            std::vector<std::string> p;
            if (!match_path(r.segments, segs, p)) continue;
            path_known = true;
            if (r.method == req.method) {
                params = std::move(p);
                return &r;
            }
        }
        return nullptr;
    }

    void forget_session(const std::string& hash) {
        std::lock_guard lk(live_mu);
        live_sessions.erase(hash);
    }

    // The import page's upload, judged on its header (the body is read only after): from this
    // site, with a session this process has served a page to within the idle time (the import
    // page itself, before any upload). The full check runs again once the body is in.
    std::optional<http_response> upload_guard(const http_request& req) {
        if (req.method != "POST" || req.path != import_upload_path) return std::nullopt;
        if (foreign_origin(req)) return finish(error_page(403, deps.texts.render("console_error_origin")), req);
        const std::string secret = cookie(req, cookie_name);
        const auto idle = std::chrono::duration_cast<std::chrono::milliseconds>(deps.cfg.console.session_idle).count();
        if (!secret.empty() && secret.size() <= 128) {
            std::lock_guard lk(live_mu);
            auto it = live_sessions.find(hash_console_secret(secret));
            if (it != live_sessions.end() && deps.clock() - it->second <= idle) return std::nullopt;
        }
        return finish(error_page(403, deps.texts.render("console_error_session")), req);
    }

    // ---- dispatch ----

    void handle(http_request&& req, respond_fn respond) {
        auto self = shared_from_this();
        auto done = [self, respond](http_response r, const http_request& rq) { respond(self->finish(std::move(r), rq)); };
        auto q = std::make_shared<http_request>(std::move(req));
        const std::string& path = q->path;

        if (path == "/console") return done(page_ctx::redirect("/console/"), *q);
        if (path.rfind("/console/static/", 0) == 0) return done(static_file(*q), *q);
        if (path == "/console/dang-nhap" && q->method == "GET") {
            return deps.reader.post([self, q, done](SQLite::Database& db) {
                try {
                    staff me;
                    if (self->resolve(db, *q, me) == session_state::ok) return done(page_ctx::redirect("/console/"), *q);
                    boost::json::object m;
                    m["title"] = self->deps.texts.render("console_title_sign_in");
                    m["expired"] = q->query.count("het") > 0;
                    m["signed_out"] = q->query.count("ra") > 0;
                    done(self->plain_page("sign_in", std::move(m)), *q);
                } catch (const std::exception& e) {
                    spdlog::error("console: sign-in help page failed: {}", e.what());
                    done(self->error_page(500, self->deps.texts.render("console_error_internal")), *q);
                }
            });
        }
        if (path == "/console/vao") return sign_in(q, done);
        if (path == "/console/dang-xuat" && q->method == "POST") return sign_out(q, done);

        std::vector<std::string> params;
        bool known = false;
        const route* r = match(*q, params, known);
        if (!r) return done(error_page(known ? 405 : 404, deps.texts.render(known ? "console_error_method" : "console_error_not_found")), *q);

        if (q->method == "POST" && foreign_origin(*q))
            return done(error_page(403, deps.texts.render("console_error_origin")), *q);
        std::optional<form_data> form;
        if (q->method == "POST") {
            form = parse_form(*q);
            if (!form) return done(error_page(400, deps.texts.render("console_error_form")), *q);
        }
        auto f = std::make_shared<std::optional<form_data>>(std::move(form));
        auto job = [self, q, r, params, f, done](SQLite::Database& db) {
            done(self->run_page(db, *q, *r, params, f->has_value() ? &**f : nullptr), *q);
        };
        switch (r->where) {
        case runs::reading: return deps.reader.post(job);
        case runs::writing: return deps.writer.post(job);
        case runs::in_steps:
            // Stopped (shutting down): answered here, since no task will.
            if (!tasks.post(job)) done(error_page(503, deps.texts.render("console_error_internal")), *q);
            return;
        }
    }

    http_response run_page(SQLite::Database& db, const http_request& req, const route& r, const std::vector<std::string>& params,
                           const form_data* form) {
        staff me;
        try {
            auto st = resolve(db, req, me);
            if (st != session_state::ok) {
                if (req.method == "GET") return page_ctx::redirect(st == session_state::expired ? "/console/dang-nhap?het=1" : "/console/dang-nhap");
                return error_page(403, deps.texts.render("console_error_session"));
            }
            // Every state-changing form carries the session's token (a page from another site
            // cannot know it; SameSite=Strict keeps the cookie off its requests as well).
            if (req.method == "POST" && (!form || !same_secret(form->get("csrf"), me.csrf)))
                return error_page(403, deps.texts.render("console_error_csrf"), &me);
            if (!may(me.role, r.action)) return error_page(403, deps.texts.render("console_error_role"), &me);
        } catch (const std::exception& e) {
            spdlog::error("console: session check failed: {}", e.what());
            return error_page(500, deps.texts.render("console_error_internal"));
        }

        page_ctx c{deps, views, req, me, db, form, &uploads, params};
        if (r.where == runs::in_steps)
            c.write = [this](const std::function<void(SQLite::Database&)>& step) { deps.writer.run_sync(step); };
        std::unique_ptr<storage::write_scope> tx;
        try {
            if (r.where == runs::writing) tx = std::make_unique<storage::write_scope>(db);
            http_response res = r.fn(c);
            if (tx && res.status < 400) {
                // A change and its audit row commit together or not at all.
                c.audit_into(db);
                tx->commit();
            }
            tx.reset();
            if (r.where == runs::in_steps && !c.audit_done) {
                // Its steps have committed whatever they wrote (an import's rejected run, say):
                // what came of it is recorded in any case, in one more short job.
                c.write([&c](SQLite::Database& w) {
                    storage::write_scope atx(w);
                    c.audit_into(w);
                    atx.commit();
                });
            }
            if (c.wake_outbox && deps.notify_outbox) deps.notify_outbox();
            if (c.after_commit && res.status < 400) res = c.after_commit(std::move(res));
            return res;
        } catch (const forbidden& e) {
            spdlog::warn("console: {} refused {} {}: {}", me.who.official_id, req.method, req.path, e.what());
            return error_page(403, e.what(), &me);
        } catch (const not_found& e) {
            return error_page(404, e.what(), &me);
        } catch (const std::exception& e) {
            spdlog::error("console: {} {} failed: {}", req.method, req.path, e.what());
            return error_page(500, deps.texts.render("console_error_internal"), &me);
        }
    }

    http_response static_file(const http_request& req) const {
        if (req.method != "GET" && req.method != "HEAD") return error_page(405, deps.texts.render("console_error_method"));
        const auto* a = views.static_file(req.path.substr(std::string("/console/static/").size()));
        if (!a) return error_page(404, deps.texts.render("console_error_not_found"));
        http_response r;
        if (header(req, "If-None-Match") == a->etag) {
            r.status = 304;
            r.content_type.clear();
        } else {
            r.content_type = a->content_type;
            r.body = a->body;
        }
        r.headers.emplace_back("ETag", a->etag);
        // Versioned URLs (?v=<hash of the files>) never change; others are revalidated.
        auto v = req.query.find("v");
        r.headers.emplace_back("Cache-Control", v != req.query.end() && v->second == views.asset_version()
                                                    ? "public, max-age=31536000, immutable"
                                                    : "no-cache");
        return r;
    }

    // GET /console/vao?t=...: a page that names who is signing in and posts the link back (the
    // console's script does it at once); the link is used only by that POST, so a link preview
    // fetching the URL cannot spend it. POST /console/vao: the link opens a session.
    template <class Done>
    void sign_in(std::shared_ptr<http_request> q, Done done) {
        auto self = shared_from_this();
        const std::string addr = client_address(*q);
        const std::int64_t now = deps.clock();
        if (too_many_failures(addr, now)) {
            auto r = error_page(429, deps.texts.render("console_error_too_many"));
            r.headers.emplace_back("Retry-After", std::to_string(sign_in_failure_window_ms / 1000));
            return done(std::move(r), *q);
        }
        if (q->method == "GET") {
            auto t = q->query.count("t") ? q->query.at("t") : std::string{};
            return deps.reader.post([self, q, t, addr, done](SQLite::Database& db) {
                try {
                    std::string who;
                    const auto st = t.empty() || t.size() > 128 ? storage::link_state::unknown
                                                                : storage::peek_console_link(db, hash_console_secret(t), self->deps.clock(), &who);
                    if (st != storage::link_state::valid) return done(self->link_refused(st, addr), *q);
                    auto o = storage::find_official(db, who);
                    if (!o || o->disabled) return done(self->link_refused(storage::link_state::unknown, addr), *q);
                    boost::json::object m;
                    m["title"] = self->deps.texts.render("console_title_sign_in");
                    m["token"] = t;
                    m["name"] = o->name;
                    m["role"] = role_label(self->deps.texts, role_of(*o));
                    auto page = self->plain_page("sign_in_confirm", std::move(m));
                    page.headers.emplace_back("Referrer-Policy", "no-referrer");  // the address holds the secret
                    done(std::move(page), *q);
                } catch (const std::exception& e) {
                    // Answered here: the address holds the link's secret and must not reach a log.
                    spdlog::error("console: sign-in page failed: {}", e.what());
                    done(self->error_page(500, self->deps.texts.render("console_error_internal")), *q);
                }
            });
        }
        if (q->method != "POST") return done(error_page(405, deps.texts.render("console_error_method")), *q);
        if (foreign_origin(*q, true)) return done(error_page(403, deps.texts.render("console_error_origin")), *q);
        auto form = parse_form(*q);
        const std::string t = form ? form->get("t") : std::string{};
        deps.writer.post([self, q, t, addr, done](SQLite::Database& db) {
            try {
                const std::int64_t when = self->deps.clock();
                std::string who;
                storage::write_scope tx(db);
                const auto st = t.empty() || t.size() > 128 ? storage::link_state::unknown
                                                            : storage::redeem_console_link(db, hash_console_secret(t), when, &who);
                auto o = st == storage::link_state::valid ? storage::find_official(db, who) : std::nullopt;
                if (!o || o->disabled) {
                    tx.commit();  // a spent link stays spent
                    return done(self->link_refused(st == storage::link_state::valid ? storage::link_state::unknown : st, addr), *q);
                }
                const std::string secret = random_hex(32);
                storage::insert_console_session(db, hash_console_secret(secret), o->official_id, random_hex(16), when);
                audit(db, "console:" + o->official_id, "sign in", o->official_id, "from " + addr);
                tx.commit();
                spdlog::info("console: {} signed in", o->official_id);
                auto r = page_ctx::redirect("/console/");
                const auto max_s = self->deps.cfg.console.session_max.count();
                r.headers.emplace_back("Set-Cookie", self->session_cookie(secret, max_s, *q));
                done(std::move(r), *q);
            } catch (const std::exception& e) {
                spdlog::error("console: sign-in failed: {}", e.what());
                done(self->error_page(500, self->deps.texts.render("console_error_internal")), *q);
            }
        });
    }

    http_response link_refused(storage::link_state st, const std::string& addr) {
        count_failure(addr, deps.clock());
        boost::json::object m;
        m["title"] = deps.texts.render("console_title_sign_in");
        m["expired"] = st == storage::link_state::expired;
        m["used"] = st == storage::link_state::used;
        m["unknown"] = st == storage::link_state::unknown;
        return plain_page("sign_in_refused", std::move(m), st == storage::link_state::unknown ? 404 : 410);
    }

    template <class Done>
    void sign_out(std::shared_ptr<http_request> q, Done done) {
        auto self = shared_from_this();
        if (foreign_origin(*q)) return done(error_page(403, deps.texts.render("console_error_origin")), *q);
        auto form = parse_form(*q);
        const std::string csrf = form ? form->get("csrf") : std::string{};
        deps.writer.post([self, q, csrf, done](SQLite::Database& db) {
            try {
                staff me;
                if (self->resolve(db, *q, me) == session_state::ok) {
                    if (!same_secret(csrf, me.csrf)) return done(self->error_page(403, self->deps.texts.render("console_error_csrf")), *q);
                    storage::write_scope tx(db);
                    storage::end_console_session(db, me.session_hash, self->deps.clock());
                    self->forget_session(me.session_hash);
                    audit(db, "console:" + me.who.official_id, "sign out", me.who.official_id, "");
                    tx.commit();
                }
                auto r = page_ctx::redirect("/console/dang-nhap?ra=1");
                r.headers.emplace_back("Set-Cookie", self->session_cookie("", 0, *q));
                done(std::move(r), *q);
            } catch (const std::exception& e) {
                spdlog::error("console: sign-out failed: {}", e.what());
                done(self->error_page(500, self->deps.texts.render("console_error_internal")), *q);
            }
        });
    }
};

site::site(site_deps deps, const std::string& templates_dir)
    : impl_(std::make_shared<impl>(std::move(deps), view::load(templates_dir))) {
    impl_->deps.texts.require({"console_title_sign_in", "console_title_forbidden", "console_title_not_found", "console_title_error",
                               "console_error_not_found", "console_error_method", "console_error_form", "console_error_session",
                               "console_error_csrf", "console_error_role", "console_error_origin", "console_error_internal",
                               "console_error_too_many"});
}

site::~site() {
    // A page in steps still running finishes first (its queued jobs hold the site's parts).
    if (impl_) impl_->tasks.stop();
}

void site::stop() { impl_->tasks.stop(); }

void site::mount(http_router& router) {
    auto p = impl_;
    router.guard("/console/", [p](const http_request& req) { return p->upload_guard(req); });
    for (const char* m : {"GET", "HEAD", "POST"}) {
        router.add(m, "/console", [p](http_request&& req, respond_fn respond) { p->handle(std::move(req), std::move(respond)); });
        router.add(m, "/console/*", [p](http_request&& req, respond_fn respond) { p->handle(std::move(req), std::move(respond)); });
    }
}

void site::handle(http_request&& req, respond_fn respond) { impl_->handle(std::move(req), std::move(respond)); }

}  // namespace bot::console
