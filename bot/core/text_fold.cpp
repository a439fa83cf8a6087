// Text folding (utf8proc: decompose, strip marks, case-fold).
#include "bot/core/text_fold.hpp"

#include <utf8proc.h>

#include <cstdlib>

namespace bot {

std::string fold_text(std::string_view s) {
    std::string decomposed;
    utf8proc_uint8_t* out = nullptr;
    const auto opts = static_cast<utf8proc_option_t>(UTF8PROC_STABLE | UTF8PROC_DECOMPOSE | UTF8PROC_STRIPMARK |
                                                     UTF8PROC_CASEFOLD | UTF8PROC_IGNORE);
    utf8proc_ssize_t n = utf8proc_map(reinterpret_cast<const utf8proc_uint8_t*>(s.data()),
                                      static_cast<utf8proc_ssize_t>(s.size()), &out, opts);
    if (n >= 0 && out) {
        decomposed.assign(reinterpret_cast<const char*>(out), static_cast<std::size_t>(n));
    } else {
        // Invalid UTF-8: keep the ASCII letters and digits, drop the rest.
        for (char c : s)
            if (static_cast<unsigned char>(c) < 0x80) decomposed.push_back(c);
    }
    std::free(out);

    std::string r;
    r.reserve(decomposed.size());
    bool space = true;  // no leading space
    for (std::size_t i = 0; i < decomposed.size(); ++i) {
        unsigned char c = static_cast<unsigned char>(decomposed[i]);
        if (c == 0xC4 && i + 1 < decomposed.size() && static_cast<unsigned char>(decomposed[i + 1]) == 0x91) {
            r.push_back('d');  // đ (casefolded Đ) has no decomposition
            ++i;
            space = false;
        } else if (c >= 0x80) {
            r.push_back(static_cast<char>(c));
            space = false;
        } else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
            r.push_back(static_cast<char>(c));
            space = false;
        } else if (c >= 'A' && c <= 'Z') {
            r.push_back(static_cast<char>(c - 'A' + 'a'));
            space = false;
        } else if (!space) {
            r.push_back(' ');
            space = true;
        }
    }
    while (!r.empty() && r.back() == ' ') r.pop_back();
    return r;
}

}  // namespace bot
