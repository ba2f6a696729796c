#include "net/metrics_text.h"

#include <gtest/gtest.h>

#include <cmath>

namespace syncline {
namespace {

TEST(MetricsTextTest, EscapesAndFormatsAsTheFormatAsks) {
  struct Case {
    std::string label, escaped;
  };
  const Case labels[] = {{"plain", "plain"},
                         {"a\"b", "a\\\"b"},
                         {"back\\slash", "back\\\\slash"},
                         {"line\nbreak", "line\\nbreak"},
                         {"ünïcode", "ünïcode"}};
  for (const Case& c : labels) EXPECT_EQ(MetricsText::EscapeLabel(c.label), c.escaped);
  struct Value {
    double v;
    std::string text;
  };
  const Value values[] = {{0, "0"},        {3, "3"},          {-2, "-2"},
                          {0.1, "0.1"},    {1e20, "1e+20"},   {1.5, "1.5"},
                          {INFINITY, "+Inf"}, {-INFINITY, "-Inf"}, {NAN, "NaN"}};
  for (const Value& c : values) EXPECT_EQ(MetricsText::FormatValue(c.v), c.text) << c.v;
}

TEST(MetricsTextTest, WritesFamiliesSamplesAndCumulativeHistograms) {
  MetricsText out;
  out.Family("x_total", MetricsText::Type::kCounter, "Things.\nSecond line \\ here.");
  out.Sample({}, 7);
  out.Sample({{"db", "n\"1"}, {"code", "200"}}, 2);
  const std::vector<double> bounds = {0.1, 1};
  HistogramValue h;
  for (double v : {0.05, 0.1, 0.5, 3.0}) h.Observe(bounds, v);
  out.Family("lat_seconds", MetricsText::Type::kHistogram, "Latency.");
  out.Histogram({{"route", "/v1"}}, bounds, h);
  EXPECT_EQ(out.text(),
            "# HELP x_total Things.\\nSecond line \\\\ here.\n"
            "# TYPE x_total counter\n"
            "x_total 7\n"
            "x_total{db=\"n\\\"1\",code=\"200\"} 2\n"
            "# HELP lat_seconds Latency.\n"
            "# TYPE lat_seconds histogram\n"
            "lat_seconds_bucket{route=\"/v1\",le=\"0.1\"} 2\n"  // 0.1 is in the 0.1 bucket (le)
            "lat_seconds_bucket{route=\"/v1\",le=\"1\"} 3\n"
            "lat_seconds_bucket{route=\"/v1\",le=\"+Inf\"} 4\n"
            "lat_seconds_sum{route=\"/v1\"} 3.65\n"
            "lat_seconds_count{route=\"/v1\"} 4\n");
}

}  // namespace
}  // namespace syncline
