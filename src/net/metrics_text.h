// MetricsText: the Prometheus text exposition format (version 0.0.4), written once, here: HELP
// and TYPE lines, label escaping, histograms with cumulative buckets.
// https://prometheus.io/docs/instrumenting/exposition_formats/
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace syncline {

using MetricLabels = std::vector<std::pair<std::string, std::string>>;

// Latency histogram bounds in seconds, as the Prometheus client libraries' defaults.
inline const std::vector<double>& DefaultLatencyBuckets() {
  static const std::vector<double> kBounds = {0.001, 0.005, 0.01, 0.025, 0.05, 0.1,
                                              0.25,  0.5,   1,    2.5,   5,    10};
  return kBounds;
}

// A histogram's state: counts per bucket (not cumulative; the writer sums them), sum, count.
struct HistogramValue {
  std::vector<uint64_t> counts;  // one per bound, plus the +Inf bucket last
  double sum = 0;
  uint64_t count = 0;

  // Adds one observation, given the bounds it was made with.
  void Observe(const std::vector<double>& bounds, double value);
};

class MetricsText {
 public:
  enum class Type { kCounter, kGauge, kHistogram };

  // Starts a family: its HELP and TYPE lines. Samples that follow belong to it. A name is
  // [a-zA-Z_:][a-zA-Z0-9_:]* and counters end in _total, as the format asks.
  void Family(std::string_view name, Type type, std::string_view help);
  // A sample of the current family (counter or gauge).
  void Sample(const MetricLabels& labels, double value);
  // The current family's histogram: _bucket{le=...} lines, _sum and _count.
  void Histogram(const MetricLabels& labels, const std::vector<double>& bounds,
                 const HistogramValue& h);

  const std::string& text() const { return out_; }

  // A label value escaped as the format wants (backslash, double quote, line feed).
  static std::string EscapeLabel(std::string_view value);
  // A sample value: integers without a fraction, +Inf, -Inf, NaN.
  static std::string FormatValue(double value);

 private:
  void Line(std::string_view suffix, const MetricLabels& labels, const std::string* le,
            double value);

  std::string out_;
  std::string family_;
};

}  // namespace syncline
