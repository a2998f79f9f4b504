#include "loadgen/run_stats.h"

#include <gtest/gtest.h>

namespace loadgen {
namespace {

const boost::json::value* figure(const Report& report, const std::string& name) {
  for (const auto& [existing, value] : report.figures) {
    if (existing == name) return &value;
  }
  return nullptr;
}

TEST(RunStats, ErrorsCountedByCategoryWithTheFirstSamples) {
  RunStats stats;
  for (int i = 0; i < 10; ++i) stats.error("ws_close_1013", "bot " + std::to_string(i));
  stats.error("login_transport", "refused");
  EXPECT_EQ(stats.errors_total, 11u);
  EXPECT_EQ(stats.errors["ws_close_1013"], 10u);
  EXPECT_EQ(stats.errors["login_transport"], 1u);
  ASSERT_EQ(stats.error_samples.size(), RunStats::kErrorSamplesMax);
  EXPECT_EQ(stats.error_samples.front(), "ws_close_1013: bot 0");
}

TEST(RunStats, PeakConnections) {
  RunStats stats;
  stats.bot_connected();
  stats.bot_connected();
  --stats.bots_connected;
  stats.bot_connected();
  EXPECT_EQ(stats.bots_connected, 2u);
  EXPECT_EQ(stats.bots_connected_peak, 2u);
}

TEST(RunStats, ErrorRateOverOperations) {
  RunStats stats;
  EXPECT_EQ(stats.error_rate(), 0.0);  // nothing done, nothing failed
  stats.http_requests = 10;
  stats.ws_attempts = 10;
  stats.messages_sent = 80;
  stats.error("x", "");
  EXPECT_DOUBLE_EQ(stats.error_rate(), 0.01);
}

TEST(CommonFigures, FiguresWithoutThresholdsAddNoChecks) {
  RunStats stats;
  stats.messages_sent = 5;
  stats.deliveries = 20;
  stats.latency.record(2'000);
  Report report;
  add_common_figures(stats, {}, report);
  EXPECT_TRUE(report.checks.empty());
  ASSERT_NE(figure(report, "deliveries"), nullptr);
  EXPECT_EQ(figure(report, "deliveries")->to_number<double>(), 20);
  ASSERT_NE(figure(report, "latency_max_ms"), nullptr);
  EXPECT_NEAR(figure(report, "latency_max_ms")->to_number<double>(), 2.0, 0.1);
}

TEST(CommonFigures, ThresholdsPassAndFail) {
  RunStats stats;
  stats.messages_sent = 100;
  for (int i = 0; i < 100; ++i) stats.latency.record(10'000);  // 10 ms
  stats.error("x", "");

  Report met;
  add_common_figures(stats, {20.0, 0.05}, met);
  ASSERT_EQ(met.checks.size(), 2u);
  EXPECT_TRUE(met.passed());

  Report missed;
  add_common_figures(stats, {5.0, 0.001}, missed);
  ASSERT_EQ(missed.checks.size(), 2u);
  EXPECT_EQ(missed.checks[0].status, Check::Status::fail);
  EXPECT_EQ(missed.checks[1].status, Check::Status::fail);
  EXPECT_NE(missed.checks[1].detail.find("1 errors in 100 operations"), std::string::npos)
      << missed.checks[1].detail;
}

TEST(CommonFigures, ALatencyThresholdWithoutDeliveriesFails) {
  Report report;
  add_common_figures(RunStats{}, {50.0, std::nullopt}, report);
  ASSERT_EQ(report.checks.size(), 1u);
  EXPECT_FALSE(report.passed());
}

}  // namespace
}  // namespace loadgen
