// Masking citizens' phone numbers, ID numbers and similar digit runs in text shown to people who
// do not handle that citizen's case (viewers, knowledge-base editors, reports).
#pragma once

#include <string>
#include <string_view>

namespace bot {

/// Digits a run must have to be masked: 8 catches every Vietnamese phone number (10 digits, 11
/// with +84 or a landline's area code), the old ID card (CMND, 9), the citizen ID (CCCD, 12), tax
/// codes and bank accounts, and leaves years, times, small amounts and house numbers alone.
inline constexpr std::size_t personal_number_min_digits = 8;

/// Masks every run of at least personal_number_min_digits digits — digit groups joined by
/// single spaces, dots or dashes count as one run ("0912 345 678", "0912.345.678", "+84 912…") —
/// keeping its last two digits and its separators: "0912345678" → "********78". Dates
/// ("2024-05-12", "12.05.2024") are left as they are. Other text, UTF-8 included, is unchanged.
[[nodiscard]] std::string mask_personal_numbers(std::string_view text);

}  // namespace bot
