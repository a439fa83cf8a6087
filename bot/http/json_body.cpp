// Strict JSON request bodies (see the header).
#include "bot/http/json_body.hpp"

#include "bot/core/config.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include <stdexcept>

namespace bot {

json_body::json_body(std::shared_ptr<const boost::json::value> root, const boost::json::object* obj, std::string path)
    : root_(std::move(root)), obj_(obj), path_(std::move(path)) {}

json_body json_body::parse(std::string_view text) {
    boost::system::error_code ec;
    auto v = std::make_shared<boost::json::value>(boost::json::parse(text, ec));
    if (ec) throw std::invalid_argument("the body is not valid JSON (" + ec.message() + ")");
    if (!v->is_object()) throw std::invalid_argument("the body must be a JSON object");
    const auto* obj = &v->as_object();
    return json_body(std::move(v), obj, "");
}

std::string json_body::path_of(std::string_view key) const {
    return path_.empty() ? std::string(key) : path_ + "." + std::string(key);
}

bool json_body::has(std::string_view key) const {
    const auto* v = obj_->if_contains(key);
    return v && !v->is_null();
}

const boost::json::value* json_body::get(std::string_view key) {
    known_.emplace(key);
    const auto* v = obj_->if_contains(key);
    return v && !v->is_null() ? v : nullptr;
}

void json_body::wrong_type(std::string_view key, const char* expected) const {
    throw std::invalid_argument("\"" + path_of(key) + "\" must be " + expected);
}

std::optional<std::string> json_body::string(std::string_view key) {
    const auto* v = get(key);
    if (!v) return std::nullopt;
    if (!v->is_string()) wrong_type(key, "a string");
    return std::string(v->as_string());
}

std::string json_body::required_string(std::string_view key) {
    auto s = string(key);
    if (!s || s->find_first_not_of(" \t\r\n") == std::string::npos)
        throw std::invalid_argument("\"" + path_of(key) + "\" is required");
    return *s;
}

std::optional<bool> json_body::boolean(std::string_view key) {
    const auto* v = get(key);
    if (!v) return std::nullopt;
    if (!v->is_bool()) wrong_type(key, "true or false");
    return v->as_bool();
}

std::optional<std::int64_t> json_body::integer(std::string_view key, std::int64_t min, std::int64_t max) {
    const auto* v = get(key);
    if (!v) return std::nullopt;
    std::int64_t n = 0;
    if (v->is_int64())
        n = v->as_int64();
    else if (v->is_uint64() && v->as_uint64() <= static_cast<std::uint64_t>(INT64_MAX))
        n = static_cast<std::int64_t>(v->as_uint64());
    else
        wrong_type(key, "a whole number");
    if (n < min || n > max)
        throw std::invalid_argument("\"" + path_of(key) + "\" must be between " + std::to_string(min) + " and " +
                                    std::to_string(max));
    return n;
}

std::optional<std::vector<std::string>> json_body::strings(std::string_view key, bool allow_single) {
    const auto* v = get(key);
    if (!v) return std::nullopt;
    std::vector<std::string> out;
    if (allow_single && v->is_string()) {
        out.emplace_back(v->as_string());
        return out;
    }
    if (!v->is_array()) wrong_type(key, "a list of strings");
    for (const auto& e : v->as_array()) {
        if (!e.is_string()) wrong_type(key, "a list of strings");
        out.emplace_back(e.as_string());
    }
    return out;
}

std::optional<json_body> json_body::object(std::string_view key) {
    const auto* v = get(key);
    if (!v) return std::nullopt;
    if (!v->is_object()) wrong_type(key, "an object");
    return json_body(root_, &v->as_object(), path_of(key));
}

std::optional<std::vector<json_body::item>> json_body::items(std::string_view key) {
    const auto* v = get(key);
    if (!v) return std::nullopt;
    if (!v->is_array()) wrong_type(key, "a list");
    std::vector<item> out;
    std::size_t i = 0;
    for (const auto& e : v->as_array()) {
        const std::string at = path_of(key) + "[" + std::to_string(i++) + "]";
        if (e.is_string())
            out.emplace_back(std::string(e.as_string()));
        else if (e.is_object())
            out.emplace_back(json_body(root_, &e.as_object(), at));
        else
            throw std::invalid_argument("\"" + at + "\" must be a string or an object");
    }
    return out;
}

void json_body::finish() const {
    std::string unknown;
    for (const auto& kv : *obj_)
        if (!known_.count(kv.key())) unknown += (unknown.empty() ? "\"" : ", \"") + path_of(kv.key()) + "\"";
    if (unknown.empty()) return;
    std::string list;
    for (const auto& k : known_) list += (list.empty() ? "" : ", ") + k;
    throw std::invalid_argument("unknown key " + unknown + (list.empty() ? std::string{} : " (known: " + list + ")"));
}

void require_known_unit(const config& cfg, std::string_view field, const std::string& id) {
    if (cfg.find_unit(id)) return;
    std::string known;
    for (const auto& u : cfg.units) known += (known.empty() ? "" : ", ") + u.id;
    throw std::invalid_argument("\"" + std::string(field) + "\": unknown unit \"" + id + "\" (known: " + known + ")");
}

}  // namespace bot
