// A citizen's commune and village (menu or typed), and the broadcast opt-out.
#include "handlers/citizen_settings.hpp"

#include "bot/core/config.hpp"
#include "bot/core/messages.hpp"
#include "bot/core/units.hpp"
#include "handlers/conversation_common.hpp"
#include "storage/user_repository.hpp"

#include <algorithm>
#include <array>
#include <mutex>
#include <unordered_map>

namespace handlers {

namespace {

bool starts_with(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

std::string strip_prefix_words(std::string s, std::initializer_list<std::string_view> prefixes) {
    for (auto p : prefixes) {
        std::string with_space = std::string(p) + " ";
        if (starts_with(s, with_space)) return s.substr(with_space.size());
    }
    return s;
}

std::string strip_polite(std::string s) {
    static const std::array<std::string_view, 10> lead = {"toi o", "nha toi o", "em o", "minh o", "chau o",
                                                          "toi song o", "toi thuoc", "o", "chon", "dia chi"};
    static const std::array<std::string_view, 5> tail = {" a", " nhe", " nha", " voi", " ha"};
    for (bool changed = true; changed;) {
        changed = false;
        for (auto t : tail)
            if (s.size() > t.size() && s.compare(s.size() - t.size(), t.size(), t) == 0) {
                s.resize(s.size() - t.size());
                changed = true;
            }
    }
    for (auto p : lead) {
        std::string with_space = std::string(p) + " ";
        if (starts_with(s, with_space)) {
            s = s.substr(with_space.size());
            break;
        }
    }
    return s;
}

// A unit's or village's name folded, and without its leading kind ("xa", "thon").
using name_forms = std::pair<std::string, std::string>;

// The names come from the configuration, a small set, but every citizen's message is compared
// with all of them: each is folded once per process, not once per message. Pure, so kept.
template <typename Strip>
const name_forms& forms_of(const std::string& name, bool unit, Strip strip) {
    static std::mutex mu;
    static std::unordered_map<std::string, name_forms> memo[2];  // villages, units
    auto& m = memo[unit ? 1 : 0];
    std::lock_guard lk(mu);
    if (auto it = m.find(name); it != m.end()) return it->second;  // references to values stay valid
    std::string full = fold_text(name);
    std::string shortf = strip(full);
    return m.emplace(name, name_forms{std::move(full), std::move(shortf)}).first->second;
}

// Whether `s` reads `a + " " + b`, without building that string (four per village per message).
bool is_joined(std::string_view s, std::string_view a, std::string_view b) {
    return s.size() == a.size() + 1 + b.size() && s.starts_with(a) && s[a.size()] == ' ' && s.ends_with(b);
}

struct place_match {
    const bot::unit_config* unit = nullptr;
    std::string village;
};

std::optional<place_match> find_typed_place(const context& ctx, const std::string& folded, const std::string& current_unit) {
    const std::string s = strip_polite(folded);
    if (s.empty()) return std::nullopt;
    const auto unit_forms = [](const bot::unit_config& u) -> const name_forms& {
        return forms_of(u.name, true, [](const std::string& full) {
            return strip_prefix_words(full, {"xa", "thi tran", "phuong", "huyen", "thanh pho"});
        });
    };
    const auto village_forms = [](const std::string& v) -> const name_forms& {
        return forms_of(v, false, [](const std::string& full) {
            return strip_prefix_words(full, {"thon", "to dan pho", "khu pho", "to", "ban", "xom", "ap", "khu"});
        });
    };
    const auto units = residence_units(ctx);
    for (const auto* u : units) {
        const auto& [full, shortf] = unit_forms(*u);
        if (s == full || s == shortf) return place_match{u, {}};
    }
    // A commune's name from before a merger ("xã Tân Sỏi") means the commune that took over.
    for (const auto& old : ctx.cfg.units) {
        const auto& [full, shortf] = unit_forms(old);
        if (s != full && s != shortf) continue;
        const auto* now = bot::unit_on(ctx.cfg, old.id, today_of(ctx));
        if (now && std::find(units.begin(), units.end(), now) != units.end()) return place_match{now, {}};
    }
    std::optional<place_match> found;
    for (const auto* u : units) {
        const auto& [uf, us] = unit_forms(*u);
        for (const auto& v : u->villages) {
            const auto& [vf, vs] = village_forms(v);
            const bool alone = s == vf || s == vs;
            const bool with_unit = is_joined(s, vf, uf) || is_joined(s, vf, us) || is_joined(s, vs, uf) || is_joined(s, vs, us);
            if (with_unit) return place_match{u, v};
            if (alone && (!found || u->id == current_unit)) found = place_match{u, v};
        }
    }
    return found;
}

}  // namespace

outcome unit_menu(const context& ctx, const std::string& to, const std::string& kind, const std::string& unit) {
    std::vector<zalo::button> buttons;
    for (const auto* u : residence_units(ctx)) buttons.push_back(query_button(u->name, std::string(payload::unit) + u->id));
    return reply_to(ctx, to, ctx.texts.render("conversation_choose_unit"), std::move(buttons),
                    interaction_note{kind, "", interaction_outcome::command, unit});
}

outcome place_chosen(context& ctx, const std::string& to, const bot::unit_config& unit, const std::string& village,
                     const std::string& kind) {
    storage::set_user_place(ctx.db, to, unit.id, village);
    interaction_note note{kind, "", interaction_outcome::command, unit.id};
    if (village.empty() && !unit.villages.empty()) {
        std::vector<zalo::button> buttons;
        for (const auto& v : unit.villages) buttons.push_back(query_button(v, std::string(payload::village) + v));
        return reply_to(ctx, to, ctx.texts.render("conversation_unit_chosen_ask_village", {{"unit", unit.name}}),
                        std::move(buttons), note);
    }
    const std::string place = village.empty() ? unit.name : village + ", " + unit.name;
    return reply_to(ctx, to, ctx.texts.render("conversation_place_chosen", {{"place", place}}), main_menu_buttons(ctx),
                    note);
}

const bot::unit_config* village_owner(const context& ctx, const std::string& village, const std::string& current_unit) {
    const bot::unit_config* found = nullptr;
    for (const auto* u : residence_units(ctx))
        if (std::find(u->villages.begin(), u->villages.end(), village) != u->villages.end())
            if (!found || u->id == current_unit) found = u;
    return found;
}

std::optional<outcome> typed_place(context& ctx, const std::string& folded, const sender& s) {
    auto p = find_typed_place(ctx, folded, s.unit_id());
    if (!p) return std::nullopt;
    return place_chosen(ctx, s.id(), *p->unit, p->village, "text");
}

std::optional<outcome> broadcast_preference(context& ctx, const std::string& folded, const sender& s) {
    std::string t = strip_polite(folded);
    t = strip_prefix_words(t, {"cho toi", "toi muon", "em muon", "xin", "vui long"});
    static const std::array<std::string_view, 8> out = {"huy nhan tin", "huy dang ky nhan tin", "ngung nhan tin",
                                                        "dung nhan tin", "khong nhan tin", "tat nhan tin",
                                                        "huy nhan thong bao", "ngung nhan thong bao"};
    static const std::array<std::string_view, 6> in = {"nhan tin", "dang ky nhan tin", "nhan lai tin", "bat nhan tin",
                                                       "nhan tin lai", "nhan thong bao"};
    bool opt_out;
    if (std::find(out.begin(), out.end(), t) != out.end())
        opt_out = true;
    else if (std::find(in.begin(), in.end(), t) != in.end())
        opt_out = false;
    else
        return std::nullopt;
    storage::set_broadcast_opt_out(ctx.db, s.id(), opt_out);
    return reply_to(ctx, s.id(), ctx.texts.render(opt_out ? "conversation_opted_out" : "conversation_opted_in"), {},
                    interaction_note{"text", "", interaction_outcome::command, s.unit_id()});
}

}  // namespace handlers
