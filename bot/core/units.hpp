// Units as of a date: which unit a code means on a day, its name then, what it became.
#pragma once

#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace bot {

struct config;
struct unit_config;
struct level_config;

/// True when the unit exists on `date` ('YYYY-MM-DD').
[[nodiscard]] bool exists_on(const unit_config& u, std::string_view date);
/// True when the level exists on `date`.
[[nodiscard]] bool exists_on(const level_config& l, std::string_view date);

/// The unit `id` stands for on `date`: itself while it exists; after it ended, what took over
/// its open work then (its first successor, followed until one exists on `date`). nullptr for
/// an unknown id, a date before the unit existed, or a unit that ended with nobody after it.
[[nodiscard]] const unit_config* unit_on(const config& cfg, std::string_view id, std::string_view date);

/// The units that exist on `date`, in configuration order.
[[nodiscard]] std::vector<const unit_config*> units_on(const config& cfg, std::string_view date);

/// The unit's name on `date`: a former name up to and including its `until` day, else `name`.
[[nodiscard]] const std::string& unit_name_on(const unit_config& u, std::string_view date);

/// The units whose place `id` took, directly or through others (any successor link), not
/// including `id`; configuration order.
[[nodiscard]] std::vector<std::string> predecessors(const config& cfg, std::string_view id);

/// The unit above `u` (its configured parent), or nullptr.
[[nodiscard]] const unit_config* parent_of(const config& cfg, const unit_config& u);

/// "`id` (name) ended on DATE; now SUCCESSOR" style explanation of why `id` is not a unit on
/// `date`, for error messages; empty when it is one.
[[nodiscard]] std::string why_not_on(const config& cfg, std::string_view id, std::string_view date);

/// Resolves many unit ids as of one date, remembering each answer (for scans over many
/// dossiers). Not thread-safe; cheap to build.
class unit_resolver {
public:
    unit_resolver(const config& cfg, std::string date);
    /// unit_on(cfg, id, date), remembered.
    [[nodiscard]] const unit_config* on(const std::string& id);
    /// The id it resolves to, or `id` itself when it resolves to nothing.
    [[nodiscard]] const std::string& id_on(const std::string& id);
    [[nodiscard]] const std::string& date() const { return date_; }

private:
    const config& cfg_;
    std::string date_;
    std::unordered_map<std::string, const unit_config*> memo_;
};

}  // namespace bot
