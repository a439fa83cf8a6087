// The report as an XLSX workbook: the annex table and one sheet per part, every label from the catalogue.
#include "bot/reports/report_format.hpp"
#include "bot/reports/report_format_detail.hpp"

#include "bot/core/messages.hpp"

#include <xlsxwriter.h>

#include <array>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <random>
#include <sstream>
#include <stdexcept>

namespace bot {

using namespace report_detail;

namespace {

std::string roman(std::size_t n) {
    static const std::array<std::pair<int, const char*>, 9> table{
        {{100, "C"}, {90, "XC"}, {50, "L"}, {40, "XL"}, {10, "X"}, {9, "IX"}, {5, "V"}, {4, "IV"}, {1, "I"}}};
    std::string out;
    auto v = static_cast<int>(n);
    for (const auto& [value, s] : table)
        while (v >= value) {
            out += s;
            v -= value;
        }
    return out;
}

struct workbook_deleter {
    void operator()(lxw_workbook* wb) const {
        if (wb) workbook_close(wb);
    }
};

struct formats {
    lxw_format* title;
    lxw_format* subtitle;
    lxw_format* header;
    lxw_format* text;
    lxw_format* number;
    lxw_format* percent;
    lxw_format* center;
    lxw_format* bold_text;
    lxw_format* bold_number;
    lxw_format* bold_percent;
    lxw_format* bold_center;
};

lxw_format* make_format(lxw_workbook* wb, bool bold, bool border, const char* num_format, uint8_t align,
                        std::uint32_t bg = 0) {
    lxw_format* f = workbook_add_format(wb);
    format_set_font_name(f, "Times New Roman");
    format_set_font_size(f, 12);
    if (bold) format_set_bold(f);
    if (border) format_set_border(f, LXW_BORDER_THIN);
    if (num_format) format_set_num_format(f, num_format);
    if (align != LXW_ALIGN_NONE) format_set_align(f, align);
    format_set_align(f, LXW_ALIGN_VERTICAL_CENTER);
    if (bg) format_set_bg_color(f, bg);
    return f;
}

formats make_formats(lxw_workbook* wb) {
    formats f{};
    f.title = make_format(wb, true, false, nullptr, LXW_ALIGN_CENTER);
    format_set_font_size(f.title, 14);
    f.subtitle = make_format(wb, false, false, nullptr, LXW_ALIGN_CENTER);
    format_set_italic(f.subtitle);
    f.header = make_format(wb, true, true, nullptr, LXW_ALIGN_CENTER, 0xDDEBF7);
    format_set_text_wrap(f.header);
    f.text = make_format(wb, false, true, nullptr, LXW_ALIGN_LEFT);
    format_set_text_wrap(f.text);
    f.number = make_format(wb, false, true, "#,##0", LXW_ALIGN_NONE);
    f.percent = make_format(wb, false, true, "0.00%", LXW_ALIGN_NONE);
    f.center = make_format(wb, false, true, nullptr, LXW_ALIGN_CENTER);
    // Subtotal and total rows: bold on a light fill, as the annex sets them apart.
    f.bold_text = make_format(wb, true, true, nullptr, LXW_ALIGN_LEFT, 0xF2F2F2);
    f.bold_number = make_format(wb, true, true, "#,##0", LXW_ALIGN_NONE, 0xF2F2F2);
    f.bold_percent = make_format(wb, true, true, "0.00%", LXW_ALIGN_NONE, 0xF2F2F2);
    f.bold_center = make_format(wb, true, true, nullptr, LXW_ALIGN_CENTER, 0xF2F2F2);
    return f;
}

void write_rate(lxw_worksheet* ws, lxw_row_t row, lxw_col_t col, std::optional<double> rate, lxw_format* fmt) {
    if (rate)
        worksheet_write_number(ws, row, col, static_cast<double>(hundredths(*rate)) / 10000.0, fmt);
    else
        worksheet_write_blank(ws, row, col, fmt);
}

// One row of the result table: STT, name, then the counters as numbers and the rates as percentages.
void result_row(lxw_worksheet* ws, lxw_row_t row, const std::string& stt, const std::string& name,
                const dossier_figures& f, const formats& fm, bool bold) {
    worksheet_write_string(ws, row, 0, stt.c_str(), bold ? fm.bold_center : fm.center);
    worksheet_write_string(ws, row, 1, name.c_str(), bold ? fm.bold_text : fm.text);
    const std::array<std::int64_t, 10> values{f.total,   f.c.online,  f.offline, f.c.carried_over, f.c.resolved,
                                              f.c.early, f.c.on_time, f.c.late,  f.pending,        f.c.pending_overdue};
    lxw_col_t col = 2;
    for (auto v : values)
        worksheet_write_number(ws, row, col++, static_cast<double>(v), bold ? fm.bold_number : fm.number);
    write_rate(ws, row, col++, f.online_rate, bold ? fm.bold_percent : fm.percent);
    write_rate(ws, row, col++, f.on_time_rate, bold ? fm.bold_percent : fm.percent);
}

// Every sheet prints on A4, one page wide.
lxw_worksheet* add_sheet(lxw_workbook* wb, const char* name, bool landscape) {
    lxw_worksheet* ws = workbook_add_worksheet(wb, name);
    if (landscape) worksheet_set_landscape(ws);
    worksheet_set_paper(ws, 9);  // A4
    worksheet_fit_to_pages(ws, 1, 0);
    return ws;
}

void header_cells(lxw_worksheet* ws, lxw_row_t row, const std::vector<std::string>& headers, const formats& fm) {
    for (std::size_t i = 0; i < headers.size(); ++i)
        worksheet_write_string(ws, row, static_cast<lxw_col_t>(i), headers[i].c_str(), fm.header);
}

/// A portrait sheet with a title and the period merged across its columns, and the header row at
/// row 3; data starts at row 4.
lxw_worksheet* titled_sheet(lxw_workbook* wb, const char* name, const char* title, const std::string& period,
                            const std::vector<std::string>& headers, const formats& fm) {
    lxw_worksheet* ws = add_sheet(wb, name, false);
    const auto last = static_cast<lxw_col_t>(headers.size() - 1);
    worksheet_merge_range(ws, 0, 0, 0, last, title, fm.title);
    worksheet_merge_range(ws, 1, 0, 1, last, period.c_str(), fm.subtitle);
    header_cells(ws, 3, headers, fm);
    return ws;
}

/// The catalogue's labels as C strings for libxlsxwriter (which copies what it is given), each
/// rendered once.
class labels {
public:
    explicit labels(const message_catalog& texts) : texts_(texts) {}
    const char* operator()(const std::string& key) {
        auto [it, fresh] = cache_.try_emplace(key);
        if (fresh) it->second = texts_.render(key);
        return it->second.c_str();
    }

private:
    const message_catalog& texts_;
    std::map<std::string, std::string> cache_;
};

}  // namespace

namespace {

void fill_workbook(const report& r, const message_catalog& texts, const std::string& path) {
    std::unique_ptr<lxw_workbook, workbook_deleter> owner(workbook_new(path.c_str()));
    lxw_workbook* wb = owner.get();
    if (!wb) throw std::runtime_error("cannot create workbook " + path);
    const formats fm = make_formats(wb);
    labels label(texts);
    const std::string period = texts.render("xlsx_period", {{"from", vn_date(r.from)}, {"to", vn_date(r.to)}});
    const std::string as_of = texts.render("report_as_of", {{"as_of", vn_date(r.as_of)}});

    // Sheet 1: the annex table, by level and unit.
    lxw_worksheet* ws = add_sheet(wb, label("xlsx_results_sheet"), true);
    worksheet_merge_range(ws, 0, 0, 0, 13, label("xlsx_results_title"), fm.title);
    worksheet_merge_range(ws, 1, 0, 1, 13, ("(" + period + ")").c_str(), fm.subtitle);
    const lxw_row_t h1 = 3, h2 = 4;
    worksheet_merge_range(ws, h1, 0, h2, 0, label("xlsx_no"), fm.header);
    worksheet_merge_range(ws, h1, 1, h2, 1, label("xlsx_level_unit"), fm.header);
    worksheet_merge_range(ws, h1, 2, h1, 5, label("xlsx_received"), fm.header);
    worksheet_merge_range(ws, h1, 6, h1, 9, label("xlsx_resolved"), fm.header);
    worksheet_merge_range(ws, h1, 10, h1, 11, label("xlsx_pending"), fm.header);
    worksheet_merge_range(ws, h1, 12, h2, 12, label("xlsx_online_rate"), fm.header);
    worksheet_merge_range(ws, h1, 13, h2, 13, label("xlsx_on_time_rate"), fm.header);
    const std::array<const char*, 10> sub{label("xlsx_total"),        label("xlsx_online"), label("xlsx_offline"),
                                          label("xlsx_carried_over"), label("xlsx_total"),  label("xlsx_early"),
                                          label("xlsx_on_time"),      label("xlsx_late"),   label("xlsx_total"),
                                          label("xlsx_late")};
    for (std::size_t i = 0; i < sub.size(); ++i)
        worksheet_write_string(ws, h2, static_cast<lxw_col_t>(2 + i), sub[i], fm.header);
    worksheet_set_row(ws, h1, 32, nullptr);
    worksheet_set_row(ws, h2, 48, nullptr);
    // Column numbers under the header, as in the annex: (1) (2) ...
    for (lxw_col_t c = 0; c <= 13; ++c)
        worksheet_write_string(ws, h2 + 1, c, ("(" + std::to_string(c + 1) + ")").c_str(), fm.subtitle);

    std::size_t name_width = 22;
    lxw_row_t row = h2 + 2;
    std::size_t level_no = 0;
    for (const auto& l : r.levels) {
        result_row(ws, row++, roman(++level_no), l.label, l.fig, fm, true);
        name_width = std::max(name_width, l.label.size());
        std::size_t unit_no = 0;
        for (const auto& u : l.units) {
            result_row(ws, row++, std::to_string(++unit_no), u.name, u.fig, fm, false);
            // UTF-8 Vietnamese runs about 1.3 bytes a letter.
            name_width = std::max(name_width, u.name.size() * 10 / 13 + 2);
        }
    }
    result_row(ws, row++, "", label("xlsx_grand_total"), r.totals, fm, true);
    worksheet_merge_range(ws, row + 1, 0, row + 1, 13, as_of.c_str(), fm.text);
    worksheet_set_column(ws, 0, 0, 6, nullptr);
    worksheet_set_column(ws, 1, 1, static_cast<double>(std::min<std::size_t>(name_width, 45)), nullptr);
    worksheet_set_column(ws, 2, 11, 11, nullptr);
    worksheet_set_column(ws, 12, 13, 14, nullptr);
    worksheet_freeze_panes(ws, h2 + 2, 2);

    // Late and pending-overdue dossiers by procedure.
    lxw_worksheet* wp = add_sheet(wb, label("xlsx_late_sheet"), false);
    worksheet_merge_range(wp, 0, 0, 0, 4, label("xlsx_late_title"), fm.title);
    header_cells(wp, 2,
                 {label("xlsx_level"), label("xlsx_unit"), label("xlsx_procedure"), label("xlsx_resolved_late"),
                  label("xlsx_pending_overdue")},
                 fm);
    row = 3;
    for (const auto& l : r.levels) {
        for (const auto& u : l.units) {
            std::map<std::string, std::pair<std::int64_t, std::int64_t>> per;
            for (const auto& [p, n] : u.fig.late_by_procedure) per[p].first = n;
            for (const auto& [p, n] : u.fig.pending_overdue_by_procedure) per[p].second = n;
            for (const auto& [p, n] : per) {
                worksheet_write_string(wp, row, 0, l.label.c_str(), fm.text);
                worksheet_write_string(wp, row, 1, u.name.c_str(), fm.text);
                worksheet_write_string(wp, row, 2, p.c_str(), fm.text);
                worksheet_write_number(wp, row, 3, static_cast<double>(n.first), fm.number);
                worksheet_write_number(wp, row, 4, static_cast<double>(n.second), fm.number);
                ++row;
            }
        }
    }
    worksheet_set_column(wp, 0, 0, 14, nullptr);
    worksheet_set_column(wp, 1, 1, 26, nullptr);
    worksheet_set_column(wp, 2, 2, 50, nullptr);
    worksheet_set_column(wp, 3, 4, 16, nullptr);

    // Conversations.
    const auto& c = r.conversations;
    lxw_worksheet* wc = titled_sheet(wb, label("xlsx_conversations_sheet"), label("xlsx_conversations_title"), period,
                                     {label("xlsx_metric"), label("xlsx_value")}, fm);
    row = 4;
    auto metric = [&](lxw_worksheet* sheet, const char* name, double value, lxw_format* f) {
        worksheet_write_string(sheet, row, 0, name, fm.text);
        worksheet_write_number(sheet, row, 1, value, f);
        ++row;
    };
    metric(wc, label("xlsx_questions"), static_cast<double>(c.questions), fm.number);
    metric(wc, label("xlsx_citizens"), static_cast<double>(c.citizens), fm.number);
    metric(wc, label("xlsx_answered"), static_cast<double>(c.answered), fm.number);
    if (auto rate = percent_of(c.answered, c.questions)) {
        worksheet_write_string(wc, row, 0, label("xlsx_answered_rate"), fm.text);
        write_rate(wc, row++, 1, rate, fm.percent);
    }
    metric(wc, label("xlsx_clarified"), static_cast<double>(c.clarified), fm.number);
    metric(wc, label("xlsx_fallbacks"), static_cast<double>(c.fallbacks), fm.number);
    metric(wc, label("xlsx_handoffs"), static_cast<double>(c.handoffs), fm.number);
    if (c.median_handoff_answer_ms)
        metric(wc, label("xlsx_handoff_minutes"),
               std::round(static_cast<double>(*c.median_handoff_answer_ms) / 600.0) / 100.0, fm.number);
    if (c.median_reply_latency_ms)
        metric(wc, label("xlsx_reply_latency_ms"), static_cast<double>(*c.median_reply_latency_ms), fm.number);
    ++row;
    header_cells(wc, row++, {label("xlsx_top_topics"), label("xlsx_count")}, fm);
    for (const auto& [t, n] : c.top_topics) {
        auto it = r.topic_titles.find(t);
        metric(wc, (it == r.topic_titles.end() ? t : it->second).c_str(), static_cast<double>(n), fm.number);
    }
    ++row;
    header_cells(wc, row++, {label("xlsx_top_unanswered"), label("xlsx_count")}, fm);
    for (const auto& [t, n] : c.top_unanswered) metric(wc, t.c_str(), static_cast<double>(n), fm.number);
    worksheet_set_column(wc, 0, 0, 60, nullptr);
    worksheet_set_column(wc, 1, 1, 14, nullptr);

    // Reminders per unit.
    lxw_worksheet* wr = titled_sheet(wb, label("xlsx_reminders_sheet"), label("xlsx_reminders_title"), period,
                                     {label("xlsx_no"), label("xlsx_unit"), label("xlsx_due_soon"), label("xlsx_late"),
                                      label("xlsx_escalations"), label("xlsx_digests")},
                                     fm);
    row = 4;
    std::size_t n_unit = 0;
    for (const auto& u : r.reminders) {
        worksheet_write_number(wr, row, 0, static_cast<double>(++n_unit), fm.center);
        worksheet_write_string(wr, row, 1, u.name.c_str(), fm.text);
        worksheet_write_number(wr, row, 2, static_cast<double>(u.counts.due_soon), fm.number);
        worksheet_write_number(wr, row, 3, static_cast<double>(u.counts.overdue), fm.number);
        worksheet_write_number(wr, row, 4, static_cast<double>(u.counts.escalation), fm.number);
        worksheet_write_number(wr, row, 5, static_cast<double>(u.counts.digest), fm.number);
        ++row;
    }
    worksheet_write_string(wr, row, 0, "", fm.bold_center);
    worksheet_write_string(wr, row, 1, label("xlsx_grand_total"), fm.bold_text);
    worksheet_write_number(wr, row, 2, static_cast<double>(r.reminder_totals.due_soon), fm.bold_number);
    worksheet_write_number(wr, row, 3, static_cast<double>(r.reminder_totals.overdue), fm.bold_number);
    worksheet_write_number(wr, row, 4, static_cast<double>(r.reminder_totals.escalation), fm.bold_number);
    worksheet_write_number(wr, row, 5, static_cast<double>(r.reminder_totals.digest), fm.bold_number);
    row += 2;
    worksheet_write_string(wr, row, 1, label("xlsx_reminded_then_resolved"), fm.text);
    worksheet_write_number(wr, row, 2, static_cast<double>(r.reminded_then_resolved), fm.number);
    worksheet_set_column(wr, 0, 0, 6, nullptr);
    worksheet_set_column(wr, 1, 1, 40, nullptr);
    worksheet_set_column(wr, 2, 5, 14, nullptr);

    // Broadcasts.
    const auto& b = r.broadcasts;
    lxw_worksheet* wb2 = titled_sheet(wb, label("xlsx_broadcasts_sheet"), label("xlsx_broadcasts_title"), period,
                                      {label("xlsx_metric"), label("xlsx_value")}, fm);
    row = 4;
    metric(wb2, label("xlsx_broadcasts"), static_cast<double>(b.count), fm.number);
    metric(wb2, label("xlsx_recipients"), static_cast<double>(b.recipients), fm.number);
    metric(wb2, label("xlsx_sent"), static_cast<double>(b.sent), fm.number);
    metric(wb2, label("xlsx_delivered"), static_cast<double>(b.received), fm.number);
    metric(wb2, label("xlsx_seen"), static_cast<double>(b.seen), fm.number);
    metric(wb2, label("xlsx_failed"), static_cast<double>(b.failed), fm.number);
    worksheet_set_column(wb2, 0, 0, 36, nullptr);
    worksheet_set_column(wb2, 1, 1, 14, nullptr);

    // Citizens following their dossiers.
    const auto& dn = r.dossier_notices;
    lxw_worksheet* wn = titled_sheet(wb, label("xlsx_follows_sheet"), label("xlsx_follows_title"), period,
                                     {label("xlsx_metric"), label("xlsx_value")}, fm);
    row = 4;
    metric(wn, label("xlsx_follows"), static_cast<double>(dn.follows), fm.number);
    metric(wn, label("xlsx_notices"), static_cast<double>(dn.notices), fm.number);
    metric(wn, label("xlsx_notices_zalo"), static_cast<double>(dn.zalo), fm.number);
    metric(wn, label("xlsx_notices_zns"), static_cast<double>(dn.zns), fm.number);
    metric(wn, label("xlsx_notices_undeliverable"), static_cast<double>(dn.undeliverable), fm.number);
    metric(wn, label("xlsx_notices_result_ready"), static_cast<double>(dn.result_ready), fm.number);
    metric(wn, label("xlsx_notices_apologies"), static_cast<double>(dn.apologies), fm.number);
    worksheet_set_column(wn, 0, 0, 44, nullptr);
    worksheet_set_column(wn, 1, 1, 14, nullptr);

    // Per Official Account, when there are several (or one was asked for).
    if (!r.by_oa.empty()) {
        lxw_worksheet* wo = titled_sheet(wb, label("xlsx_oa_sheet"), label("xlsx_oa_title"), period,
                                         {label("xlsx_oa"), label("xlsx_questions"), label("xlsx_citizens"),
                                          label("xlsx_answered"), label("xlsx_broadcasts"), label("xlsx_recipients"),
                                          label("xlsx_seen")},
                                         fm);
        row = 4;
        for (const auto& o : r.by_oa) {
            const auto& f = o.fig;
            worksheet_write_string(wo, row, 0, o.name.c_str(), fm.text);
            const std::array<std::int64_t, 6> values{f.questions,  f.citizens,           f.answered,
                                                     f.broadcasts, f.broadcast_messages, f.broadcast_seen};
            lxw_col_t col = 1;
            for (auto v : values) worksheet_write_number(wo, row, col++, static_cast<double>(v), fm.number);
            ++row;
        }
        worksheet_set_column(wo, 0, 0, 36, nullptr);
        worksheet_set_column(wo, 1, 6, 14, nullptr);
    }

    // Warnings: the dossiers left out of the figures, and why.
    lxw_worksheet* ww = add_sheet(wb, label("xlsx_warnings_sheet"), true);
    worksheet_merge_range(ww, 0, 0, 0, 6, label("xlsx_warnings_title"), fm.title);
    header_cells(ww, 2,
                 {label("xlsx_reason"), label("xlsx_code"), label("xlsx_level"), label("xlsx_unit"),
                  label("xlsx_received_on"), label("xlsx_due_on"), label("xlsx_returned_on")},
                 fm);
    row = 3;
    for (const auto& w : r.warnings) {
        const std::string reason = texts.render("report_reason_" + w.kind);
        for (const auto& it : w.items) {
            const std::array<std::string, 7> cells{reason,         it.code,   it.level,      it.unit,
                                                   it.received_on, it.due_on, it.returned_on};
            for (std::size_t i = 0; i < cells.size(); ++i)
                worksheet_write_string(ww, row, static_cast<lxw_col_t>(i), cells[i].c_str(), fm.text);
            ++row;
        }
    }
    worksheet_set_column(ww, 0, 0, 50, nullptr);
    worksheet_set_column(ww, 1, 1, 30, nullptr);
    worksheet_set_column(ww, 2, 6, 13, nullptr);

    lxw_error err = workbook_close(owner.release());
    if (err != LXW_NO_ERROR) throw std::runtime_error("cannot write workbook " + path + ": " + lxw_strerror(err));
}

}  // namespace

void write_xlsx(const report& r, const message_catalog& texts, const std::string& path) {
    try {
        fill_workbook(r, texts, path);
    } catch (...) {
        // A label missing from the catalogue (or a write error) leaves no half-made workbook behind.
        std::error_code ec;
        std::filesystem::remove(path, ec);
        throw;
    }
}

std::string to_xlsx(const report& r, const message_catalog& texts) {
    std::random_device rd;
    const auto path = std::filesystem::temp_directory_path() /
                      ("cchcbot-report-" + std::to_string(rd()) + std::to_string(rd()) + ".xlsx");
    struct remover {
        std::filesystem::path p;
        ~remover() {
            std::error_code ec;
            std::filesystem::remove(p, ec);
        }
    } cleanup{path};
    write_xlsx(r, texts, path.string());
    std::ifstream in(path, std::ios::binary);
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

}  // namespace bot
