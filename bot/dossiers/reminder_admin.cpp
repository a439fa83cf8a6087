// Officials and dossiers administration.
#include "bot/dossiers/reminder_admin.hpp"

#include "bot/core/config.hpp"
#include "bot/dossiers/link_code.hpp"
#include "bot/core/local_time.hpp"
#include "bot/core/staff.hpp"
#include "bot/core/units.hpp"
#include "storage/dossier_repository.hpp"
#include "storage/official_link.hpp"
#include "storage/user_repository.hpp"

#include "storage/write_scope.hpp"

#include <SQLiteCpp/Database.h>
#include <boost/json.hpp>

#include <cctype>
#include <fstream>
#include <sstream>

namespace bot {

std::string check_official(const storage::official& o, const config& cfg, const std::string& today) {
    if (o.official_id.empty() || o.official_id.size() > 64) return "--id must be 1 to 64 characters";
    for (char c : o.official_id)
        if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.'))
            return "--id may contain only letters, digits, '_', '-' and '.'";
    if (o.name.empty()) return "--name is required";
    if (!cfg.find_unit(o.unit_id)) return "unknown unit \"" + o.unit_id + "\" (see [[units]] in the configuration)";
    for (const auto& u : o.units)
        if (!cfg.find_unit(u)) return "unknown unit \"" + u + "\" (see [[units]] in the configuration)";
    // Staff serve today's units: a commune merged since is refused with its successor named.
    if (std::string why = why_not_on(cfg, o.unit_id, today); !why.empty()) return why;
    for (const auto& u : o.units)
        if (std::string why = why_not_on(cfg, u, today); !why.empty()) return why;
    if (!parse_staff_role(o.role)) {
        std::string list;
        for (auto n : staff_role_names()) list += (list.empty() ? "" : ", ") + std::string(n);
        return "--role must be one of " + list;
    }
    if (!o.phone.empty()) {
        std::size_t digits = 0;
        for (char c : o.phone) {
            if (std::isdigit(static_cast<unsigned char>(c)))
                ++digits;
            else if (c != '+' && c != ' ' && c != '.')
                return "--phone must be a phone number";
        }
        if (digits < 9 || digits > 12) return "--phone must have 9 to 12 digits";
    }
    return {};
}

std::string official_json(const storage::official& o, bool full_phone) {
    boost::json::object j;
    j["id"] = o.official_id;
    j["name"] = o.name;
    j["unit"] = o.unit_id;
    j["role"] = o.role;
    boost::json::array units;
    for (const auto& u : o.units.empty() ? std::vector<std::string>{o.unit_id} : o.units) units.emplace_back(u);
    j["units"] = std::move(units);
    j["phone"] = full_phone ? o.phone : mask_phone(o.phone);
    j["linked"] = !o.zalo_user_id.empty();
    j["reminders"] = o.reminders_enabled;
    j["disabled"] = o.disabled;
    return boost::json::serialize(j);
}

std::string official_json(const storage::official& o, bool full_phone, const reachability& reach, int utc_offset_minutes) {
    auto j = boost::json::parse(official_json(o, full_phone)).as_object();
    j["reachability"] = boost::json::parse(reachability_json(reach, utc_offset_minutes));
    return boost::json::serialize(j);
}

std::optional<issued_code> issue_link_code(SQLite::Database& db, const std::string& official_id, std::int64_t now_ms) {
    issued_code c;
    // Outstanding codes never share a selector, so a wrong guess counts against one code only.
    do {
        c.code = make_link_code();
    } while (storage::link_selector_in_use(db, link_code_selector(c.code)));
    c.expires_at_ms = now_ms + std::chrono::duration_cast<std::chrono::milliseconds>(link_code_lifetime).count();
    if (!storage::set_link_code(db, official_id, hash_link_code(c.code), c.expires_at_ms, link_code_selector(c.code)))
        return std::nullopt;
    return c;
}

std::string dossier_json(const storage::dossier& d) {
    auto dt = [](const std::string& date, const std::string& time) -> boost::json::value {
        if (date.empty()) return nullptr;
        return boost::json::value(time.empty() ? date : date + " " + time);
    };
    boost::json::object j;
    j["ma_ho_so"] = d.code;
    j["thu_tuc"] = d.procedure;
    j["linh_vuc"] = d.field;
    j["cap"] = d.level;
    j["don_vi"] = d.unit_id;
    j["kenh"] = d.channel;
    j["ngay_nhan"] = dt(d.received_on, d.received_time);
    j["han_tra"] = dt(d.due_on, d.due_time);
    j["ngay_tra"] = dt(d.returned_on, d.returned_time);
    j["can_bo"] = d.official_id.empty() ? boost::json::value(nullptr) : boost::json::value(d.official_id);
    j["so_dien_thoai"] = d.citizen_phone.empty() ? boost::json::value(nullptr) : boost::json::value(mask_phone(d.citizen_phone));
    j["trang_thai"] = storage::to_string(d.state);
    j["status"] = d.returned_on.empty() && d.state != storage::dossier_state::withdrawn ? "open" : "returned";
    return boost::json::serialize(j);
}

namespace {

/// The demo dossier file's reference day: its dates are moved by (today − this) days.
constexpr local_date demo_reference_day{2026, 6, 15};

std::string shift(const std::string& iso, std::int64_t days) {
    if (iso.empty()) return iso;
    auto d = parse_iso_date(iso);
    return d ? to_iso(civil_from_days(days_from_civil(*d) + days)) : iso;
}

// Followers of today's units, two in each village and one who chose only the commune, so a
// broadcast to a commune or a village of the demo reaches someone. Only once per database.
std::size_t seed_demo_followers(SQLite::Database& db, const config& cfg, const std::string& today, std::int64_t now_ms) {
    constexpr std::size_t per_village = 2;
    std::vector<const unit_config*> units;
    for (const unit_config* u : units_on(cfg, today))
        // The desk of the top level has no residents of its own: communes and wards do.
        if (cfg.levels.empty() || u->level != cfg.levels.front().id || !u->villages.empty()) units.push_back(u);
    if (units.empty() || storage::find_user(db, "demo_" + units.front()->id + "_1")) return 0;
    std::size_t added = 0;
    for (const unit_config* u : units) {
        std::vector<std::string> places(u->villages.begin(), u->villages.end());
        places.insert(places.begin(), std::string{});  // the commune, no village chosen
        std::size_t k = 0;
        for (const auto& village : places) {
            for (std::size_t i = 0; i < (village.empty() ? 1 : per_village); ++i) {
                const std::string id = "demo_" + u->id + "_" + std::to_string(++k);
                storage::set_follower(db, id, true, now_ms);
                storage::set_user_place(db, id, u->id, village);
                ++added;
            }
        }
    }
    return added;
}

}  // namespace

std::string seed_demo(SQLite::Database& db, const config& cfg, std::int64_t now_ms) {
    storage::write_scope sp(db);
    std::size_t officials = 0, dossiers = 0;
    const std::string today = to_iso(local_date_of(now_ms, cfg.time.utc_offset_minutes));
    if (storage::list_officials(db).empty()) {
        // One official and one leader for each unit that exists today.
        int n = 0;
        for (const unit_config* u : units_on(cfg, today)) {
            ++n;
            const std::string& name = unit_name_on(*u, today);
            char phone[32];
            std::snprintf(phone, sizeof phone, "09120000%02d", n * 2 - 1);
            storage::official o{"cb_" + u->id, "Cán bộ một cửa " + name, u->id, "official", phone, "", true, true, false, {}};
            officials += storage::add_official(db, o, now_ms) ? 1 : 0;
            std::snprintf(phone, sizeof phone, "09120000%02d", n * 2);
            storage::official l{"ld_" + u->id, "Lãnh đạo " + name, u->id, "leader", phone, "", true, true, false, {}};
            officials += storage::add_official(db, l, now_ms) ? 1 : 0;
        }
    }
    if (storage::count_dossiers(db) == 0) {
        const std::string file = cfg.templates_dir + "/demo/dossiers.csv";
        std::ifstream in(file, std::ios::binary);
        if (in) {
            std::stringstream ss;
            ss << in.rdbuf();
            auto parsed = parse_dossier_csv(ss.str(), cfg);
            if (!parsed.ok())
                throw std::runtime_error(file + " line " + std::to_string(parsed.errors.front().line) + ": " + parsed.errors.front().reason);
            const std::int64_t delta = days_from_civil(local_date_of(now_ms, cfg.time.utc_offset_minutes)) -
                                       days_from_civil(demo_reference_day);
            for (auto& d : parsed.rows) {
                d.received_on = shift(d.received_on, delta);
                d.due_on = shift(d.due_on, delta);
                d.returned_on = shift(d.returned_on, delta);
                // Demo dossiers are assigned to the demo officials of their unit.
                if (!d.official_id.empty()) d.official_id = "cb_" + d.unit_id;
            }
            dossiers = storage::upsert_dossiers(db, parsed.rows, now_ms).inserted;
        }
    }
    const std::size_t followers = seed_demo_followers(db, cfg, today, now_ms);
    sp.commit();
    return "demo data: " + std::to_string(officials) + " officials, " + std::to_string(dossiers) + " dossiers, " +
           std::to_string(followers) + " followers";
}

}  // namespace bot
