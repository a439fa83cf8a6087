// Charts drawn on the server as SVG (no script, no inline style: colours come from console.css
// through class names), each with a text alternative.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace bot::console {

/// One column of a column chart: stacked parts from the bottom, and its tooltip.
struct chart_column {
    std::string title;          ///< tooltip and accessible text, e.g. "12/06: 34 câu hỏi"
    std::vector<double> parts;  ///< values, bottom first
};

/// A column chart (e.g. messages per day), scaled to the tallest column. `part_classes[i]` is the
/// CSS class of part i (the legend is HTML beside it). The SVG has role="img" and `label`.
[[nodiscard]] std::string column_chart(std::string_view label, const std::vector<chart_column>& columns,
                                       const std::vector<std::string>& part_classes);

/// A one-line stacked bar (a table cell's chart): parts scaled against `max`.
[[nodiscard]] std::string stacked_bar(std::string_view label, const std::vector<double>& parts,
                                      const std::vector<std::string>& part_classes, double max);

}  // namespace bot::console
