// XLSX reading: the workbook's ZIP parts through libzip, their XML streamed through expat.
// Office Open XML (ECMA-376 part 1, SpreadsheetML): xl/workbook.xml names the sheets and the date
// system, xl/_rels/workbook.xml.rels where each sheet lives, xl/sharedStrings.xml the strings
// cells refer to by index, xl/styles.xml which cell formats are dates.
#include "bot/dossiers/export_table.hpp"

#include <expat.h>
#include <zip.h>

#include <charconv>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <stdexcept>

namespace bot {

namespace {

/// No part may inflate beyond this: a small upload must not become gigabytes of XML.
constexpr std::uint64_t max_part_bytes = 512ull * 1024 * 1024;
/// Excel's own limits.
constexpr std::size_t max_rows = 1048576;
constexpr std::size_t max_columns = 16384;

struct xlsx_error : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// The local part of an expat name given as "namespace|local" (or just "local").
std::string_view local(const XML_Char* name) {
    std::string_view n(name);
    const auto bar = n.rfind('|');
    return bar == std::string_view::npos ? n : n.substr(bar + 1);
}

const XML_Char* attr(const XML_Char** atts, std::string_view name) {
    for (std::size_t i = 0; atts[i]; i += 2)
        if (local(atts[i]) == name) return atts[i + 1];
    return nullptr;
}

/// A SAX-style consumer of one XML part.
struct xml_sink {
    virtual ~xml_sink() = default;
    virtual void start(std::string_view name, const XML_Char** atts) = 0;
    virtual void end(std::string_view name) = 0;
    virtual void text(std::string_view) {}
};

struct zip_archive {
    zip_t* za = nullptr;
    ~zip_archive() {
        if (za) zip_discard(za);
    }
};

struct zip_entry {
    zip_file_t* f = nullptr;
    ~zip_entry() {
        if (f) zip_fclose(f);
    }
};

struct expat_parser {
    XML_Parser p;
    expat_parser() : p(XML_ParserCreateNS(nullptr, '|')) {
        if (!p) throw std::bad_alloc();
    }
    ~expat_parser() { XML_ParserFree(p); }
};

// Streams one part of the archive through expat into `sink`. Returns false when the part is absent.
bool parse_part(zip_t* za, const std::string& name, xml_sink& sink) {
    const zip_int64_t idx = zip_name_locate(za, name.c_str(), ZIP_FL_NOCASE);
    if (idx < 0) return false;
    zip_entry e;
    e.f = zip_fopen_index(za, static_cast<zip_uint64_t>(idx), 0);
    if (!e.f) throw xlsx_error("cannot open " + name + " in the workbook: " + zip_strerror(za));
    expat_parser xp;
    XML_SetUserData(xp.p, &sink);
    XML_SetElementHandler(
        xp.p,
        [](void* ud, const XML_Char* n, const XML_Char** atts) { static_cast<xml_sink*>(ud)->start(local(n), atts); },
        [](void* ud, const XML_Char* n) { static_cast<xml_sink*>(ud)->end(local(n)); });
    XML_SetCharacterDataHandler(xp.p, [](void* ud, const XML_Char* s, int len) {
        static_cast<xml_sink*>(ud)->text(std::string_view(s, static_cast<std::size_t>(len)));
    });
    std::uint64_t total = 0;
    char buf[64 * 1024];
    for (;;) {
        const zip_int64_t n = zip_fread(e.f, buf, sizeof buf);
        if (n < 0) throw xlsx_error("cannot read " + name + " in the workbook: " + zip_file_strerror(e.f));
        total += static_cast<std::uint64_t>(n);
        if (total > max_part_bytes) throw xlsx_error("the workbook is too large (" + name + " inflates beyond 512 MiB)");
        if (XML_Parse(xp.p, buf, static_cast<int>(n), n == 0) == XML_STATUS_ERROR)
            throw xlsx_error(name + " line " + std::to_string(XML_GetCurrentLineNumber(xp.p)) + ": " +
                             XML_ErrorString(XML_GetErrorCode(xp.p)));
        if (n == 0) break;
    }
    return true;
}

// xl/workbook.xml: the date system and the first visible sheet's relationship id.
struct workbook_sink : xml_sink {
    bool date1904 = false;
    std::string sheet_rel;
    void start(std::string_view name, const XML_Char** atts) override {
        if (name == "workbookPr") {
            if (const auto* v = attr(atts, "date1904")) date1904 = std::strcmp(v, "1") == 0 || std::strcmp(v, "true") == 0;
        } else if (name == "sheet" && sheet_rel.empty()) {
            const auto* state = attr(atts, "state");
            if (state && std::strcmp(state, "visible") != 0) return;
            if (const auto* id = attr(atts, "id")) sheet_rel = id;
        }
    }
    void end(std::string_view) override {}
};

// xl/_rels/workbook.xml.rels: relationship id → part name.
struct rels_sink : xml_sink {
    std::map<std::string, std::string> targets;
    void start(std::string_view name, const XML_Char** atts) override {
        if (name != "Relationship") return;
        const auto* id = attr(atts, "Id");
        const auto* target = attr(atts, "Target");
        if (id && target) targets[id] = target;
    }
    void end(std::string_view) override {}
};

// xl/sharedStrings.xml: each <si>'s text runs joined; phonetic runs (<rPh>) left out.
struct shared_strings_sink : xml_sink {
    std::vector<std::string> strings;
    std::string current;
    bool in_t = false;
    int in_phonetic = 0;
    void start(std::string_view name, const XML_Char**) override {
        if (name == "si") current.clear();
        if (name == "rPh") ++in_phonetic;
        if (name == "t" && !in_phonetic) in_t = true;
    }
    void end(std::string_view name) override {
        if (name == "t") in_t = false;
        if (name == "rPh") --in_phonetic;
        if (name == "si") strings.push_back(std::move(current));
    }
    void text(std::string_view s) override {
        if (in_t) current.append(s);
    }
};

// A number format shows a date or time when, outside quoted text, escapes and [brackets], it
// has a day, month, year, hour or second token ("General", "0.00", "#,##0" have none).
bool date_format_code(std::string_view code) {
    bool quoted = false, bracket = false;
    for (std::size_t i = 0; i < code.size(); ++i) {
        const char c = code[i];
        if (quoted) {
            quoted = c != '"';
            continue;
        }
        if (bracket) {
            bracket = c != ']';
            continue;
        }
        if (c == '"') quoted = true;
        else if (c == '[') bracket = true;
        else if (c == '\\' || c == '_' || c == '*') ++i;
        else if (std::strchr("dmyhsDMYHS", c)) return true;
    }
    return false;
}

// xl/styles.xml: for each cell format (<cellXfs><xf>), whether it shows a date.
struct styles_sink : xml_sink {
    std::map<int, std::string> custom;  // numFmtId → formatCode
    std::vector<int> xf_formats;
    bool in_cell_xfs = false;
    void start(std::string_view name, const XML_Char** atts) override {
        if (name == "numFmt") {
            const auto* id = attr(atts, "numFmtId");
            const auto* code = attr(atts, "formatCode");
            if (id && code) custom[std::atoi(id)] = code;
        } else if (name == "cellXfs") {
            in_cell_xfs = true;
        } else if (name == "xf" && in_cell_xfs) {
            const auto* id = attr(atts, "numFmtId");
            xf_formats.push_back(id ? std::atoi(id) : 0);
        }
    }
    void end(std::string_view name) override {
        if (name == "cellXfs") in_cell_xfs = false;
    }
    [[nodiscard]] std::vector<bool> date_styles() const {
        std::vector<bool> out;
        for (int id : xf_formats) {
            // Built-in date and time formats (ECMA-376 part 1, 18.8.30): 14–22 and 45–47.
            bool date = (id >= 14 && id <= 22) || (id >= 45 && id <= 47);
            if (auto it = custom.find(id); it != custom.end()) date = date_format_code(it->second);
            out.push_back(date);
        }
        return out;
    }
};

// "BC12" → column index 54 (0-based); nullopt-like -1 when it has no letters.
long column_of(std::string_view ref) {
    long col = 0;
    std::size_t i = 0;
    for (; i < ref.size() && ref[i] >= 'A' && ref[i] <= 'Z'; ++i) col = col * 26 + (ref[i] - 'A' + 1);
    return i == 0 ? -1 : col - 1;
}

// A worksheet: rows of cells, values resolved as described in the header.
struct sheet_sink : xml_sink {
    const std::vector<std::string>& shared;
    const std::vector<bool>& date_styles;
    bool date1904;
    std::vector<table_row>& rows;

    std::size_t row_number = 0;
    table_row row;
    bool in_row = false;
    long col = -1;
    std::string type;
    int style = 0;
    std::string value;
    bool collect = false;
    bool in_inline = false;
    int in_phonetic = 0;

    sheet_sink(const std::vector<std::string>& s, const std::vector<bool>& d, bool d1904, std::vector<table_row>& out)
        : shared(s), date_styles(d), date1904(d1904), rows(out) {}

    void start(std::string_view name, const XML_Char** atts) override {
        if (name == "row") {
            const auto* r = attr(atts, "r");
            row_number = r ? static_cast<std::size_t>(std::strtoul(r, nullptr, 10)) : row_number + 1;
            if (row_number == 0 || row_number > max_rows) throw xlsx_error("row number out of range in the worksheet");
            row = table_row{};
            row.line = row_number;
            in_row = true;
            col = -1;
        } else if (name == "c" && in_row) {
            const auto* r = attr(atts, "r");
            const long c = r ? column_of(r) : -1;
            col = c >= 0 ? c : col + 1;
            if (col >= static_cast<long>(max_columns)) throw xlsx_error("column out of range in the worksheet");
            const auto* t = attr(atts, "t");
            type = t ? t : "n";
            const auto* s = attr(atts, "s");
            style = s ? std::atoi(s) : 0;
            value.clear();
        } else if (name == "v") {
            collect = true;
        } else if (name == "is") {
            in_inline = true;
        } else if (name == "rPh") {
            ++in_phonetic;
        } else if (name == "t" && in_inline && !in_phonetic) {
            collect = true;
        }
    }

    void end(std::string_view name) override {
        if (name == "v" || name == "t") {
            collect = false;
        } else if (name == "is") {
            in_inline = false;
        } else if (name == "rPh") {
            --in_phonetic;
        } else if (name == "c" && in_row) {
            std::string text = cell_text();
            if (!text.empty()) {
                if (row.cells.size() <= static_cast<std::size_t>(col)) row.cells.resize(static_cast<std::size_t>(col) + 1);
                row.cells[static_cast<std::size_t>(col)] = std::move(text);
            }
        } else if (name == "row") {
            in_row = false;
            rows.push_back(std::move(row));
        }
    }

    void text(std::string_view s) override {
        if (collect) value.append(s);
    }

    std::string cell_text() {
        if (type == "s") {
            std::size_t idx = 0;
            auto [p, ec] = std::from_chars(value.data(), value.data() + value.size(), idx);
            if (ec != std::errc() || idx >= shared.size()) throw xlsx_error("a cell refers to a missing shared string");
            return shared[idx];
        }
        if (type == "inlineStr" || type == "str" || type == "d") return value;
        if (type == "b") return value == "1" ? "1" : "0";
        if (type == "e") return {};  // #N/A and friends: no value
        // A number: a date when its cell format shows one.
        if (!value.empty() && style >= 0 && static_cast<std::size_t>(style) < date_styles.size() &&
            date_styles[static_cast<std::size_t>(style)]) {
            char* end = nullptr;
            const double serial = std::strtod(value.c_str(), &end);
            if (end && *end == '\0') {
                std::string d = excel_serial_to_text(serial, date1904);
                if (!d.empty()) return d;
            }
        }
        return value;
    }
};

std::string part_of(const std::string& target) {
    if (!target.empty() && target[0] == '/') return target.substr(1);
    return "xl/" + target;
}

}  // namespace

export_table read_xlsx_table(std::string_view bytes) {
    export_table out;
    out.format = "xlsx";
    try {
        zip_error_t err;
        zip_error_init(&err);
        // The buffer outlives the archive (both die in this function), so libzip need not copy it.
        zip_source_t* src = zip_source_buffer_create(bytes.data(), bytes.size(), 0, &err);
        if (!src) throw xlsx_error(std::string("cannot read the workbook: ") + zip_error_strerror(&err));
        zip_archive a;
        a.za = zip_open_from_source(src, ZIP_RDONLY, &err);
        if (!a.za) {
            zip_source_free(src);
            std::string why = zip_error_strerror(&err);
            zip_error_fini(&err);
            throw xlsx_error("not a readable XLSX workbook (" + why + ")");
        }
        zip_error_fini(&err);

        workbook_sink wb;
        if (!parse_part(a.za, "xl/workbook.xml", wb)) throw xlsx_error("not an XLSX workbook (no xl/workbook.xml)");
        std::string sheet = "xl/worksheets/sheet1.xml";
        rels_sink rels;
        if (!wb.sheet_rel.empty() && parse_part(a.za, "xl/_rels/workbook.xml.rels", rels))
            if (auto it = rels.targets.find(wb.sheet_rel); it != rels.targets.end()) sheet = part_of(it->second);
        shared_strings_sink ss;
        parse_part(a.za, "xl/sharedStrings.xml", ss);
        styles_sink st;
        parse_part(a.za, "xl/styles.xml", st);
        const auto date_styles = st.date_styles();
        sheet_sink sh(ss.strings, date_styles, wb.date1904, out.rows);
        if (!parse_part(a.za, sheet, sh)) throw xlsx_error("the workbook has no worksheet " + sheet);
    } catch (const xlsx_error& e) {
        out.rows.clear();
        out.error = e.what();
    }
    return out;
}

}  // namespace bot
