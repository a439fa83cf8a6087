// Small HTTP pieces the console needs: forms (urlencoded and multipart), cookies, HTML escaping.
#pragma once

#include "bot/http/http_types.hpp"

#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace bot::console {

/// One uploaded file of a multipart form.
struct uploaded_file {
    std::string field;      ///< the input's name
    std::string file_name;  ///< as the browser sent it (never trusted as a path)
    std::string content;
};

/// A submitted form: its fields (the last value wins) and its files.
struct form_data {
    std::map<std::string, std::string> fields;
    std::multimap<std::string, std::string> all;  ///< every value, for repeated fields (checkboxes)
    std::map<std::string, uploaded_file> files;
    /// The field's value, or "".
    [[nodiscard]] std::string get(const std::string& name) const;
};

/// Parses an application/x-www-form-urlencoded or multipart/form-data body (by Content-Type);
/// nullopt when it is malformed or of another type.
[[nodiscard]] std::optional<form_data> parse_form(const http_request& req);

/// The value of a cookie sent with the request, or "".
[[nodiscard]] std::string cookie(const http_request& req, std::string_view name);

/// Text with & < > " ' escaped for HTML text and attribute values.
[[nodiscard]] std::string escape_html(std::string_view s);

/// Constant-time comparison of two secrets of any length.
[[nodiscard]] bool same_secret(std::string_view a, std::string_view b);

}  // namespace bot::console
