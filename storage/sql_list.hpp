// A list bound as one SQL parameter: a JSON array of strings, read back with json_each().
#pragma once

#include <string>
#include <vector>

namespace storage {

/// A JSON array of strings, bound as one parameter and read back with json_each(): lets a single
/// prepared statement take a list of any length without building SQL from data.
[[nodiscard]] std::string json_array(const std::vector<std::string>& items);

}  // namespace storage
