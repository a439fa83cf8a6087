// The message catalogue.
#include "bot/core/messages.hpp"

#include <kainjow/mustache.hpp>
#include <toml++/toml.h>

#include <algorithm>
#include <filesystem>
#include <stdexcept>
#include <unordered_map>
#include <vector>

namespace bot {

namespace {
void validate(const std::string& where, const std::string& text) {
    kainjow::mustache::mustache m(text);
    if (!m.is_valid()) throw std::runtime_error(where + ": invalid template: " + m.error_message());
}
}  // namespace

message_catalog message_catalog::load(const std::string& dir) {
    message_catalog c;
    std::vector<std::filesystem::path> files;
    if (!std::filesystem::is_directory(dir)) throw std::runtime_error("messages: folder not found: " + dir);
    for (const auto& e : std::filesystem::directory_iterator(dir))
        if (e.is_regular_file() && e.path().extension() == ".toml") files.push_back(e.path());
    std::sort(files.begin(), files.end());
    for (const auto& f : files) {
        toml::table t;
        try {
            t = toml::parse_file(f.string());
        } catch (const toml::parse_error& e) {
            throw std::runtime_error(f.string() + ":" + std::to_string(e.source().begin.line) + ": " + std::string(e.description()));
        }
        for (auto&& [k, v] : t) {
            std::string key(k.str());
            std::string where = f.string() + ":" + std::to_string(v.source().begin.line) + ": " + key;
            auto s = v.value<std::string>();
            if (!s || !v.is_string()) throw std::runtime_error(where + ": must be a string");
            if (c.texts_.count(key)) throw std::runtime_error(where + ": key defined twice");
            validate(where, *s);
            c.texts_.emplace(key, *s);
        }
    }
    return c;
}

message_catalog message_catalog::from(std::map<std::string, std::string> texts) {
    message_catalog c;
    for (auto& [k, v] : texts) {
        validate(k, v);
        c.texts_.emplace(k, std::move(v));
    }
    return c;
}

std::string message_catalog::render(std::string_view key, const std::map<std::string, std::string>& vars) const {
    auto it = texts_.find(key);
    if (it == texts_.end()) throw std::out_of_range("message not found: " + std::string(key));
    // A template is parsed once per thread and kept by its text (a reloaded catalog with other
    // texts gets its own entries): parsing took longer than rendering, on every reply. A parsed
    // template renders again and again, but not from two threads at once.
    thread_local std::unordered_map<std::string, kainjow::mustache::mustache> parsed;
    auto found = parsed.find(it->second);
    if (found == parsed.end()) {
        if (parsed.size() >= 4096) parsed.clear();
        found = parsed.emplace(it->second, kainjow::mustache::mustache(it->second)).first;
        found->second.set_custom_escape([](const std::string& s) { return s; });
    }
    auto& m = found->second;
    kainjow::mustache::data d;
    for (const auto& [k, v] : defaults_) d.set(k, v);
    for (const auto& [k, v] : vars) d.set(k, v);
    return m.render(d);
}

bool message_catalog::has(std::string_view key) const { return texts_.find(key) != texts_.end(); }

void message_catalog::require(std::initializer_list<std::string_view> keys) const {
    std::string missing;
    for (auto k : keys)
        if (!has(k)) missing += (missing.empty() ? "" : ", ") + std::string(k);
    if (!missing.empty()) throw std::runtime_error("messages: missing texts: " + missing);
}

}  // namespace bot
