// CSV reading (RFC 4180, UTF-8/UTF-16, ',' ';' or tab) and Excel serial dates.
#include "bot/dossiers/export_table.hpp"

#include "bot/core/local_time.hpp"

#include <cmath>
#include <cstdint>

namespace bot {

namespace {

bool valid_utf8(std::string_view s) {
    std::size_t i = 0;
    while (i < s.size()) {
        const auto c = static_cast<unsigned char>(s[i]);
        std::size_t n = 0;  // continuation bytes
        if (c < 0x80)
            n = 0;
        else if ((c >> 5) == 0x6)
            n = 1;
        else if ((c >> 4) == 0xE)
            n = 2;
        else if ((c >> 3) == 0x1E)
            n = 3;
        else
            return false;
        if (i + n >= s.size()) return false;
        for (std::size_t k = 1; k <= n; ++k)
            if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
        i += n + 1;
    }
    return true;
}

void put_utf8(std::string& out, std::uint32_t cp) {
    if (cp < 0x80) {
        out.push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
        out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
        out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
        out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    }
}

// Excel's "Unicode text" and some exporters write UTF-16 with a BOM.
std::string utf16_to_utf8(std::string_view s, bool little_endian) {
    std::string out;
    out.reserve(s.size());
    auto unit = [&](std::size_t i) -> std::uint32_t {
        const auto a = static_cast<unsigned char>(s[i]), b = static_cast<unsigned char>(s[i + 1]);
        return little_endian ? (a | (b << 8)) : ((a << 8) | b);
    };
    for (std::size_t i = 0; i + 1 < s.size(); i += 2) {
        std::uint32_t cp = unit(i);
        if (cp >= 0xD800 && cp < 0xDC00 && i + 3 < s.size()) {
            const std::uint32_t lo = unit(i + 2);
            if (lo >= 0xDC00 && lo < 0xE000) {
                cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                i += 2;
            }
        }
        put_utf8(out, cp);
    }
    return out;
}

// The separator the file uses: ';' or a tab when the first lines (a title above the header
// included) hold more of them than commas, outside quotes.
char detect_separator(std::string_view s) {
    constexpr std::size_t sample_lines = 30;
    std::size_t commas = 0, semis = 0, tabs = 0, lines = 0;
    bool quoted = false;
    for (char c : s) {
        if (c == '"') quoted = !quoted;
        if (quoted) continue;
        if (c == '\n' && ++lines >= sample_lines) break;
        commas += c == ',';
        semis += c == ';';
        tabs += c == '\t';
    }
    if (semis > commas && semis >= tabs) return ';';
    if (tabs > commas && tabs > semis) return '\t';
    return ',';
}

// RFC 4180 reader: fields, quoted fields with "" escapes and embedded newlines; tracks lines.
class csv_reader {
public:
    csv_reader(std::string_view s, char sep) : s_(s), sep_(sep) {}
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
            if (c == sep_) {
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
    char sep_;
    std::size_t pos_ = 0;
    std::size_t line_ = 1;
};

}  // namespace

export_table read_csv_table(std::string_view text) {
    export_table out;
    out.format = "csv";
    std::string converted;
    if (text.size() >= 2 && static_cast<unsigned char>(text[0]) == 0xFF && static_cast<unsigned char>(text[1]) == 0xFE) {
        converted = utf16_to_utf8(text.substr(2), true);
        text = converted;
    } else if (text.size() >= 2 && static_cast<unsigned char>(text[0]) == 0xFE && static_cast<unsigned char>(text[1]) == 0xFF) {
        converted = utf16_to_utf8(text.substr(2), false);
        text = converted;
    } else if (text.size() >= 3 && static_cast<unsigned char>(text[0]) == 0xEF && static_cast<unsigned char>(text[1]) == 0xBB &&
               static_cast<unsigned char>(text[2]) == 0xBF) {
        text.remove_prefix(3);
    }
    if (!valid_utf8(text)) {
        out.error = "the file is not UTF-8 text: save it from Excel as \"CSV UTF-8\" or upload the XLSX itself";
        return out;
    }
    csv_reader rd(text, detect_separator(text));
    std::vector<std::string> fields;
    while (!rd.done()) {
        table_row row;
        row.line = rd.line();
        std::string error;
        if (!rd.next(fields, error))
            row.error = error;
        else
            row.cells = std::move(fields);
        fields.clear();
        out.rows.push_back(std::move(row));
    }
    return out;
}

bool looks_like_xlsx(std::string_view bytes) { return bytes.size() >= 4 && bytes.substr(0, 4) == std::string_view("PK\x03\x04", 4); }

std::string excel_serial_to_text(double serial, bool date1904) {
    // 1900 system: day 1 is 1900-01-01 and Excel counts a 29 February 1900 that never was, so
    // from day 61 on the epoch is 1899-12-30 (before it, 1899-12-31). 1904 system: day 0 is 1904-01-01.
    if (!std::isfinite(serial) || serial < 1 || serial > 2958465) return {};
    double days = std::floor(serial);
    auto minutes = static_cast<std::int64_t>(std::llround((serial - days) * 1440.0));
    if (minutes >= 1440) {
        days += 1;
        minutes -= 1440;
    }
    const local_date epoch = date1904 ? local_date{1904, 1, 1} : serial < 61 ? local_date{1899, 12, 31} : local_date{1899, 12, 30};
    const local_date d = civil_from_days(days_from_civil(epoch) + static_cast<std::int64_t>(days));
    std::string out = to_iso(d);
    if (minutes > 0) {
        char buf[8];
        std::snprintf(buf, sizeof buf, " %02d:%02d", static_cast<int>(minutes / 60), static_cast<int>(minutes % 60));
        out += buf;
    }
    return out;
}

}  // namespace bot
