// Dossier export parsing: CSV (RFC 4180) and JSON, validated row by row.
#include "bot/dossiers/dossier_import.hpp"

#include "bot/core/config.hpp"
#include "bot/core/local_time.hpp"
#include "bot/core/units.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <array>
#include <cctype>
#include <map>
#include <unordered_map>

namespace bot {

namespace {

constexpr std::array<const char*, 11> known_columns = {"ma_ho_so", "thu_tuc", "linh_vuc", "cap",     "don_vi",       "kenh",
                                                       "ngay_nhan", "han_tra", "ngay_tra", "can_bo", "so_dien_thoai"};
constexpr std::array<const char*, 7> required_columns = {"ma_ho_so", "thu_tuc", "cap", "don_vi", "kenh", "ngay_nhan", "han_tra"};

std::string trim(std::string_view s) {
    std::size_t a = 0, b = s.size();
    while (a < b && (s[a] == ' ' || s[a] == '\t' || s[a] == '\r' || s[a] == '\n')) ++a;
    while (b > a && (s[b - 1] == ' ' || s[b - 1] == '\t' || s[b - 1] == '\r' || s[b - 1] == '\n')) --b;
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

std::string lower(std::string s) {
    for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

bool all_digits(std::string_view s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

int to_int(std::string_view s) {
    int v = 0;
    for (char c : s) v = v * 10 + (c - '0');
    return v;
}

std::string_view strip_bom(std::string_view s) {
    if (s.size() >= 3 && static_cast<unsigned char>(s[0]) == 0xEF && static_cast<unsigned char>(s[1]) == 0xBB &&
        static_cast<unsigned char>(s[2]) == 0xBF)
        s.remove_prefix(3);
    return s;
}

// One record's fields by column (index into known_columns), from either format.
using record = std::array<std::string, known_columns.size()>;

constexpr std::size_t column_index(std::string_view name) {
    for (std::size_t i = 0; i < known_columns.size(); ++i)
        if (name == known_columns[i]) return i;
    return known_columns.size();
}

// Validates one record into a dossier; appends errors for `line`.
void validate(const record& r, std::size_t line, const config& cfg, import_result& out,
              std::unordered_map<std::string, std::size_t>& seen) {
    auto get = [&](const char* k) -> std::string { return trim(r[column_index(k)]); };
    std::vector<std::string> reasons;
    storage::dossier d;
    d.code = get("ma_ho_so");
    if (d.code.empty()) reasons.push_back("missing ma_ho_so (dossier code)");
    d.procedure = one_line(get("thu_tuc"));
    if (d.procedure.empty()) reasons.push_back("missing thu_tuc (procedure)");
    d.field = one_line(get("linh_vuc"));
    d.level = get("cap");
    if (d.level.empty())
        reasons.push_back("missing cap (level)");
    else if (!cfg.find_level(d.level))
        reasons.push_back("unknown level \"" + d.level + "\" in cap");
    d.unit_id = get("don_vi");
    if (d.unit_id.empty())
        reasons.push_back("missing don_vi (unit)");
    else if (!cfg.find_unit(d.unit_id))
        reasons.push_back("unknown unit \"" + d.unit_id + "\" in don_vi");
    d.channel = get("kenh");
    if (d.channel != "truc_tuyen" && d.channel != "truc_tiep" && d.channel != "bcci")
        reasons.push_back("bad channel \"" + d.channel + "\" in kenh (truc_tuyen, truc_tiep or bcci)");
    auto date_field = [&](const char* col, bool required, std::string& date, std::string& time) {
        std::string v = get(col);
        if (v.empty()) {
            if (required) reasons.push_back(std::string("missing ") + col);
            return;
        }
        auto dt = parse_dossier_datetime(v);
        if (!dt) {
            reasons.push_back(std::string("bad date \"") + v + "\" in " + col +
                              " (YYYY-MM-DD, YYYY-MM-DD HH:MM or DD/MM/YYYY[ HH:MM])");
            return;
        }
        date = dt->date;
        time = dt->time;
    };
    date_field("ngay_nhan", true, d.received_on, d.received_time);
    date_field("han_tra", true, d.due_on, d.due_time);
    date_field("ngay_tra", false, d.returned_on, d.returned_time);
    // The unit as of the day the dossier was received: an export that still carries a merged
    // commune's code after the merger files the dossier under the commune that took over.
    if (const unit_config* u = cfg.find_unit(d.unit_id); u && !d.received_on.empty() && !exists_on(*u, d.received_on)) {
        if (const unit_config* then = unit_on(cfg, d.unit_id, d.received_on)) {
            if (d.level == u->level) d.level = then->level;
            d.unit_id = then->id;
        } else {
            reasons.push_back(why_not_on(cfg, d.unit_id, d.received_on) + ", but ngay_nhan is " + d.received_on);
        }
    }
    d.official_id = get("can_bo");
    d.citizen_phone = get("so_dien_thoai");
    if (!d.code.empty()) {
        auto [it, inserted] = seen.emplace(d.code, line);
        if (!inserted) reasons.push_back("duplicate ma_ho_so \"" + d.code + "\" (first on line " + std::to_string(it->second) + ")");
    }
    if (!reasons.empty()) {
        std::string all;
        for (const auto& s : reasons) all += (all.empty() ? "" : "; ") + s;
        out.errors.push_back({line, std::move(all)});
        return;
    }
    out.rows.push_back(std::move(d));
    out.lines.push_back(line);
}

// RFC 4180 reader: fields, quoted fields with "" escapes and embedded newlines; tracks lines.
class csv_reader {
public:
    explicit csv_reader(std::string_view s) : s_(s) {}
    bool done() const { return pos_ >= s_.size(); }
    std::size_t line() const { return line_; }
    // Reads one record; returns false with `error` on a malformed quote.
    bool next(std::vector<std::string>& fields, std::string& error) {
        fields.clear();
        std::string field;
        bool quoted = false, was_quoted = false;
        while (pos_ < s_.size()) {
            char c = s_[pos_];
            if (quoted) {
                if (c == '"') {
                    if (pos_ + 1 < s_.size() && s_[pos_ + 1] == '"') {
                        field.push_back('"');
                        pos_ += 2;
                        continue;
                    }
                    quoted = false;
                    ++pos_;
                    continue;
                }
                if (c == '\n') ++line_;
                field.push_back(c);
                ++pos_;
                continue;
            }
            if (c == '"') {
                if (!field.empty() || was_quoted) {
                    error = "stray quote inside a field";
                    skip_line();
                    return false;
                }
                quoted = was_quoted = true;
                ++pos_;
                continue;
            }
            if (c == ',') {
                fields.push_back(std::move(field));
                field.clear();
                was_quoted = false;
                ++pos_;
                continue;
            }
            if (c == '\r' && pos_ + 1 < s_.size() && s_[pos_ + 1] == '\n') {
                ++pos_;
                continue;
            }
            if (c == '\n') {
                ++pos_;
                ++line_;
                fields.push_back(std::move(field));
                return true;
            }
            if (was_quoted) {
                error = "text after a closing quote";
                skip_line();
                return false;
            }
            field.push_back(c);
            ++pos_;
        }
        if (quoted) {
            error = "unterminated quoted field";
            return false;
        }
        fields.push_back(std::move(field));
        return true;
    }

private:
    void skip_line() {
        while (pos_ < s_.size() && s_[pos_] != '\n') ++pos_;
        if (pos_ < s_.size()) {
            ++pos_;
            ++line_;
        }
    }
    std::string_view s_;
    std::size_t pos_ = 0;
    std::size_t line_ = 1;
};

bool blank_record(const std::vector<std::string>& f) {
    return std::all_of(f.begin(), f.end(), [](const std::string& x) { return trim(x).empty(); });
}

}  // namespace

std::optional<dossier_datetime> parse_dossier_datetime(std::string_view raw) {
    std::string s = trim(raw);
    std::string date_part = s, time_part;
    if (auto sp = s.find_first_of(" T"); sp != std::string::npos) {
        date_part = s.substr(0, sp);
        time_part = trim(std::string_view(s).substr(sp + 1));
    }
    int y = 0, m = 0, d = 0;
    if (date_part.size() == 10 && date_part[4] == '-' && date_part[7] == '-') {
        std::string_view v(date_part);
        if (!all_digits(v.substr(0, 4)) || !all_digits(v.substr(5, 2)) || !all_digits(v.substr(8, 2))) return std::nullopt;
        y = to_int(v.substr(0, 4));
        m = to_int(v.substr(5, 2));
        d = to_int(v.substr(8, 2));
    } else if (auto s1 = date_part.find('/'); s1 != std::string::npos) {
        auto s2 = date_part.find('/', s1 + 1);
        if (s2 == std::string::npos) return std::nullopt;
        std::string_view v(date_part);
        auto dd = v.substr(0, s1), mm = v.substr(s1 + 1, s2 - s1 - 1), yy = v.substr(s2 + 1);
        if (!all_digits(dd) || !all_digits(mm) || !all_digits(yy) || dd.size() > 2 || mm.size() > 2 || yy.size() != 4)
            return std::nullopt;
        d = to_int(dd);
        m = to_int(mm);
        y = to_int(yy);
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
        if (time_part.size() == 4 && time_part[1] == ':') time_part = "0" + time_part;
        if (!parse_hhmm(time_part)) return std::nullopt;
        out.time = time_part;
    }
    return out;
}

import_result parse_dossier_csv(std::string_view text, const config& cfg) {
    import_result out;
    text = strip_bom(text);
    csv_reader rd(text);
    std::vector<std::string> fields;
    std::string error;
    // Header.
    std::vector<std::string> header;
    while (!rd.done()) {
        if (!rd.next(fields, error)) {
            out.errors.push_back({1, "header: " + error});
            return out;
        }
        if (!blank_record(fields)) break;
    }
    for (auto& h : fields) header.push_back(lower(trim(h)));
    std::vector<std::string> missing;
    for (const char* c : required_columns)
        if (std::find(header.begin(), header.end(), c) == header.end()) missing.push_back(c);
    if (!missing.empty()) {
        std::string m;
        for (const auto& c : missing) m += (m.empty() ? "" : ", ") + c;
        out.errors.push_back({1, "header lacks column(s): " + m});
        return out;
    }
    for (std::size_t i = 0; i < header.size(); ++i) {
        if (std::find_if(known_columns.begin(), known_columns.end(), [&](const char* k) { return header[i] == k; }) ==
            known_columns.end())
            out.errors.push_back({1, "unknown column \"" + header[i] + "\""});
        for (std::size_t j = 0; j < i; ++j)
            if (header[j] == header[i]) out.errors.push_back({1, "duplicate column \"" + header[i] + "\""});
    }
    if (!out.errors.empty()) return out;
    std::vector<std::size_t> columns;
    for (const auto& h : header) columns.push_back(column_index(h));

    std::unordered_map<std::string, std::size_t> seen;
    while (!rd.done()) {
        const std::size_t line = rd.line();
        if (!rd.next(fields, error)) {
            out.errors.push_back({line, error});
            continue;
        }
        if (blank_record(fields)) continue;
        if (fields.size() != header.size()) {
            out.errors.push_back({line, "expected " + std::to_string(header.size()) + " fields, found " +
                                            std::to_string(fields.size())});
            continue;
        }
        record r;
        for (std::size_t i = 0; i < header.size(); ++i) r[columns[i]] = std::move(fields[i]);
        validate(r, line, cfg, out, seen);
    }
    if (!out.errors.empty()) {
        out.rows.clear();
        out.lines.clear();
    }
    return out;
}

import_result parse_dossier_json(std::string_view text, const config& cfg) {
    import_result out;
    text = strip_bom(text);
    boost::system::error_code ec;
    auto v = boost::json::parse(text, ec);
    if (ec || !v.is_array()) {
        out.errors.push_back({0, ec ? "malformed JSON: " + ec.message() : std::string("expected a JSON array of objects")});
        return out;
    }
    std::unordered_map<std::string, std::size_t> seen;
    std::size_t item = 0;
    for (const auto& el : v.as_array()) {
        ++item;
        if (!el.is_object()) {
            out.errors.push_back({item, "not an object"});
            continue;
        }
        record r;
        std::string bad;
        for (const auto& [k, val] : el.as_object()) {
            std::string key(k);
            if (std::find_if(known_columns.begin(), known_columns.end(), [&](const char* c) { return key == c; }) ==
                known_columns.end()) {
                bad += (bad.empty() ? "" : "; ") + ("unknown field \"" + key + "\"");
                continue;
            }
            const std::size_t c = column_index(key);
            if (val.is_string())
                r[c] = std::string(val.as_string());
            else if (val.is_null())
                r[c].clear();
            else if (val.is_int64() || val.is_uint64())
                r[c] = boost::json::serialize(val);
            else
                bad += (bad.empty() ? "" : "; ") + ("field \"" + key + "\" must be a string");
        }
        if (!bad.empty()) {
            out.errors.push_back({item, bad});
            continue;
        }
        validate(r, item, cfg, out, seen);
    }
    if (!out.errors.empty()) {
        out.rows.clear();
        out.lines.clear();
    }
    return out;
}

import_result parse_dossier_file(std::string_view text, const config& cfg) {
    std::string_view t = strip_bom(text);
    std::size_t i = 0;
    while (i < t.size() && std::isspace(static_cast<unsigned char>(t[i]))) ++i;
    if (i < t.size() && t[i] == '[') return parse_dossier_json(text, cfg);
    return parse_dossier_csv(text, cfg);
}

std::string mask_phone(const std::string& phone) {
    if (phone.size() <= 4) return std::string(phone.size(), '*');
    std::string out = phone;
    const std::size_t keep_head = std::min<std::size_t>(4, phone.size() - 3);
    for (std::size_t i = keep_head; i + 3 < phone.size(); ++i) out[i] = '*';
    return out;
}

}  // namespace bot
