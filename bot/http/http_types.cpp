// Plain HTTP helpers and the path router.
#include "bot/http/http_types.hpp"

#include "bot/http/url_path.hpp"

#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include <algorithm>
#include <cctype>
#include <strings.h>

namespace bot {

bool ci_less::operator()(const std::string& a, const std::string& b) const {
    return ::strcasecmp(a.c_str(), b.c_str()) < 0;
}

http_response json_error(int status, std::string_view error, std::string_view detail) {
    boost::json::object o;
    o["error"] = error;
    o["detail"] = detail;
    return {status, "application/json", boost::json::serialize(o), {}};
}

http_response json_response(std::string body, int status) {
    return {status, "application/json", std::move(body), {}};
}

std::string url_decode(std::string_view s, bool form) {
    std::string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size(); ++i) {
        char c = s[i];
        if (c == '%' && i + 2 < s.size() && std::isxdigit(static_cast<unsigned char>(s[i + 1])) &&
            std::isxdigit(static_cast<unsigned char>(s[i + 2]))) {
            out.push_back(static_cast<char>(std::stoi(std::string(s.substr(i + 1, 2)), nullptr, 16)));
            i += 2;
        } else if (c == '+' && form) {
            out.push_back(' ');
        } else {
            out.push_back(c);
        }
    }
    return out;
}

std::map<std::string, std::string> parse_query(std::string_view q) {
    std::map<std::string, std::string> out;
    for_each_form_pair(q, [&](std::string k, std::string v) { out[std::move(k)] = std::move(v); });
    return out;
}

void http_router::add(std::string method, std::string pattern, http_handler h) {
    bool prefix = !pattern.empty() && pattern.back() == '*';
    if (prefix) pattern.pop_back();
    routes_.push_back({std::move(method), std::move(pattern), prefix, std::move(h)});
}

const http_handler* http_router::find(const std::string& method, const std::string& path, bool& path_known) const {
    path_known = false;
    const route* best = nullptr;
    for (const auto& r : routes_) {
        bool match = r.prefix ? path.rfind(r.pattern, 0) == 0 : path == r.pattern;
        if (!match) continue;
        path_known = true;
        if (r.method != method) continue;
        // Exact routes win over prefixes; longer prefixes over shorter.
        if (!best || (!r.prefix && best->prefix) || (r.prefix && best->prefix && r.pattern.size() > best->pattern.size()))
            best = &r;
    }
    return best ? &best->handler : nullptr;
}

void http_router::guard(std::string prefix, header_guard g) { guards_.emplace_back(std::move(prefix), std::move(g)); }

const header_guard* http_router::find_guard(const std::string& path) const {
    const std::pair<std::string, header_guard>* best = nullptr;
    for (const auto& g : guards_)
        if (path.rfind(g.first, 0) == 0 && (!best || g.first.size() > best->first.size())) best = &g;
    return best ? &best->second : nullptr;
}

}  // namespace bot
