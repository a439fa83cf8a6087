// Reachability of officials for reminders.
#include "bot/dossiers/reachability.hpp"

#include "bot/core/config.hpp"
#include "bot/core/official_accounts.hpp"
#include "bot/core/local_time.hpp"
#include "storage/reminder_repository.hpp"

#include <boost/json.hpp>

namespace bot {

namespace {

std::string reason_detail(const std::string& reason) {
    if (reason == "disabled") return "disabled";
    if (reason == "not_linked_no_phone") return "not linked on Zalo and no phone for ZNS";
    if (reason == "not_linked_no_template") return "not linked on Zalo and no ZNS template configured (zalo.zns_reminder_template)";
    if (reason == "window_closed_no_phone") return "outside Zalo's 7-day window (no message to the OA for 7 days) and no phone for ZNS";
    if (reason == "window_closed_no_template")
        return "outside Zalo's 7-day window (no message to the OA for 7 days) and no ZNS template configured "
               "(zalo.zns_reminder_template)";
    return reason;
}

}  // namespace

reachability reachability_of(const storage::official& o, std::optional<std::int64_t> last_interaction_ms,
                             std::int64_t now_ms, const config& cfg) {
    reachability r;
    if (o.disabled) {
        r.reason = "disabled";
        return r;
    }
    const bool linked = !o.zalo_user_id.empty();
    if (linked && last_interaction_ms && now_ms - *last_interaction_ms <= cs_window_ms) {
        r.state = reach_state::window;
        r.until_ms = *last_interaction_ms + cs_window_ms;
        return r;
    }
    // By phone: through the official's OA, with that OA's ZNS template.
    if (!o.phone.empty() && !official_oa(cfg, cfg.official_accounts(), o.oa, o.unit_id).zns_reminder_template.empty()) {
        r.state = reach_state::zns;
        return r;
    }
    r.reason = std::string(linked ? "window_closed" : "not_linked") + (o.phone.empty() ? "_no_phone" : "_no_template");
    return r;
}

reachability reachability_now(SQLite::Database& db, const storage::official& o, std::int64_t now_ms, const config& cfg) {
    std::optional<std::int64_t> last;
    if (!o.zalo_user_id.empty()) last = storage::last_interaction_at(db, o.zalo_user_id);
    return reachability_of(o, last, now_ms, cfg);
}

std::string_view to_string(reach_state s) {
    switch (s) {
    case reach_state::window:
        return "window";
    case reach_state::zns:
        return "zns";
    case reach_state::unreachable:
        return "unreachable";
    }
    return "unreachable";
}

std::string describe(const reachability& r, int utc_offset_minutes) {
    switch (r.state) {
    case reach_state::window:
        return "Zalo until " + format_local_datetime(r.until_ms.value_or(0), utc_offset_minutes);
    case reach_state::zns:
        return "ZNS by phone";
    case reach_state::unreachable:
        break;
    }
    return "unreachable: " + reason_detail(r.reason);
}

std::string reachability_json(const reachability& r, int utc_offset_minutes) {
    boost::json::object o;
    o["state"] = std::string(to_string(r.state));
    if (r.until_ms)
        o["until"] = format_local_datetime(*r.until_ms, utc_offset_minutes);
    else
        o["until"] = nullptr;
    if (r.reason.empty())
        o["reason"] = nullptr;
    else
        o["reason"] = r.reason;
    o["detail"] = describe(r, utc_offset_minutes);
    return boost::json::serialize(o);
}

}  // namespace bot
