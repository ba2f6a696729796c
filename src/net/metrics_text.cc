#include "net/metrics_text.h"

#include <charconv>
#include <cmath>

namespace syncline {

void HistogramValue::Observe(const std::vector<double>& bounds, double value) {
  if (counts.size() != bounds.size() + 1) counts.assign(bounds.size() + 1, 0);
  size_t i = 0;
  while (i < bounds.size() && value > bounds[i]) ++i;
  ++counts[i];
  sum += value;
  ++count;
}

std::string MetricsText::EscapeLabel(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

std::string MetricsText::FormatValue(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  char buf[64];
  // The shortest text that reads back as the same double: 0.1, not 0.10000000000000001.
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, ec == std::errc() ? end : buf);
}

void MetricsText::Family(std::string_view name, Type type, std::string_view help) {
  family_ = std::string(name);
  // HELP text escapes backslash and line feed only.
  std::string escaped;
  for (char c : help) {
    if (c == '\\') {
      escaped += "\\\\";
    } else if (c == '\n') {
      escaped += "\\n";
    } else {
      escaped += c;
    }
  }
  static constexpr const char* kTypeNames[] = {"counter", "gauge", "histogram"};
  out_ += "# HELP " + family_ + " " + escaped + "\n";
  out_ += "# TYPE " + family_ + " " + kTypeNames[static_cast<int>(type)] + "\n";
}

void MetricsText::Line(std::string_view suffix, const MetricLabels& labels,
                       const std::string* le, double value) {
  out_ += family_;
  out_ += suffix;
  if (!labels.empty() || le) {
    out_ += '{';
    bool first = true;
    for (const auto& [k, v] : labels) {
      if (!first) out_ += ',';
      first = false;
      out_ += k + "=\"" + EscapeLabel(v) + "\"";
    }
    if (le) {
      if (!first) out_ += ',';
      out_ += "le=\"" + *le + "\"";
    }
    out_ += '}';
  }
  out_ += ' ';
  out_ += FormatValue(value);
  out_ += '\n';
}

void MetricsText::Sample(const MetricLabels& labels, double value) {
  Line("", labels, nullptr, value);
}

void MetricsText::Histogram(const MetricLabels& labels, const std::vector<double>& bounds,
                            const HistogramValue& h) {
  uint64_t cumulative = 0;
  for (size_t i = 0; i <= bounds.size(); ++i) {
    cumulative += i < h.counts.size() ? h.counts[i] : 0;
    std::string le = i < bounds.size() ? FormatValue(bounds[i]) : "+Inf";
    Line("_bucket", labels, &le, static_cast<double>(cumulative));
  }
  Line("_sum", labels, nullptr, h.sum);
  Line("_count", labels, nullptr, static_cast<double>(h.count));
}

}  // namespace syncline
