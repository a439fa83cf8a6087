// The web console under /console/: sign-in by one-time link, sessions, CSRF, roles and unit
// scope checked on the server, and the pages. Registered on the HTTP router by bot/app.
#pragma once

#include "bot/http/http_types.hpp"

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace bot {
struct config;
class message_catalog;
class knowledge_base;
class worker;
class metrics;
}  // namespace bot

namespace bot::console {

class view;

/// What the console uses of the running server.
struct site_deps {
    const config& cfg;
    const message_catalog& texts;
    std::function<std::shared_ptr<const knowledge_base>()> kb;   ///< the current knowledge base
    std::function<std::optional<std::string>()> reload_kb;       ///< reloads it; the error text, or nullopt
    std::function<std::int64_t()> clock;                         ///< Unix ms
    worker& writer;                                              ///< the write worker (every write goes here)
    worker& reader;                                              ///< a worker whose connection only reads (pages)
    std::function<void()> notify_outbox;                         ///< wake the sender after queuing messages
    metrics* stats = nullptr;
};

/// The console. Thread-safe: requests arrive on the HTTP I/O threads and run their database work
/// on `reader` (pages), on `writer` (forms that change something in one short transaction), or on
/// a task thread of its own that writes through `writer` in short jobs (forms of long work: the
/// dossier import).
class site {
public:
    /// @throws std::runtime_error when the templates cannot be loaded
    site(site_deps deps, const std::string& templates_dir);
    ~site();
    site(const site&) = delete;
    site& operator=(const site&) = delete;

    /// Registers GET and POST /console and /console/* on the router.
    void mount(http_router& router);
    /// Handles one request under /console (tests call it directly).
    void handle(http_request&& req, respond_fn respond);
    /// Lets a form in steps (an import) that is running finish, and runs no more (shutdown,
    /// while the write worker still runs). Idempotent.
    void stop();

    struct impl;

private:
    std::shared_ptr<impl> impl_;
};

/// The security headers every console response carries (CSP without inline script or style,
/// no framing, no sniffing, no referrer); `secure` adds HSTS.
void add_security_headers(http_response& r, bool secure);

}  // namespace bot::console
