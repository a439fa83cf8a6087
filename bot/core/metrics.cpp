// Prometheus text exposition.
#include "bot/core/metrics.hpp"

#include <array>
#include <sstream>

namespace bot {

namespace {
constexpr std::array<double, 12> bucket_bounds = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5};

std::string escape(const std::string& v) {
    std::string out;
    for (char c : v) {
        if (c == '\\' || c == '"') out.push_back('\\');
        if (c == '\n') {
            out += "\\n";
            continue;
        }
        out.push_back(c);
    }
    return out;
}

std::string label_text(const labels& l, const std::string& extra = {}) {
    if (l.empty() && extra.empty()) return {};
    std::string s = "{";
    bool first = true;
    for (const auto& [k, v] : l) {
        if (!first) s += ",";
        s += k + "=\"" + escape(v) + "\"";
        first = false;
    }
    if (!extra.empty()) s += (first ? "" : ",") + extra;
    return s + "}";
}

std::string num(double v) {
    std::ostringstream os;
    os.precision(15);
    os << v;
    return os.str();
}
}  // namespace

void metrics::describe(const std::string& name, const std::string& type, const std::string& help) {
    std::lock_guard lk(mu_);
    meta_[name] = {type, help};
}

void metrics::inc(const std::string& name, const labels& l, double v) {
    std::lock_guard lk(mu_);
    values_[name][l] += v;
}

void metrics::set(const std::string& name, const labels& l, double v) {
    std::lock_guard lk(mu_);
    values_[name][l] = v;
}

void metrics::gauge_fn(const std::string& name, std::function<double()> fn) {
    std::lock_guard lk(mu_);
    fns_[name] = std::move(fn);
}

void metrics::observe(const std::string& name, double seconds, const labels& l) {
    std::lock_guard lk(mu_);
    auto& h = histograms_[name][l];
    if (h.buckets.empty()) h.buckets.assign(bucket_bounds.size(), 0);
    for (std::size_t i = 0; i < bucket_bounds.size(); ++i)
        if (seconds <= bucket_bounds[i]) ++h.buckets[i];
    ++h.count;
    h.sum += seconds;
}

double metrics::value(const std::string& name, const labels& l) const {
    std::lock_guard lk(mu_);
    auto it = values_.find(name);
    if (it == values_.end()) return 0;
    auto jt = it->second.find(l);
    return jt == it->second.end() ? 0 : jt->second;
}

std::string metrics::render() const {
    std::map<std::string, std::function<double()>> fns;
    {
        std::lock_guard lk(mu_);
        fns = fns_;
    }
    // Gauge functions may read the database: call them without holding the lock.
    std::map<std::string, double> computed;
    for (const auto& [name, fn] : fns) {
        try {
            computed[name] = fn();
        } catch (...) {
            computed[name] = -1;
        }
    }
    std::lock_guard lk(mu_);
    std::ostringstream os;
    auto header = [&](const std::string& name, const std::string& fallback_type) {
        auto m = meta_.find(name);
        if (m != meta_.end() && !m->second.second.empty()) os << "# HELP " << name << " " << m->second.second << "\n";
        os << "# TYPE " << name << " " << (m != meta_.end() ? m->second.first : fallback_type) << "\n";
    };
    for (const auto& [name, series] : values_) {
        header(name, name.size() > 6 && name.substr(name.size() - 6) == "_total" ? "counter" : "gauge");
        for (const auto& [l, v] : series) os << name << label_text(l) << " " << num(v) << "\n";
    }
    for (const auto& [name, v] : computed) {
        header(name, "gauge");
        os << name << " " << num(v) << "\n";
    }
    for (const auto& [name, series] : histograms_) {
        header(name, "histogram");
        for (const auto& [l, h] : series) {
            for (std::size_t i = 0; i < bucket_bounds.size(); ++i)
                os << name << "_bucket" << label_text(l, "le=\"" + num(bucket_bounds[i]) + "\"") << " " << h.buckets[i] << "\n";
            os << name << "_bucket" << label_text(l, "le=\"+Inf\"") << " " << h.count << "\n";
            os << name << "_sum" << label_text(l) << " " << num(h.sum) << "\n";
            os << name << "_count" << label_text(l) << " " << h.count << "\n";
        }
    }
    return os.str();
}

}  // namespace bot
