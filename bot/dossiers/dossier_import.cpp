// Dossier export parsing: a table (CSV, XLSX) or JSON items → validated dossiers, row by row.
#include "bot/dossiers/dossier_import.hpp"

#include "bot/core/config.hpp"
#include "bot/core/local_time.hpp"
#include "bot/core/scope.hpp"
#include "bot/core/text_fold.hpp"
#include "bot/core/units.hpp"
#include "bot/dossiers/export_mapping.hpp"
#include "bot/dossiers/export_table.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <set>
#include <unordered_map>
#include <unordered_set>

namespace bot {

namespace {

/// Fields every export must have (level comes from the unit when absent; the rest are optional).
constexpr std::array<export_field, 6> required_fields = {export_field::code,     export_field::procedure,
                                                         export_field::unit,     export_field::channel,
                                                         export_field::received, export_field::due};
/// Rows searched for the header (exports put a title and the period above it).
constexpr std::size_t header_search_rows = 30;

std::string trim(std::string_view s) {
    std::size_t a = 0, b = s.size();
    while (a < b && std::isspace(static_cast<unsigned char>(s[a]))) ++a;
    while (b > a && std::isspace(static_cast<unsigned char>(s[b - 1]))) --b;
    // A no-break space (U+00A0) often trails cells copied from web pages.
    while (b - a >= 2 && static_cast<unsigned char>(s[b - 2]) == 0xC2 && static_cast<unsigned char>(s[b - 1]) == 0xA0) b -= 2;
    return std::string(s.substr(a, b - a));
}

/// A name on one line: runs of spaces, tabs and line breaks become one space (a quoted CSV field
/// may span lines), so the same procedure groups together in reports and reads well in chat.
std::string one_line(std::string_view s) {
    std::string out;
    bool space = false;
    for (char c : trim(s)) {
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
            space = true;
            continue;
        }
        if (space) out.push_back(' ');
        space = false;
        out.push_back(c);
    }
    return out;
}

bool all_digits(std::string_view s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

int to_int(std::string_view s) {
    int v = 0;
    for (char c : s) v = v * 10 + (c - '0');
    return v;
}

bool blank(const std::vector<std::string>& cells) {
    return std::all_of(cells.begin(), cells.end(), [](const std::string& x) { return trim(x).empty(); });
}

bool id_shaped(const std::string& s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.';
    });
}

// One record's values by field, and the names its columns carry in the file (for messages).
using record = std::array<std::string, export_field_count>;
using column_names = std::array<std::string, export_field_count>;

const std::string& at(const record& r, export_field f) { return r[static_cast<std::size_t>(f)]; }

/// Validates records into dossiers; shared by tables and JSON.
class validator {
public:
    validator(const import_context& ctx, import_result& out, column_names names)
        : ctx_(ctx), map_(ctx.cfg), out_(out), names_(std::move(names)) {
        if (ctx.officials)
            for (const auto& o : *ctx.officials) {
                ids_.insert(o.official_id);
                // Every unit they serve (the home unit first); a hand-built record may list none.
                const std::string folded = fold_text(o.name);
                if (o.units.empty()) by_unit_[o.unit_id].emplace_back(folded, o.official_id);
                for (const auto& u : o.units) by_unit_[u].emplace_back(folded, o.official_id);
            }
    }

    void validate(const record& r, std::size_t line) {
        const std::size_t errors_before = out_.errors.size();
        auto error = [&](export_field f, const char* code, const std::string& value, std::string reason) {
            out_.errors.push_back({line, std::move(reason), name(f), code, value});
        };
        auto warn = [&](export_field f, const char* code, const std::string& value, std::string reason) {
            out_.warnings.push_back({line, std::move(reason), name(f), code, value});
        };
        auto get = [&](export_field f) { return trim(at(r, f)); };
        auto missing = [&](export_field f, const char* what) {
            error(f, "missing_value", "", "missing " + name(f) + " (" + what + ")");
        };

        storage::dossier d;
        d.code = get(export_field::code);
        if (d.code.empty()) missing(export_field::code, "dossier code");
        d.procedure = one_line(get(export_field::procedure));
        if (d.procedure.empty()) missing(export_field::procedure, "procedure");
        d.field = one_line(get(export_field::domain));

        auto date_field = [&](export_field f, bool required, std::string& date, std::string& time) {
            const std::string v = get(f);
            if (v.empty()) {
                if (required) missing(f, f == export_field::received ? "received date" : "due date");
                return;
            }
            auto dt = parse_dossier_datetime(v);
            if (!dt) {
                error(f, "bad_date", v,
                      "bad date \"" + v + "\" in " + name(f) + " (DD/MM/YYYY[ HH:MM], YYYY-MM-DD[ HH:MM] or an Excel date)");
                return;
            }
            date = dt->date;
            time = dt->time;
        };
        date_field(export_field::received, true, d.received_on, d.received_time);
        date_field(export_field::due, true, d.due_on, d.due_time);
        date_field(export_field::returned, false, d.returned_on, d.returned_time);
        const std::string unit_text = one_line(get(export_field::unit));
        const unit_config* unit = nullptr;
        if (unit_text.empty()) {
            missing(export_field::unit, "unit");
        } else if (auto id = map_.unit_id(unit_text, d.received_on)) {
            d.unit_id = *id;
            unit = ctx_.cfg.find_unit(*id);
        } else {
            error(export_field::unit, "unknown_unit", unit_text,
                  "unknown unit \"" + unit_text + "\" in " + name(export_field::unit) +
                      " (a configured unit's id or name; add other names to [import.units])");
        }

        const std::string level_text = get(export_field::level);
        if (!level_text.empty()) {
            if (auto id = map_.level_id(level_text))
                d.level = *id;
            else
                error(export_field::level, "unknown_level", level_text,
                      "unknown level \"" + level_text + "\" in " + name(export_field::level));
        } else if (unit) {
            d.level = unit->level;
        }

        const std::string channel_text = get(export_field::channel);
        if (channel_text.empty()) {
            missing(export_field::channel, "channel");
        } else if (auto ch = map_.channel(channel_text)) {
            d.channel = *ch;
        } else {
            error(export_field::channel, "bad_channel", channel_text,
                  "bad channel \"" + channel_text + "\" in " + name(export_field::channel) +
                      " (Trực tuyến, Trực tiếp, Dịch vụ bưu chính công ích; or truc_tuyen, truc_tiep, bcci)");
        }

        // The unit as of the day the dossier was received: an export that still carries a merged
        // commune's name after the merger files the dossier under the commune that took over.
        if (unit && !d.received_on.empty() && !exists_on(*unit, d.received_on)) {
            if (const unit_config* then = unit_on(ctx_.cfg, unit->id, d.received_on)) {
                if (d.level == unit->level) d.level = then->level;
                d.unit_id = then->id;
                unit = then;
            } else {
                error(export_field::unit, "unit_not_on_date", unit_text,
                      why_not_on(ctx_.cfg, unit->id, d.received_on) + ", but " + name(export_field::received) + " is " +
                          d.received_on);
            }
        }
        if (unit && ctx_.scope && !ctx_.scope->covers(ctx_.cfg, unit->id))
            error(export_field::unit, "out_of_scope", unit_text,
                  "unit \"" + unit_text + "\" in " + name(export_field::unit) + " is not one you may import for");

        const std::string status_text = one_line(get(export_field::status));
        std::optional<storage::dossier_state> status;
        if (!status_text.empty()) {
            status = map_.status(status_text);
            if (!status)
                error(export_field::status, "unknown_status", status_text,
                      "unknown status \"" + status_text + "\" in " + name(export_field::status) +
                          " (add it to [import.statuses] as received, processing, supplement, result_ready, returned or withdrawn)");
        }
        d.state = status.value_or(storage::dossier_state::processing);
        if (!d.returned_on.empty() && d.state != storage::dossier_state::withdrawn) {
            if (status && *status != storage::dossier_state::returned)
                warn(export_field::status, "status_conflict", status_text,
                     "status \"" + status_text + "\" but a return date is given: taken as returned");
            d.state = storage::dossier_state::returned;
        } else if (d.returned_on.empty() && status == storage::dossier_state::returned) {
            error(export_field::returned, "returned_without_date", status_text,
                  "status \"" + status_text + "\" says returned but " + name(export_field::returned) + " is empty");
        }

        const std::string official_text = one_line(get(export_field::official));
        if (!official_text.empty()) d.official_id = resolve_official(official_text, d.unit_id, [&](const char* code, std::string why) {
            warn(export_field::official, code, official_text, std::move(why));
        });

        const std::string phone_text = get(export_field::phone);
        if (!phone_text.empty()) {
            if (auto p = normalize_phone(phone_text))
                d.citizen_phone = *p;
            else
                warn(export_field::phone, "bad_phone", phone_text,
                     "unreadable phone in " + name(export_field::phone) + ": not stored (citizens cannot follow this dossier)");
        }

        if (!d.code.empty()) {
            auto [it, inserted] = seen_.emplace(d.code, line);
            if (!inserted)
                error(export_field::code, "duplicate_code", d.code,
                      "duplicate " + name(export_field::code) + " \"" + d.code + "\" (first on line " + std::to_string(it->second) + ")");
        }
        if (out_.errors.size() != errors_before) return;
        out_.rows.push_back(std::move(d));
        out_.lines.push_back(line);
    }

private:
    std::string name(export_field f) const {
        const auto& n = names_[static_cast<std::size_t>(f)];
        return n.empty() ? field_name(f) : n;
    }

    // The handling official within the dossier's unit: an official id as such; a name matched
    // (case and diacritics aside) among the unit's officials; an id-shaped value kept (the
    // official may be registered later); otherwise nobody, with a warning.
    template <typename Warn>
    std::string resolve_official(const std::string& text, const std::string& unit_id, Warn warn) const {
        if (ids_.count(text)) return text;
        const std::string folded = fold_text(text);
        std::vector<std::string> found;
        if (auto it = by_unit_.find(unit_id); it != by_unit_.end())
            for (const auto& [n, id] : it->second)
                if (n == folded) found.push_back(id);
        if (found.size() == 1) return found.front();
        if (found.size() > 1) {
            warn("ambiguous_official", "two officials of the unit are named \"" + text + "\": dossier left unassigned");
            return {};
        }
        if (id_shaped(text)) return text;
        warn("unknown_official", "no official named \"" + text + "\" in the unit: dossier left unassigned "
                                 "(register them with `cchcbot officials add`)");
        return {};
    }

    const import_context& ctx_;
    export_mapping map_;
    import_result& out_;
    column_names names_;
    std::unordered_map<std::string, std::size_t> seen_;
    std::unordered_set<std::string> ids_;
    std::unordered_map<std::string, std::vector<std::pair<std::string, std::string>>> by_unit_;
};

void finish(import_result& out) {
    if (!out.errors.empty()) {
        out.rows.clear();
        out.lines.clear();
    }
}

struct header_choice {
    std::size_t row = 0;                        ///< index in table.rows
    std::vector<std::optional<export_field>> by_column;
    std::size_t matched = 0;
    bool has_code = false;
};

header_choice read_header(const table_row& row, const export_mapping& map, import_result* report) {
    header_choice h;
    std::array<std::optional<std::pair<std::size_t, std::size_t>>, export_field_count> best;  // (rank, column)
    std::vector<std::optional<export_mapping::header_match>> matches(row.cells.size());
    for (std::size_t i = 0; i < row.cells.size(); ++i) {
        matches[i] = map.match_header(row.cells[i]);
        if (!matches[i]) continue;
        auto& b = best[static_cast<std::size_t>(matches[i]->field)];
        if (!b || matches[i]->rank < b->first) b = std::pair{matches[i]->rank, i};
    }
    h.by_column.assign(row.cells.size(), std::nullopt);
    for (std::size_t f = 0; f < best.size(); ++f) {
        if (!best[f]) continue;
        h.by_column[best[f]->second] = static_cast<export_field>(f);
        ++h.matched;
    }
    h.has_code = best[static_cast<std::size_t>(export_field::code)].has_value();
    if (!report) return h;
    for (std::size_t i = 0; i < row.cells.size(); ++i) {
        const std::string cell = trim(row.cells[i]);
        if (h.by_column[i]) {
            report->columns.emplace_back(field_name(*h.by_column[i]), cell);
        } else if (matches[i] && best[static_cast<std::size_t>(matches[i]->field)]->first == matches[i]->rank) {
            // The same name twice: which one holds the data cannot be told.
            report->errors.push_back({row.line, "duplicate column \"" + cell + "\"", cell, "duplicate_column", cell});
        } else if (!cell.empty()) {
            // Not a field, or a lesser name of a field read from a better-named column.
            report->ignored_columns.push_back(cell);
        }
    }
    return h;
}

}  // namespace

std::size_t distinct_lines(const std::vector<import_error>& errors) {
    std::set<std::size_t> lines;
    for (const auto& e : errors) lines.insert(e.line);
    return lines.size();
}

std::optional<dossier_datetime> parse_dossier_datetime(std::string_view raw) {
    std::string s = trim(raw);
    if (s.empty()) return std::nullopt;
    // An Excel serial date (a date cell saved as a plain number).
    if (std::all_of(s.begin(), s.end(), [](char c) { return (c >= '0' && c <= '9') || c == '.'; }) &&
        std::count(s.begin(), s.end(), '.') <= 1 && s.front() != '.') {
        const double serial = std::strtod(s.c_str(), nullptr);
        // 1954-10-03 .. 2119-01-10: nothing else in a date column is a bare number that size.
        if (serial < 20000 || serial > 80000) return std::nullopt;
        s = excel_serial_to_text(serial);
    }
    // Tokens: "08:15 01/12/2025", "01/12/2025, 08:15", "2023-06-15T08:05:59", "1/12/2025 8:15 SA".
    if (s.size() > 10 && s[10] == 'T' && s[4] == '-') s[10] = ' ';
    for (auto& c : s)
        if (c == ',') c = ' ';
    std::vector<std::string> tokens;
    for (std::size_t i = 0; i < s.size();) {
        while (i < s.size() && s[i] == ' ') ++i;
        std::size_t j = i;
        while (j < s.size() && s[j] != ' ') ++j;
        if (j > i) tokens.push_back(s.substr(i, j - i));
        i = j;
    }
    std::string date_part, time_part, meridiem;
    for (const auto& t : tokens) {
        if (t.find(':') != std::string::npos) {
            if (!time_part.empty()) return std::nullopt;
            time_part = t;
        } else if (t.find_first_of("/-.") != std::string::npos) {
            if (!date_part.empty()) return std::nullopt;
            date_part = t;
        } else {
            std::string l = fold_text(t);
            if (l == "sa" || l == "am" || l == "ch" || l == "pm")
                meridiem = l;
            else
                return std::nullopt;
        }
    }
    if (date_part.empty()) return std::nullopt;
    int y = 0, m = 0, d = 0;
    const char sep = date_part[date_part.find_first_of("/-.")];
    const auto s1 = date_part.find(sep);
    const auto s2 = date_part.find(sep, s1 + 1);
    if (s2 == std::string::npos || date_part.find(sep, s2 + 1) != std::string::npos) return std::nullopt;
    std::string_view v(date_part);
    auto a = v.substr(0, s1), b = v.substr(s1 + 1, s2 - s1 - 1), c = v.substr(s2 + 1);
    if (!all_digits(a) || !all_digits(b) || !all_digits(c)) return std::nullopt;
    if (a.size() == 4 && b.size() <= 2 && c.size() <= 2) {  // YYYY-MM-DD, YYYY/MM/DD
        y = to_int(a);
        m = to_int(b);
        d = to_int(c);
    } else if (a.size() <= 2 && b.size() <= 2 && c.size() == 4) {  // DD/MM/YYYY, DD-MM-YYYY, DD.MM.YYYY
        d = to_int(a);
        m = to_int(b);
        y = to_int(c);
    } else {
        return std::nullopt;
    }
    char buf[16];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", y, m, d);
    if (!parse_iso_date(buf)) return std::nullopt;
    dossier_datetime out{buf, {}};
    if (!time_part.empty()) {
        // HH:MM or HH:MM:SS; seconds are dropped (the scheduler works in local dates).
        if (time_part.size() == 8 && time_part[5] == ':') time_part.resize(5);
        if (time_part.size() == 7 && time_part[1] == ':' && time_part[4] == ':') time_part.resize(4);
        if (time_part.size() == 4 && time_part[1] == ':') time_part = "0" + time_part;
        auto minutes = parse_hhmm(time_part);
        if (!minutes) return std::nullopt;
        if (!meridiem.empty()) {
            int h = *minutes / 60;
            if (h < 1 || h > 12) return std::nullopt;
            if (meridiem == "ch" || meridiem == "pm") h = h == 12 ? 12 : h + 12;
            if ((meridiem == "sa" || meridiem == "am") && h == 12) h = 0;
            char t[8];
            std::snprintf(t, sizeof t, "%02d:%02d", h, *minutes % 60);
            time_part = t;
        }
        out.time = time_part;
    } else if (!meridiem.empty()) {
        return std::nullopt;
    }
    return out;
}

import_result parse_dossier_table(const export_table& table, const import_context& ctx) {
    import_result out;
    out.format = table.format;
    if (!table.error.empty()) {
        out.errors.push_back({0, table.error, "", "unreadable_file", ""});
        return out;
    }
    const export_mapping map(ctx.cfg);

    // The header: the first row naming the dossier code and at least two more fields.
    std::optional<std::size_t> header_row;
    std::optional<std::size_t> best_row;
    std::size_t best_matched = 0;
    for (std::size_t i = 0, looked = 0; i < table.rows.size() && looked < header_search_rows; ++i) {
        const auto& row = table.rows[i];
        if (!row.error.empty() || blank(row.cells)) continue;
        ++looked;
        auto h = read_header(row, map, nullptr);
        if (h.has_code && h.matched >= 3) {
            header_row = i;
            break;
        }
        if (h.matched > best_matched) {
            best_matched = h.matched;
            best_row = i;
        }
    }
    if (!header_row) {
        std::string missing;
        std::size_t line = 1;
        std::array<bool, export_field_count> have{};
        if (best_row) {
            line = table.rows[*best_row].line;
            for (const auto& f : read_header(table.rows[*best_row], map, nullptr).by_column)
                if (f) have[static_cast<std::size_t>(*f)] = true;
        }
        for (auto f : required_fields)
            if (!have[static_cast<std::size_t>(f)]) missing += (missing.empty() ? "" : ", ") + std::string(field_name(f));
        out.errors.push_back({line,
                              table.rows.empty() ? std::string("the file is empty")
                                                 : "header lacks column(s): " + missing +
                                                       " (name them as the export does, or map them in [import.columns])",
                              "", table.rows.empty() ? "empty_file" : "missing_columns", missing});
        return out;
    }
    const table_row& hrow = table.rows[*header_row];
    const header_choice h = read_header(hrow, map, &out);
    {
        std::string missing;
        for (auto f : required_fields)
            if (std::find(h.by_column.begin(), h.by_column.end(), std::optional<export_field>(f)) == h.by_column.end())
                missing += (missing.empty() ? "" : ", ") + std::string(field_name(f));
        if (!missing.empty())
            out.errors.push_back({hrow.line,
                                  "header lacks column(s): " + missing +
                                      " (name them as the export does, or map them in [import.columns])",
                                  "", "missing_columns", missing});
    }
    if (!out.errors.empty()) return out;
    for (std::size_t i = 0; i < *header_row; ++i)  // title lines above the header
        if (!table.rows[i].error.empty() || !blank(table.rows[i].cells)) ++out.skipped;

    column_names names;
    for (std::size_t i = 0; i < h.by_column.size(); ++i)
        if (h.by_column[i]) names[static_cast<std::size_t>(*h.by_column[i])] = trim(hrow.cells[i]);
    validator v(ctx, out, names);
    // Trailing empty header cells (a CSV line ending in a comma) do not count as columns.
    std::size_t width = hrow.cells.size();
    while (width > 0 && trim(hrow.cells[width - 1]).empty()) --width;
    for (std::size_t i = *header_row + 1; i < table.rows.size(); ++i) {
        const auto& row = table.rows[i];
        if (!row.error.empty()) {
            out.errors.push_back({row.line, row.error, "", "read_error", ""});
            continue;
        }
        if (blank(row.cells)) continue;
        if (table.format == "csv") {
            std::size_t filled = row.cells.size();
            while (filled > width && trim(row.cells[filled - 1]).empty()) --filled;
            if (filled < width || filled > hrow.cells.size()) {
                out.errors.push_back({row.line,
                                      "expected " + std::to_string(hrow.cells.size()) + " fields, found " +
                                          std::to_string(row.cells.size()),
                                      "", "field_count", std::to_string(row.cells.size())});
                continue;
            }
        }
        record r;
        for (std::size_t c = 0; c < row.cells.size() && c < h.by_column.size(); ++c)
            if (h.by_column[c]) r[static_cast<std::size_t>(*h.by_column[c])] = row.cells[c];
        // Lines that are not dossiers: a total ("Tổng cộng: 5 hồ sơ"), a signature, a note —
        // nothing in the procedure, unit and date columns. Noted when the code column says something.
        if (trim(at(r, export_field::procedure)).empty() && trim(at(r, export_field::unit)).empty() &&
            trim(at(r, export_field::received)).empty() && trim(at(r, export_field::due)).empty()) {
            ++out.skipped;
            const std::string text = trim(at(r, export_field::code));
            if (!text.empty())
                out.warnings.push_back({row.line, "line not read as a dossier (no procedure, unit or dates): \"" + text + "\"",
                                        "", "not_a_dossier", text});
            continue;
        }
        v.validate(r, row.line);
    }
    finish(out);
    return out;
}

import_result parse_dossier_csv(std::string_view text, const config& cfg) {
    return parse_dossier_table(read_csv_table(text), import_context{cfg});
}

import_result parse_dossier_json(std::string_view text, const import_context& ctx) {
    import_result out;
    out.format = "json";
    if (text.size() >= 3 && text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
    boost::system::error_code ec;
    auto v = boost::json::parse(text, ec);
    if (ec || !v.is_array()) {
        out.errors.push_back({0, ec ? "malformed JSON: " + ec.message() : std::string("expected a JSON array of objects"), "",
                              "malformed_json", ""});
        return out;
    }
    for (std::size_t f = 0; f < export_field_count; ++f)
        out.columns.emplace_back(field_name(static_cast<export_field>(f)), field_name(static_cast<export_field>(f)));
    validator val(ctx, out, column_names{});
    std::size_t item = 0;
    for (const auto& el : v.as_array()) {
        ++item;
        if (!el.is_object()) {
            out.errors.push_back({item, "not an object", "", "not_an_object", ""});
            continue;
        }
        record r;
        bool bad = false;
        for (const auto& [k, val_] : el.as_object()) {
            const std::string key(k);
            auto f = field_from_name(key);
            if (!f) {
                out.errors.push_back({item, "unknown field \"" + key + "\"", key, "unknown_field", key});
                bad = true;
                continue;
            }
            auto& slot = r[static_cast<std::size_t>(*f)];
            if (val_.is_string())
                slot = std::string(val_.as_string());
            else if (val_.is_null())
                slot.clear();
            else if (val_.is_int64() || val_.is_uint64())
                slot = boost::json::serialize(val_);
            else {
                out.errors.push_back({item, "field \"" + key + "\" must be a string", key, "not_a_string", ""});
                bad = true;
            }
        }
        if (!bad) val.validate(r, item);
    }
    finish(out);
    return out;
}

import_result parse_dossier_json(std::string_view text, const config& cfg) { return parse_dossier_json(text, import_context{cfg}); }

import_result parse_dossier_file(std::string_view bytes, const import_context& ctx) {
    if (looks_like_xlsx(bytes)) return parse_dossier_table(read_xlsx_table(bytes), ctx);
    std::string_view t = bytes;
    if (t.size() >= 3 && t.substr(0, 3) == "\xEF\xBB\xBF") t.remove_prefix(3);
    std::size_t i = 0;
    while (i < t.size() && std::isspace(static_cast<unsigned char>(t[i]))) ++i;
    if (i < t.size() && t[i] == '[') return parse_dossier_json(bytes, ctx);
    return parse_dossier_table(read_csv_table(bytes), ctx);
}

import_result parse_dossier_file(std::string_view bytes, const config& cfg) { return parse_dossier_file(bytes, import_context{cfg}); }

std::string mask_phone(const std::string& phone) {
    if (phone.size() <= 4) return std::string(phone.size(), '*');
    std::string out = phone;
    const std::size_t keep_head = std::min<std::size_t>(4, phone.size() - 3);
    for (std::size_t i = keep_head; i + 3 < phone.size(); ++i) out[i] = '*';
    return out;
}

}  // namespace bot
