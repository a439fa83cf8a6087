// Paths and form/query strings taken apart.
#include "bot/http/url_path.hpp"

#include "bot/http/http_types.hpp"

namespace bot {

std::vector<std::string> split_path(const std::string& path) {
    std::vector<std::string> out;
    std::size_t i = 0;
    while (i < path.size()) {
        while (i < path.size() && path[i] == '/') ++i;
        auto j = path.find('/', i);
        if (j == std::string::npos) j = path.size();
        if (j > i) out.push_back(path.substr(i, j - i));
        i = j;
    }
    return out;
}

bool match_path(const std::vector<std::string>& pattern, const std::vector<std::string>& segments,
                std::vector<std::string>& params) {
    if (pattern.size() != segments.size()) return false;
    std::vector<std::string> p;
    for (std::size_t i = 0; i < segments.size(); ++i) {
        if (!pattern[i].empty() && pattern[i][0] == ':')
            p.push_back(segments[i]);
        else if (pattern[i] != segments[i])
            return false;
    }
    params = std::move(p);
    return true;
}

void for_each_form_pair(std::string_view q, const std::function<void(std::string, std::string)>& fn) {
    while (!q.empty()) {
        auto amp = q.find('&');
        auto part = q.substr(0, amp);
        if (!part.empty()) {
            auto eq = part.find('=');
            if (eq == std::string_view::npos)
                fn(url_decode(part), "");
            else
                fn(url_decode(part.substr(0, eq)), url_decode(part.substr(eq + 1)));
        }
        if (amp == std::string_view::npos) break;
        q.remove_prefix(amp + 1);
    }
}

}  // namespace bot
