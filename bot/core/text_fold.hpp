// Folding text for comparison: case, diacritics, punctuation and spacing ignored.
#pragma once

#include <string>
#include <string_view>

namespace bot {

/// Lower-case, diacritics removed (đ → d), punctuation as spaces, spaces squeezed and trimmed:
/// "Huỷ nhận tin!" and "huy  nhan tin" both give "huy nhan tin". Invalid UTF-8 never throws.
[[nodiscard]] std::string fold_text(std::string_view s);

}  // namespace bot
