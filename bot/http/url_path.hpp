// Paths and form/query strings taken apart, for the admin API's and the console's routers.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace bot {

/// "/api/v1/officials/x" → {"api", "v1", "officials", "x"}; empty segments are dropped.
[[nodiscard]] std::vector<std::string> split_path(const std::string& path);

/// Whether `segments` fit `pattern` (a ":name" segment matches any one); the values the ":name"
/// segments matched, in order, go to `params` (left alone when they do not fit).
[[nodiscard]] bool match_path(const std::vector<std::string>& pattern, const std::vector<std::string>& segments,
                              std::vector<std::string>& params);

/// Calls fn(name, value) for each `name=value` (or bare `name`) of an
/// application/x-www-form-urlencoded string, both decoded, in order.
void for_each_form_pair(std::string_view q, const std::function<void(std::string, std::string)>& fn);

}  // namespace bot
