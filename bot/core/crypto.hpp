// Small hashing and randomness helpers over OpenSSL, shared by the webhook, tokens and the demo.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace bot {

/// Lowercase hex of raw bytes.
[[nodiscard]] std::string to_hex(std::string_view bytes);
/// Lowercase hex SHA-256 of `data`.
[[nodiscard]] std::string sha256_hex(std::string_view data);
/// `bytes` random bytes from OpenSSL's CSPRNG, as lowercase hex. @throws std::runtime_error
[[nodiscard]] std::string random_hex(std::size_t bytes);

}  // namespace bot
