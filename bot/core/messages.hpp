// The message catalogue: every text a citizen or official reads, from templates/messages/*.toml.
#pragma once

#include <initializer_list>
#include <map>
#include <string>
#include <string_view>

namespace bot {

/// Named Vietnamese texts with {{placeholders}} (mustache), loaded once and validated.
class message_catalog {
public:
    /// Loads every *.toml in `dir` (key = "text"). Duplicate keys and invalid templates fail.
    /// @throws std::runtime_error naming the file and key.
    [[nodiscard]] static message_catalog load(const std::string& dir);
    /// From in-memory texts (tests). @throws std::runtime_error for an invalid template.
    [[nodiscard]] static message_catalog from(std::map<std::string, std::string> texts);

    /// Renders a text with variables; unknown variables render empty. Plain text: no HTML escaping.
    /// @throws std::out_of_range when the key does not exist.
    [[nodiscard]] std::string render(std::string_view key, const std::map<std::string, std::string>& vars = {}) const;
    /// True when the key exists.
    [[nodiscard]] bool has(std::string_view key) const;
    /// Checks that every key exists. @throws std::runtime_error listing the missing ones.
    void require(std::initializer_list<std::string_view> keys) const;
    /// All keys (for `kb check`).
    [[nodiscard]] const std::map<std::string, std::string, std::less<>>& texts() const { return texts_; }

    /// Values for the variables a caller does not pass: the locality's words ({{desk}},
    /// {{unit_word}}, ...; bot/core/wording.hpp). A caller's own variable wins.
    void set_defaults(std::map<std::string, std::string> defaults) { defaults_ = std::move(defaults); }
    /// The defaults set above.
    [[nodiscard]] const std::map<std::string, std::string>& defaults() const { return defaults_; }

private:
    std::map<std::string, std::string, std::less<>> texts_;
    std::map<std::string, std::string> defaults_;
};

}  // namespace bot
