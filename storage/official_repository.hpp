// Officials: registration, Zalo linking, on-duty lookups.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace SQLite {
class Database;
}

namespace storage {

/// One official as stored.
struct official {
    std::string official_id;
    std::string name;
    std::string unit_id;
    std::string role;          ///< official | leader | propaganda | admin | viewer (bot/core/staff.hpp)
    std::string phone;
    std::string zalo_user_id;  ///< empty until linked with `DK <code>`
    bool reminders_enabled = true;
    bool on_duty = true;
    bool disabled = false;
    /// Every unit served, the home unit (`unit_id`) first; filled by the reads below. When
    /// registering, extra units served besides `unit_id` (which is always added).
    std::vector<std::string> units;
    std::string oa{};  ///< the Official Account the Zalo account is linked on ('' = the default OA)
};

/// The enabled official linked to this Zalo user, if any. @throws SQLite::Exception
[[nodiscard]] std::optional<official> find_official_by_zalo(SQLite::Database& db, const std::string& zalo_user_id);
/// Enabled officials serving a unit (home unit or one of their units; all roles), linked or not. @throws SQLite::Exception
[[nodiscard]] std::vector<official> officials_of_unit(SQLite::Database& db, const std::string& unit_id);

/// Registers an official (not linked, reminders on) with the units they serve (`unit_id` and
/// `units`). False when the id already exists. @throws SQLite::Exception
bool add_official(SQLite::Database& db, const official& o, std::int64_t now_ms);
/// The official with this id, enabled or not. @throws SQLite::Exception
[[nodiscard]] std::optional<official> find_official(SQLite::Database& db, const std::string& official_id);
/// Every official (disabled ones too when `include_disabled`), by id. @throws SQLite::Exception
[[nodiscard]] std::vector<official> list_officials(SQLite::Database& db, bool include_disabled = true);
/// Stores a link code's hash, selector (its first characters, which wrong guesses aimed at it
/// are counted by) and expiry, replacing any earlier code and its lock. False when no enabled
/// official has this id. @throws SQLite::Exception
bool set_link_code(SQLite::Database& db, const std::string& official_id, const std::string& code_hash,
                   std::int64_t expires_at_ms, const std::string& selector = {});

/// Result of redeeming a link code.
enum class link_status { linked, unknown_code, expired, locked };
/// Redeems a link code: links `zalo_user_id` to its official and clears the code (one-time).
/// A code locked after wrong guesses (storage::count_wrong_guess) links nobody: `locked`.
/// A Zalo account linked to another official is moved to this one. `oa` is the Official Account
/// the code was sent to ([[oa]] id): reminders reach the official through it. @throws SQLite::Exception
[[nodiscard]] link_status redeem_link_code(SQLite::Database& db, const std::string& code_hash,
                                           const std::string& zalo_user_id, std::int64_t now_ms,
                                           official* linked = nullptr, const std::string& oa = {});
/// Disables an official (no reminders, no commands, no hand-offs). False when unknown.
/// @throws SQLite::Exception
bool disable_official(SQLite::Database& db, const std::string& official_id);
/// Replaces the units an official serves (the home unit `unit_id` stays among them).
/// False when unknown. @throws SQLite::Exception
bool set_official_units(SQLite::Database& db, const std::string& official_id, const std::vector<std::string>& units);
/// Turns an official's reminders on or off. False when unknown. @throws SQLite::Exception
bool set_reminders_enabled(SQLite::Database& db, const std::string& official_id, bool enabled);

}  // namespace storage
