// The console's pages as data: mustache templates and static files from templates/console/,
// loaded once at start and validated; rendering is a pure function of a JSON model.
#pragma once

#include <map>
#include <string>

namespace boost::json {
class object;
}

namespace bot::console {

/// A static file served under /console/static/.
struct asset {
    std::string content_type;
    std::string body;
    std::string etag;  ///< quoted SHA-256 prefix of the body
};

/// The templates (pages, partials, the layout) and static files.
class view {
public:
    /// Loads `dir`/*.mustache (pages), `dir`/partials/*.mustache and `dir`/static/*. A template that
    /// does not parse, or a missing layout, fails. @throws std::runtime_error naming the file.
    [[nodiscard]] static view load(const std::string& dir);

    /// Renders page `name` (without .mustache) with `model`, then the layout around it (the page's
    /// HTML as {{{body}}}). Values are HTML-escaped unless a template uses {{{...}}}.
    /// @throws std::out_of_range for an unknown page
    [[nodiscard]] std::string page(const std::string& name, const boost::json::object& model) const;
    /// Renders one template alone: a page without the layout, or "partials/<name>" (a fragment the
    /// inbox fetches). @throws std::out_of_range
    [[nodiscard]] std::string fragment(const std::string& name, const boost::json::object& model) const;
    /// The static file with this name, or nullptr.
    [[nodiscard]] const asset* static_file(const std::string& name) const;
    /// A short hash over the static files, appended to their URLs so browsers refetch after an upgrade.
    [[nodiscard]] const std::string& asset_version() const { return version_; }

private:
    std::map<std::string, std::string> templates_;  ///< pages and "partials/..." by name
    std::map<std::string, asset> static_;
    std::string version_;
};

}  // namespace bot::console
