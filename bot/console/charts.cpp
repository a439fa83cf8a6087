// Server-side SVG charts.
#include "bot/console/charts.hpp"

#include "bot/console/web.hpp"

#include <algorithm>
#include <cstdio>

namespace bot::console {

namespace {

std::string num(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.2f", v);
    std::string s = buf;
    while (!s.empty() && s.back() == '0') s.pop_back();
    if (!s.empty() && s.back() == '.') s.pop_back();
    return s;
}

}  // namespace

std::string column_chart(std::string_view label, const std::vector<chart_column>& columns,
                         const std::vector<std::string>& part_classes) {
    constexpr double width = 600, height = 160, gap = 2;
    double top = 0;
    for (const auto& c : columns) {
        double sum = 0;
        for (double p : c.parts) sum += std::max(0.0, p);
        top = std::max(top, sum);
    }
    std::string svg = "<svg class=\"chart\" viewBox=\"0 0 " + num(width) + " " + num(height) +
                      "\" preserveAspectRatio=\"none\" role=\"img\" aria-label=\"" + escape_html(label) +
                      "\" xmlns=\"http://www.w3.org/2000/svg\">";
    svg += "<line class=\"axis\" x1=\"0\" y1=\"" + num(height - 0.5) + "\" x2=\"" + num(width) + "\" y2=\"" +
           num(height - 0.5) + "\"/>";
    if (!columns.empty() && top > 0) {
        const double slot = width / static_cast<double>(columns.size());
        for (std::size_t i = 0; i < columns.size(); ++i) {
            const auto& c = columns[i];
            double y = height;
            svg += "<g><title>" + escape_html(c.title) + "</title>";
            for (std::size_t k = 0; k < c.parts.size(); ++k) {
                const double h = std::max(0.0, c.parts[k]) / top * (height - 4);
                if (h <= 0) continue;
                y -= h;
                const std::string cls = k < part_classes.size() ? part_classes[k] : "s" + std::to_string(k + 1);
                svg += "<rect class=\"" + escape_html(cls) + "\" x=\"" + num(static_cast<double>(i) * slot + gap / 2) +
                       "\" y=\"" + num(y) + "\" width=\"" + num(std::max(1.0, slot - gap)) + "\" height=\"" + num(h) + "\"/>";
            }
            svg += "</g>";
        }
    }
    return svg + "</svg>";
}

std::string stacked_bar(std::string_view label, const std::vector<double>& parts, const std::vector<std::string>& part_classes,
                        double max) {
    constexpr double width = 100, height = 10;
    std::string svg = "<svg class=\"bar\" viewBox=\"0 0 100 10\" preserveAspectRatio=\"none\" role=\"img\" aria-label=\"" +
                      escape_html(label) + "\" xmlns=\"http://www.w3.org/2000/svg\"><rect class=\"track\" x=\"0\" y=\"0\" width=\"100\" height=\"10\"/>";
    double x = 0;
    if (max > 0)
        for (std::size_t k = 0; k < parts.size(); ++k) {
            const double w = std::min(width - x, std::max(0.0, parts[k]) / max * width);
            if (w <= 0) continue;
            const std::string cls = k < part_classes.size() ? part_classes[k] : "s" + std::to_string(k + 1);
            svg += "<rect class=\"" + escape_html(cls) + "\" x=\"" + num(x) + "\" y=\"0\" width=\"" + num(w) + "\" height=\"" +
                   num(height) + "\"/>";
            x += w;
        }
    return svg + "</svg>";
}

}  // namespace bot::console
