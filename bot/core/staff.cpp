// Staff roles and their scope.
#include "bot/core/staff.hpp"

#include <array>

namespace bot {

namespace {
constexpr std::array<std::string_view, 5> names = {"official", "leader", "propaganda", "admin", "viewer"};
}

std::optional<staff_role> parse_staff_role(std::string_view name) {
    for (std::size_t i = 0; i < names.size(); ++i)
        if (names[i] == name) return static_cast<staff_role>(i);
    return std::nullopt;
}

std::string_view to_string(staff_role r) { return names.at(static_cast<std::size_t>(r)); }

const std::vector<std::string_view>& staff_role_names() {
    static const std::vector<std::string_view> v(names.begin(), names.end());
    return v;
}

bool may(staff_role role, staff_action action) {
    using a = staff_action;
    switch (role) {
    case staff_role::admin:
        return true;
    case staff_role::leader:
        return action != a::send_broadcasts;
    case staff_role::official:
        return action == a::see_overview || action == a::handle_handoffs || action == a::see_dossiers ||
               action == a::import_dossiers || action == a::see_broadcasts || action == a::see_reports ||
               action == a::see_unanswered || action == a::see_staff;
    case staff_role::propaganda:
        return action == a::see_overview || action == a::see_broadcasts || action == a::send_broadcasts ||
               action == a::see_reports;
    case staff_role::viewer:
        return action == a::see_overview || action == a::see_dossiers || action == a::see_broadcasts ||
               action == a::see_reports || action == a::see_unanswered || action == a::see_staff;
    }
    return false;
}

bool handles_cases(staff_role role) {
    return role == staff_role::official || role == staff_role::leader || role == staff_role::admin;
}

staff_role role_of(const storage::official& o) { return parse_staff_role(o.role).value_or(staff_role::viewer); }

unit_scope scope_of(const storage::official& o) {
    if (o.disabled) return unit_scope::of({});
    if (role_of(o) == staff_role::admin) return unit_scope::everything();
    std::vector<std::string> units = o.units;
    if (units.empty() && !o.unit_id.empty()) units.push_back(o.unit_id);
    return unit_scope::of(std::move(units));
}

}  // namespace bot
