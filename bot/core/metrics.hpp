// Prometheus metrics: counters, gauges and histograms with labels, rendered as text.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace bot {

/// Labels of one series, e.g. {{"code", "-216"}}.
using labels = std::map<std::string, std::string>;

/// A thread-safe registry. Names follow Prometheus conventions (`cchcbot_..._total`).
class metrics {
public:
    /// Declares a metric's help text and type ("counter", "gauge", "histogram"); optional.
    void describe(const std::string& name, const std::string& type, const std::string& help);
    /// Adds `v` to a counter.
    void inc(const std::string& name, const labels& l = {}, double v = 1);
    /// Sets a gauge.
    void set(const std::string& name, const labels& l, double v);
    /// A gauge computed when /metrics is read (e.g. outbox depth from the database).
    void gauge_fn(const std::string& name, std::function<double()> fn);
    /// Records one observation in a histogram (seconds), with fixed latency buckets.
    void observe(const std::string& name, double seconds, const labels& l = {});
    /// The Prometheus text exposition of everything.
    [[nodiscard]] std::string render() const;
    /// Current value of a counter or gauge series (tests); 0 when absent.
    [[nodiscard]] double value(const std::string& name, const labels& l = {}) const;

private:
    struct histogram {
        std::vector<std::uint64_t> buckets;
        std::uint64_t count = 0;
        double sum = 0;
    };
    mutable std::mutex mu_;
    std::map<std::string, std::pair<std::string, std::string>> meta_;  // name -> (type, help)
    std::map<std::string, std::map<labels, double>> values_;
    std::map<std::string, std::map<labels, histogram>> histograms_;
    std::map<std::string, std::function<double()>> fns_;
};

}  // namespace bot
