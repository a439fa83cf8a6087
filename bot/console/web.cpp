// Forms, cookies and escaping for the console.
#include "bot/console/web.hpp"

#include "bot/http/url_path.hpp"

#include <openssl/crypto.h>

#include <cctype>

namespace bot::console {

namespace {

std::string lower(std::string s) {
    for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

std::string header(const http_request& req, const char* name) {
    auto it = req.headers.find(name);
    return it == req.headers.end() ? std::string{} : it->second;
}

// The value of `param` in a header like `multipart/form-data; boundary=xyz` or
// `form-data; name="a"; filename="b.csv"`.
std::string header_param(std::string_view h, std::string_view param) {
    std::size_t i = 0;
    while (i < h.size()) {
        auto semi = h.find(';', i);
        if (semi == std::string_view::npos) return {};
        i = semi + 1;
        while (i < h.size() && (h[i] == ' ' || h[i] == '\t')) ++i;
        auto eq = h.find('=', i);
        if (eq == std::string_view::npos) return {};
        std::string key = lower(std::string(h.substr(i, eq - i)));
        while (!key.empty() && key.back() == ' ') key.pop_back();
        std::size_t v = eq + 1;
        std::string value;
        if (v < h.size() && h[v] == '"') {
            ++v;
            while (v < h.size() && h[v] != '"') {
                if (h[v] == '\\' && v + 1 < h.size()) ++v;
                value.push_back(h[v++]);
            }
            i = v + 1;
        } else {
            auto end = h.find(';', v);
            value = std::string(h.substr(v, end == std::string_view::npos ? std::string_view::npos : end - v));
            while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.pop_back();
            i = end == std::string_view::npos ? h.size() : end;
        }
        if (key == param) return value;
    }
    return {};
}

void add_field(form_data& f, std::string name, std::string value) {
    f.all.emplace(name, value);
    f.fields[std::move(name)] = std::move(value);
}

std::optional<form_data> parse_multipart(std::string_view body, const std::string& boundary) {
    if (boundary.empty() || boundary.size() > 200) return std::nullopt;
    form_data f;
    const std::string delim = "--" + boundary;
    std::size_t pos = body.find(delim);
    if (pos == std::string_view::npos) return std::nullopt;
    while (true) {
        pos += delim.size();
        if (body.substr(pos, 2) == "--") return f;  // the closing delimiter
        if (body.substr(pos, 2) != "\r\n") return std::nullopt;
        pos += 2;
        const auto head_end = body.find("\r\n\r\n", pos);
        if (head_end == std::string_view::npos) return std::nullopt;
        std::string_view head = body.substr(pos, head_end - pos);
        const auto next = body.find("\r\n" + delim, head_end + 4);
        if (next == std::string_view::npos) return std::nullopt;
        std::string_view content = body.substr(head_end + 4, next - head_end - 4);
        std::string disposition;
        std::size_t h = 0;
        while (h < head.size()) {
            auto eol = head.find("\r\n", h);
            std::string_view line = head.substr(h, eol == std::string_view::npos ? std::string_view::npos : eol - h);
            auto colon = line.find(':');
            if (colon != std::string_view::npos && lower(std::string(line.substr(0, colon))) == "content-disposition")
                disposition = std::string(line.substr(colon + 1));
            if (eol == std::string_view::npos) break;
            h = eol + 2;
        }
        std::string name = header_param(disposition, "name");
        if (name.empty()) return std::nullopt;
        if (disposition.find("filename") != std::string::npos) {
            f.files[name] = uploaded_file{name, header_param(disposition, "filename"), std::string(content)};
        } else {
            add_field(f, std::move(name), std::string(content));
        }
        pos = next + 2;
    }
}

}  // namespace

std::string form_data::get(const std::string& name) const {
    auto it = fields.find(name);
    return it == fields.end() ? std::string{} : it->second;
}

std::optional<form_data> parse_form(const http_request& req) {
    const std::string ct = header(req, "Content-Type");
    const std::string type = lower(ct.substr(0, ct.find(';')));
    if (type == "application/x-www-form-urlencoded" || (type.empty() && req.body.empty())) {
        form_data f;
        for_each_form_pair(req.body, [&](std::string k, std::string v) { add_field(f, std::move(k), std::move(v)); });
        return f;
    }
    if (type == "multipart/form-data") return parse_multipart(req.body, header_param(ct, "boundary"));
    return std::nullopt;
}

std::string cookie(const http_request& req, std::string_view name) {
    const std::string h = header(req, "Cookie");
    std::string_view s = h;
    while (!s.empty()) {
        auto semi = s.find(';');
        auto part = s.substr(0, semi);
        while (!part.empty() && part.front() == ' ') part.remove_prefix(1);
        auto eq = part.find('=');
        if (eq != std::string_view::npos && part.substr(0, eq) == name) return std::string(part.substr(eq + 1));
        if (semi == std::string_view::npos) break;
        s.remove_prefix(semi + 1);
    }
    return {};
}

std::string escape_html(std::string_view s) {
    std::string out;
    out.reserve(s.size() + 16);
    for (char c : s) {
        switch (c) {
        case '&': out += "&amp;"; break;
        case '<': out += "&lt;"; break;
        case '>': out += "&gt;"; break;
        case '"': out += "&quot;"; break;
        case '\'': out += "&#39;"; break;
        default: out.push_back(c);
        }
    }
    return out;
}

bool same_secret(std::string_view a, std::string_view b) {
    if (a.size() != b.size() || a.empty()) return false;
    return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace bot::console
