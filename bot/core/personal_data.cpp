// mask_personal_numbers: one pass over the text, masking long digit runs.
#include "bot/core/personal_data.hpp"

#include <vector>

namespace bot {

namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_separator(char c) { return c == ' ' || c == '.' || c == '-'; }

// 2024-05-12, 12-05-2024, 12.05.2024, 1.5.2024: three groups, one of them a four-digit year at
// either end, the others one or two digits, one separator kind throughout.
bool looks_like_date(const std::vector<std::size_t>& groups, const std::string& seps) {
    if (groups.size() != 3 || seps.size() != 2 || seps[0] != seps[1] || seps[0] == ' ') return false;
    auto small = [](std::size_t n) { return n == 1 || n == 2; };
    return (groups[0] == 4 && small(groups[1]) && small(groups[2])) ||
           (small(groups[0]) && small(groups[1]) && groups[2] == 4);
}

}  // namespace

std::string mask_personal_numbers(std::string_view text) {
    std::string out(text);
    std::size_t i = 0;
    while (i < out.size()) {
        if (!is_digit(out[i])) {
            ++i;
            continue;
        }
        // A run: digit groups joined by one separator each.
        const std::size_t start = i;
        std::vector<std::size_t> groups;
        std::string seps;
        std::size_t end = i;
        while (true) {
            std::size_t g = end;
            while (g < out.size() && is_digit(out[g])) ++g;
            groups.push_back(g - end);
            end = g;
            if (end + 1 < out.size() && is_separator(out[end]) && is_digit(out[end + 1])) {
                seps += out[end];
                ++end;
                continue;
            }
            break;
        }
        std::size_t digits = 0;
        for (auto n : groups) digits += n;
        if (digits >= personal_number_min_digits && !looks_like_date(groups, seps)) {
            std::size_t keep = 2;
            for (std::size_t k = end; k > start; --k) {
                char& c = out[k - 1];
                if (!is_digit(c)) continue;
                if (keep > 0) {
                    --keep;
                    continue;
                }
                c = '*';
            }
        }
        i = end;
    }
    return out;
}

}  // namespace bot
