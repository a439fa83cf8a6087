// What the columns and values of a one-stop export mean: header names, unit names, channel and
// status words, phones. Defaults for the usual Vietnamese exports, extended by [import].
#pragma once

#include "storage/dossier_repository.hpp"

#include <array>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace bot {

struct config;

/// The fields an export carries, in the project's CSV names.
enum class export_field {
    code,        ///< ma_ho_so
    procedure,   ///< thu_tuc
    domain,      ///< linh_vuc
    level,       ///< cap
    unit,        ///< don_vi
    channel,     ///< kenh
    received,    ///< ngay_nhan
    due,         ///< han_tra
    returned,    ///< ngay_tra
    official,    ///< can_bo
    phone,       ///< so_dien_thoai
    status,      ///< trang_thai
};
inline constexpr std::size_t export_field_count = 12;

/// "ma_ho_so", "thu_tuc", ... (the project's CSV column and JSON key).
[[nodiscard]] const char* field_name(export_field f);
/// The field with this project name, or nullopt.
[[nodiscard]] std::optional<export_field> field_from_name(std::string_view name);

/// The meaning of an export's names and words, built once from the configuration.
class export_mapping {
public:
    /// Defaults plus [import] (columns, units, statuses, channels) and the configured units and levels.
    explicit export_mapping(const config& cfg);

    /// The field a header names ("Ngày hẹn trả", "NGAY HEN TRA", "han_tra"), with its rank
    /// (lower is a better name for it: a configured name, then the defaults in order).
    struct header_match {
        export_field field;
        std::size_t rank;
    };
    [[nodiscard]] std::optional<header_match> match_header(std::string_view header) const;

    /// The unit id for a unit as exported: its id as configured ("tan_soi"), a name in
    /// [import.units], its configured name, desk or former name ("xã Tân Sỏi"), that name after
    /// "UBND", "Trung tâm Phục vụ hành chính công", "Bộ phận Một cửa" ..., or its name without
    /// "xã"/"phường". A name several units carried (the district "huyện Yên Thế" and the later
    /// "xã Yên Thế" are both "Yên Thế") resolves to the one that existed on `date` ('YYYY-MM-DD',
    /// the day the dossier was received; "" = no date known); nullopt when unknown or still ambiguous.
    [[nodiscard]] std::optional<std::string> unit_id(std::string_view text, std::string_view date = {}) const;
    /// The level id for "Cấp xã", "xa", "Xã"; nullopt when unknown.
    [[nodiscard]] std::optional<std::string> level_id(std::string_view text) const;
    /// truc_tuyen | truc_tiep | bcci for "Trực tuyến", "Nộp trực tiếp", "Dịch vụ bưu chính công ích", ...
    [[nodiscard]] std::optional<std::string> channel(std::string_view text) const;
    /// The state for "Đã tiếp nhận", "Đang xử lý", "Yêu cầu bổ sung", "Đã có kết quả",
    /// "Đã trả kết quả", "Rút hồ sơ", ... (and [import.statuses]).
    [[nodiscard]] std::optional<storage::dossier_state> status(std::string_view text) const;

private:
    std::unordered_map<std::string, header_match> headers_;  // folded header → field
    /// A unit a name form may mean; lower rank is a stronger reading of the text.
    struct unit_candidate {
        int rank;  ///< 0 [import.units], 1 full name, 2 name without its place word, 3 the id folded
        std::string id;
    };
    std::unordered_map<std::string, std::string> unit_ids_;  // configured id, ASCII lower case → id
    std::unordered_map<std::string, std::vector<unit_candidate>> units_;  // folded name form → candidates
    const config& cfg_;
    std::unordered_map<std::string, std::string> levels_;    // folded level form → id
    std::unordered_map<std::string, std::string> channels_;  // folded word → channel
    std::unordered_map<std::string, storage::dossier_state> statuses_;
};

/// A phone as digits in national form: "0987 654 321", "+84 987.654.321", "84987654321" and a
/// number that lost its leading 0 in a spreadsheet ("987654321") all give "0987654321". The first
/// number when several are listed. nullopt when no 9–11 digit number is there.
[[nodiscard]] std::optional<std::string> normalize_phone(std::string_view text);

}  // namespace bot
