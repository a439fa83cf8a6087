// Strict JSON request bodies: every key known, every type right, errors that name the key's path.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace boost::json {
class value;
class object;
}  // namespace boost::json

namespace bot {

struct config;

/// Reads one JSON object of a request body, strictly. Each getter names a key it knows (and
/// checks its type); finish() refuses every key nobody asked for. Errors are
/// std::invalid_argument (the admin API answers 400) naming the key by its path: "target",
/// "buttons[1].title". null counts as absent.
///
///     auto b = json_body::parse(req.http.body);
///     auto text = b.required_string("text");
///     auto units = b.strings("units").value_or({});
///     b.finish();  // {"text": "...", "target": {...}} → 400: unknown key "target"
class json_body {
public:
    /// Parses `text` as one JSON object. @throws std::invalid_argument
    [[nodiscard]] static json_body parse(std::string_view text);

    /// The string at `key`. @throws std::invalid_argument when present but not a string
    [[nodiscard]] std::optional<std::string> string(std::string_view key);
    /// Same, and present and not empty. @throws std::invalid_argument
    [[nodiscard]] std::string required_string(std::string_view key);
    /// The boolean at `key`. @throws std::invalid_argument
    [[nodiscard]] std::optional<bool> boolean(std::string_view key);
    /// The whole number at `key`, within [min, max]. @throws std::invalid_argument
    [[nodiscard]] std::optional<std::int64_t> integer(std::string_view key, std::int64_t min, std::int64_t max);
    /// A list of strings at `key`; with `allow_single`, one string is a list of one.
    /// @throws std::invalid_argument
    [[nodiscard]] std::optional<std::vector<std::string>> strings(std::string_view key, bool allow_single = false);
    /// The object at `key`, read as strictly (finish it too). @throws std::invalid_argument
    [[nodiscard]] std::optional<json_body> object(std::string_view key);
    /// A list whose items are strings or objects (e.g. buttons as "Title|url" or {"title", "url"}).
    using item = std::variant<std::string, json_body>;
    [[nodiscard]] std::optional<std::vector<item>> items(std::string_view key);

    /// True when `key` is present (not null). Does not mark it known.
    [[nodiscard]] bool has(std::string_view key) const;
    /// The path of `key` in the body, for messages: "target.units".
    [[nodiscard]] std::string path_of(std::string_view key) const;
    /// The path of this object ("" for the body itself).
    [[nodiscard]] const std::string& path() const { return path_; }
    /// Refuses the keys no getter asked for, naming them and the known ones.
    /// @throws std::invalid_argument
    void finish() const;

private:
    json_body(std::shared_ptr<const boost::json::value> root, const boost::json::object* obj, std::string path);
    [[nodiscard]] const boost::json::value* get(std::string_view key);
    [[noreturn]] void wrong_type(std::string_view key, const char* expected) const;

    std::shared_ptr<const boost::json::value> root_;  ///< keeps the parsed document alive
    const boost::json::object* obj_ = nullptr;
    std::string path_;
    std::set<std::string, std::less<>> known_;
};

/// @throws std::invalid_argument `<field>: unknown unit "x" (known: ...)` unless `id` is configured.
void require_known_unit(const config& cfg, std::string_view field, const std::string& id);

}  // namespace bot
