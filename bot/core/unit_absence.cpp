// Why a unit id is not a unit on a date, in Vietnamese for officials.
#include "bot/core/unit_absence.hpp"

#include "bot/core/config.hpp"
#include "bot/core/local_time.hpp"
#include "bot/core/messages.hpp"
#include "bot/core/units.hpp"

namespace bot {

namespace {

// 'YYYY-MM-DD' as officials write dates (30/06/2025).
std::string vn_date(const std::string& iso) {
    auto d = parse_iso_date(iso);
    return d ? to_vn(*d) : iso;
}

}  // namespace

std::string unit_absence_text(const config& cfg, const message_catalog& texts, std::string_view id, std::string_view date) {
    const unit_config* u = cfg.find_unit(std::string(id));
    if (!u) return texts.render("unit_unknown", {{"id", std::string(id)}});
    if (exists_on(*u, date)) return {};
    const std::map<std::string, std::string> base = {{"id", u->id}, {"unit", unit_name_on(*u, date)}};
    auto with = [&](std::map<std::string, std::string> more) {
        more.insert(base.begin(), base.end());
        return more;
    };
    if (!u->valid_from.empty() && date < u->valid_from) return texts.render("unit_not_yet", with({{"from", vn_date(u->valid_from)}}));
    if (const unit_config* now = unit_on(cfg, id, date))
        return texts.render("unit_merged", with({{"until", vn_date(u->valid_until)},
                                                 {"successor", unit_name_on(*now, date)},
                                                 {"successor_id", now->id}}));
    return texts.render("unit_gone", with({{"until", vn_date(u->valid_until)}}));
}

}  // namespace bot
