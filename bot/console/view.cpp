// Rendering the console's templates (kainjow mustache) from JSON models.
#include "bot/console/view.hpp"

#include "bot/core/crypto.hpp"

#include <boost/json.hpp>
#include <kainjow/mustache.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace bot::console {

namespace fs = std::filesystem;
namespace mu = kainjow::mustache;

namespace {

std::string read_all(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    if (!in) throw std::runtime_error("cannot read " + p.string());
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

std::string content_type_of(const fs::path& p) {
    const auto ext = p.extension().string();
    if (ext == ".css") return "text/css; charset=utf-8";
    if (ext == ".js") return "text/javascript; charset=utf-8";
    if (ext == ".svg") return "image/svg+xml";
    if (ext == ".png") return "image/png";
    if (ext == ".ico") return "image/x-icon";
    if (ext == ".txt") return "text/plain; charset=utf-8";
    return "application/octet-stream";
}

mu::data to_data(const boost::json::value& v) {
    switch (v.kind()) {
    case boost::json::kind::object: {
        mu::data d{mu::data::type::object};
        for (const auto& [k, x] : v.as_object()) d.set(std::string(k), to_data(x));
        return d;
    }
    case boost::json::kind::array: {
        mu::data d{mu::data::type::list};
        for (const auto& x : v.as_array()) d.push_back(to_data(x));
        return d;
    }
    // An empty text is false, as in mustache.js: {{#x}}...{{/x}} shows nothing for it.
    case boost::json::kind::string:
        if (v.as_string().empty()) return mu::data{false};
        return mu::data{std::string(v.as_string())};
    case boost::json::kind::bool_: return mu::data{v.as_bool()};
    case boost::json::kind::int64: return mu::data{std::to_string(v.as_int64())};
    case boost::json::kind::uint64: return mu::data{std::to_string(v.as_uint64())};
    case boost::json::kind::double_: {
        std::ostringstream os;
        os << v.as_double();
        return mu::data{os.str()};
    }
    case boost::json::kind::null: break;
    }
    return mu::data{false};
}

}  // namespace

view view::load(const std::string& dir) {
    view v;
    const fs::path root(dir);
    if (!fs::is_directory(root)) throw std::runtime_error("console templates: no folder " + dir);
    auto add_templates = [&](const fs::path& folder, const std::string& prefix) {
        if (!fs::is_directory(folder)) return;
        for (const auto& e : fs::directory_iterator(folder)) {
            if (!e.is_regular_file() || e.path().extension() != ".mustache") continue;
            std::string text = read_all(e.path());
            mu::mustache check(text);
            if (!check.is_valid()) throw std::runtime_error(e.path().string() + ": " + check.error_message());
            v.templates_[prefix + e.path().stem().string()] = std::move(text);
        }
    };
    add_templates(root, "");
    add_templates(root / "partials", "partials/");
    if (!v.templates_.count("layout")) throw std::runtime_error("console templates: " + dir + "/layout.mustache is missing");
    std::string all;
    if (fs::is_directory(root / "static")) {
        for (const auto& e : fs::directory_iterator(root / "static")) {
            if (!e.is_regular_file()) continue;
            asset a;
            a.body = read_all(e.path());
            a.content_type = content_type_of(e.path());
            const std::string h = sha256_hex(a.body);
            a.etag = "\"" + h.substr(0, 16) + "\"";
            all += h;
            v.static_[e.path().filename().string()] = std::move(a);
        }
    }
    v.version_ = sha256_hex(all).substr(0, 10);
    return v;
}

std::string view::fragment(const std::string& name, const boost::json::object& model) const {
    const std::string& text = templates_.at(name);
    mu::mustache m(text);
    mu::data d = to_data(model);
    // Each file of partials/ is available as {{> name}}, rendered in the caller's context.
    for (const auto& [n, t] : templates_)
        if (n.rfind("partials/", 0) == 0) d.set(n.substr(9), mu::partial([&t] { return t; }));
    return m.render(d);
}

std::string view::page(const std::string& name, const boost::json::object& model) const {
    boost::json::object with_body = model;
    with_body["body"] = fragment(name, model);
    with_body["asset_version"] = version_;
    return fragment("layout", with_body);
}

const asset* view::static_file(const std::string& name) const {
    auto it = static_.find(name);
    return it == static_.end() ? nullptr : &it->second;
}

}  // namespace bot::console
