// Export names and words → the project's fields, units, levels, channels and states.
#include "bot/dossiers/export_mapping.hpp"

#include "bot/core/config.hpp"
#include "bot/core/text_fold.hpp"
#include "bot/core/units.hpp"

#include <algorithm>

namespace bot {

namespace {

constexpr std::array<const char*, export_field_count> field_names = {
    "ma_ho_so", "thu_tuc", "linh_vuc", "cap", "don_vi", "kenh", "ngay_nhan", "han_tra", "ngay_tra", "can_bo", "so_dien_thoai",
    "trang_thai"};

// Header names one-stop systems use, folded (no case, no diacritics, single spaces), best first.
// The project's own column names fold to the first entry of each list ("ma_ho_so" → "ma ho so")
// or are listed.
struct default_headers {
    export_field field;
    std::vector<const char*> names;
};
const std::vector<default_headers>& header_defaults() {
    static const std::vector<default_headers> d = {
        {export_field::code, {"ma ho so", "so ho so", "ma hs", "so hs", "ma so ho so", "ma ho so tthc"}},
        {export_field::procedure,
         {"ten thu tuc", "thu tuc", "ten thu tuc hanh chinh", "thu tuc hanh chinh", "ten tthc", "tthc"}},
        {export_field::domain, {"linh vuc", "ten linh vuc"}},
        {export_field::level, {"cap", "cap giai quyet", "cap thuc hien", "cap hanh chinh"}},
        {export_field::unit,
         {"don vi", "don vi tiep nhan", "co quan tiep nhan", "noi tiep nhan", "don vi xu ly", "don vi giai quyet",
          "co quan giai quyet", "co quan thuc hien", "co quan"}},
        {export_field::channel,
         {"kenh", "kenh nop", "kenh tiep nhan", "hinh thuc nop", "hinh thuc tiep nhan", "phuong thuc nop", "hinh thuc"}},
        {export_field::received, {"ngay tiep nhan", "ngay nhan", "ngay nop", "thoi gian tiep nhan", "ngay gio tiep nhan"}},
        {export_field::due,
         {"ngay hen tra", "han tra", "ngay hen tra ket qua", "hen tra", "han giai quyet", "han xu ly", "ngay het han"}},
        {export_field::returned, {"ngay tra ket qua", "ngay tra", "ngay tra kq", "thoi gian tra ket qua"}},
        {export_field::official,
         {"can bo xu ly", "can bo", "nguoi xu ly", "can bo thu ly", "can bo giai quyet", "chuyen vien xu ly"}},
        {export_field::phone,
         {"so dien thoai", "dien thoai", "sdt", "so dt", "dien thoai lien he", "so dien thoai nguoi nop", "dt"}},
        {export_field::status,
         {"trang thai", "tinh trang", "trang thai ho so", "tinh trang ho so", "trang thai xu ly", "tinh trang xu ly"}},
    };
    return d;
}

// Status words as the exports write them, folded.
const std::vector<std::pair<const char*, storage::dossier_state>>& status_defaults() {
    using s = storage::dossier_state;
    static const std::vector<std::pair<const char*, s>> d = {
        {"da tiep nhan", s::received},      {"moi tiep nhan", s::received},       {"tiep nhan", s::received},
        {"cho tiep nhan", s::received},     {"da nhan", s::received},             {"moi", s::received},
        {"dang xu ly", s::processing},      {"dang giai quyet", s::processing},   {"cho xu ly", s::processing},
        {"dang tham dinh", s::processing},  {"cho phe duyet", s::processing},     {"cho ky", s::processing},
        {"chuyen xu ly", s::processing},    {"da chuyen xu ly", s::processing},   {"dang thu ly", s::processing},
        {"yeu cau bo sung", s::supplement}, {"cho bo sung", s::supplement},       {"bo sung ho so", s::supplement},
        {"dang bo sung", s::supplement},    {"yeu cau bo sung ho so", s::supplement},
        {"da co ket qua", s::result_ready}, {"co ket qua", s::result_ready},      {"cho tra ket qua", s::result_ready},
        {"da xu ly xong", s::result_ready}, {"da giai quyet", s::result_ready},
        {"da tra ket qua", s::returned},    {"da tra", s::returned},              {"tra ket qua", s::returned},
        {"hoan thanh", s::returned},        {"da hoan thanh", s::returned},       {"da tra kq", s::returned},
        {"rut ho so", s::withdrawn},        {"da rut ho so", s::withdrawn},       {"da rut", s::withdrawn},
        {"cong dan rut ho so", s::withdrawn}, {"to chuc ca nhan rut ho so", s::withdrawn}, {"rut", s::withdrawn},
    };
    return d;
}

// Channel words, folded. Longer phrases are matched as words inside the value too (see channel()).
const std::vector<std::pair<const char*, const char*>>& channel_defaults() {
    static const std::vector<std::pair<const char*, const char*>> d = {
        {"truc tuyen", "truc_tuyen"}, {"online", "truc_tuyen"},        {"dich vu cong", "truc_tuyen"},
        {"dvc", "truc_tuyen"},        {"qua mang", "truc_tuyen"},      {"buu chinh", "bcci"},
        {"bcci", "bcci"},             {"buu dien", "bcci"},             {"truc tiep", "truc_tiep"},
        {"tai quay", "truc_tiep"},    {"tai bo phan mot cua", "truc_tiep"}, {"nop truc tiep", "truc_tiep"},
    };
    return d;
}

// Words that name an office rather than the place it serves; removed from the front of a unit
// name before it is compared ("UBND xã Yên Thế" → "xã Yên Thế").
const std::vector<std::string>& office_prefixes() {
    static const std::vector<std::string> p = {
        "trung tam phuc vu hanh chinh cong", "bo phan tiep nhan va tra ket qua", "bo phan mot cua", "uy ban nhan dan",
        "ubnd", "tt phvhc", "tt phuc vu hanh chinh cong", "bp mot cua", "bo phan tn va tkq", "van phong"};
    return p;
}

// Words that say what kind of place a unit is ("xã", "phường", "thị trấn", ...).
const std::vector<std::string>& place_words() {
    static const std::vector<std::string> w = {"thi tran", "thi xa", "thanh pho", "xa", "phuong", "huyen", "quan", "tinh", "tp"};
    return w;
}

bool starts_with_word(const std::string& s, const std::string& w) {
    return s.size() > w.size() && s.compare(0, w.size(), w) == 0 && s[w.size()] == ' ';
}

std::string strip_offices(std::string s) {
    for (bool changed = true; changed;) {
        changed = false;
        for (const auto& p : office_prefixes())
            if (starts_with_word(s, p)) {
                s = s.substr(p.size() + 1);
                changed = true;
            }
    }
    return s;
}

std::string strip_place_word(const std::string& s) {
    for (const auto& w : place_words())
        if (starts_with_word(s, w)) return s.substr(w.size() + 1);
    return s;
}

std::string ascii_lower(std::string_view s) {
    std::string out(s);
    for (char& c : out)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return out;
}

std::string_view trim_spaces(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

bool contains_phrase(const std::string& hay, std::string_view phrase) {
    const std::string padded = " " + hay + " ";
    return padded.find(" " + std::string(phrase) + " ") != std::string::npos;
}

}  // namespace

const char* field_name(export_field f) { return field_names[static_cast<std::size_t>(f)]; }

std::optional<export_field> field_from_name(std::string_view name) {
    for (std::size_t i = 0; i < field_names.size(); ++i)
        if (name == field_names[i]) return static_cast<export_field>(i);
    return std::nullopt;
}

export_mapping::export_mapping(const config& cfg) : cfg_(cfg) {
    // Headers: configured names rank before the defaults; the first name for a folded form wins.
    auto add_header = [this](std::string_view name, export_field f, std::size_t rank) {
        headers_.emplace(fold_text(name), header_match{f, rank});
    };
    for (const auto& [field, names] : cfg.imports.columns)
        if (auto f = field_from_name(field))
            for (std::size_t i = 0; i < names.size(); ++i) add_header(names[i], *f, i);
    for (const auto& d : header_defaults())
        for (std::size_t i = 0; i < d.names.size(); ++i) add_header(d.names[i], d.field, 100 + i);

    // Units: every form of every unit's id, name, desk and former names, each with how strongly
    // it names the unit; which of several units a shared form means is decided by date in unit_id().
    auto add_unit = [this](const std::string& form, const std::string& id, int rank) {
        if (form.empty()) return;
        auto& list = units_[form];
        for (auto& c : list)
            if (c.id == id) {
                c.rank = std::min(c.rank, rank);
                return;
            }
        list.push_back({rank, id});
    };
    for (const auto& u : cfg.units) {
        unit_ids_[ascii_lower(u.id)] = u.id;
        add_unit(fold_text(u.id), u.id, 3);
        // Its name, desk and address now, and the names it had before (a rename, such as a
        // commune becoming a ward, is the same unit).
        std::vector<const std::string*> names = {&u.name, &u.address, &u.desk_name};
        for (const auto& f : u.former_names) names.push_back(&f.name);
        for (const std::string* name : names) {
            const std::string full = strip_offices(fold_text(*name));
            add_unit(full, u.id, 1);
            add_unit(strip_place_word(full), u.id, 2);
        }
    }
    for (const auto& [name, id] : cfg.imports.units) {
        auto& list = units_[fold_text(name)];
        list.erase(std::remove_if(list.begin(), list.end(), [](const unit_candidate& c) { return c.rank == 0; }), list.end());
        list.push_back({0, id});
    }

    for (const auto& l : cfg.levels) {
        levels_[fold_text(l.id)] = l.id;
        const std::string label = fold_text(l.label);
        levels_[label] = l.id;
        if (starts_with_word(label, "cap")) levels_[label.substr(4)] = l.id;
    }

    for (const auto& [word, ch] : channel_defaults()) channels_[word] = ch;
    for (const auto& [word, ch] : cfg.imports.channels) channels_[fold_text(word)] = ch;

    for (const auto& [word, st] : status_defaults()) statuses_[word] = st;
    for (const auto& [word, st] : cfg.imports.statuses)
        if (auto s = storage::dossier_state_from(st)) statuses_[fold_text(word)] = *s;
}

std::optional<export_mapping::header_match> export_mapping::match_header(std::string_view header) const {
    auto it = headers_.find(fold_text(header));
    if (it == headers_.end()) return std::nullopt;
    return it->second;
}

std::optional<std::string> export_mapping::unit_id(std::string_view text, std::string_view date) const {
    // A configured id as written wins over any name ("yen_the" is not "huyện Yên Thế").
    if (auto it = unit_ids_.find(ascii_lower(trim_spaces(text))); it != unit_ids_.end()) return it->second;
    const std::string folded = fold_text(text);
    if (folded.empty()) return std::nullopt;
    for (const std::string& form : {folded, strip_offices(folded), strip_place_word(strip_offices(folded))}) {
        auto it = units_.find(form);
        if (it == units_.end()) continue;
        // The strongest reading first; among units read equally strongly, the one that existed on
        // the date. Several then (or none, and several names) is ambiguous: try a shorter form.
        for (int rank = 0; rank <= 3; ++rank) {
            std::vector<const std::string*> ids, then;
            for (const auto& c : it->second) {
                if (c.rank != rank) continue;
                ids.push_back(&c.id);
                const unit_config* u = cfg_.find_unit(c.id);
                if (!date.empty() && u && exists_on(*u, date)) then.push_back(&c.id);
            }
            if (ids.empty()) continue;
            if (ids.size() == 1) return *ids.front();  // one unit by that name (a merged one resolves later)
            if (then.size() == 1) return *then.front();
            break;
        }
    }
    return std::nullopt;
}

std::optional<std::string> export_mapping::level_id(std::string_view text) const {
    auto it = levels_.find(fold_text(text));
    if (it == levels_.end()) return std::nullopt;
    return it->second;
}

std::optional<std::string> export_mapping::channel(std::string_view text) const {
    const std::string folded = fold_text(text);
    if (auto it = channels_.find(folded); it != channels_.end()) return it->second;
    // "Nộp hồ sơ trực tuyến (mức độ 4)", "Qua dịch vụ BCCI": a known word inside the value.
    std::optional<std::string> found;
    for (const auto& [word, ch] : channels_)
        if (contains_phrase(folded, word)) {
            if (found && *found != ch) return std::nullopt;  // two channels named: do not guess
            found = ch;
        }
    return found;
}

std::optional<storage::dossier_state> export_mapping::status(std::string_view text) const {
    const std::string folded = fold_text(text);
    if (auto it = statuses_.find(folded); it != statuses_.end()) return it->second;
    // Longer wordings of the same statuses ("Đang xử lý tại phòng chuyên môn", "Chờ công dân bổ
    // sung giấy tờ"): the tell-tale words, most specific first.
    using s = storage::dossier_state;
    if (contains_phrase(folded, "bo sung")) return s::supplement;
    if (contains_phrase(folded, "rut ho so") || starts_with_word(folded, "rut")) return s::withdrawn;
    if (contains_phrase(folded, "co ket qua") || contains_phrase(folded, "cho tra")) return s::result_ready;
    if (contains_phrase(folded, "da tra")) return s::returned;
    if (starts_with_word(folded, "dang") || starts_with_word(folded, "cho") || contains_phrase(folded, "xu ly"))
        return s::processing;
    if (contains_phrase(folded, "tiep nhan")) return s::received;
    return std::nullopt;
}

std::optional<std::string> normalize_phone(std::string_view text) {
    // The first number: stop at a list separator once digits were seen.
    std::string digits;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (c >= '0' && c <= '9') {
            digits.push_back(c);
        } else if (!digits.empty() && (c == ',' || c == ';' || c == '/' || c == '|' || c == '\n' ||
                                       (c == '-' && i + 1 < text.size() && text[i + 1] == ' ' && i > 0 && text[i - 1] == ' '))) {
            break;
        }
    }
    if (digits.size() >= 11 && digits.compare(0, 2, "84") == 0) digits = "0" + digits.substr(2);
    if (digits.size() == 9 && digits[0] != '0') digits = "0" + digits;  // a spreadsheet number lost its 0
    if (digits.size() < 10 || digits.size() > 11 || digits[0] != '0') return std::nullopt;
    return digits;
}

}  // namespace bot
