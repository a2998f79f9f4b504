#include "loadgen/merge.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

namespace loadgen {
namespace {

double figure(const Report& report, const std::string& name) {
  for (const auto& [existing, value] : report.figures) {
    if (existing == name) return value.to_number<double>();
  }
  ADD_FAILURE() << "no figure " << name;
  return -1;
}

const Check* find_check(const Report& report, const std::string& name) {
  for (const auto& check : report.checks) {
    if (check.name == name) return &check;
  }
  return nullptr;
}

// A worker's report as the worker writes it, read back as the parent does.
WorkerOutcome outcome(int index, const RunStats& stats, const Report& scenario_part) {
  Report report = scenario_part;
  report.scenario = "chat";
  add_common_figures(stats, {}, report);
  auto text = boost::json::serialize(report.to_json());
  std::string error;
  auto read = Report::from_json(boost::json::parse(text), error);
  EXPECT_TRUE(read) << error;
  WorkerOutcome worker;
  worker.index = index;
  worker.rooms = "r" + std::to_string(index);
  worker.report = std::move(read);
  worker.ended = "exit status 0";
  return worker;
}

TEST(Merge, PercentilesComeFromTheSummedHistogramsNotFromAveragedPercentiles) {
  RunStats fast, slow;
  LatencyHistogram everything;
  for (int i = 0; i < 900; ++i) fast.latency.record(1000);   // 1 ms
  for (int i = 0; i < 100; ++i) slow.latency.record(50000);  // 50 ms
  for (int i = 0; i < 9; ++i) slow.latency.record(200000);   // 200 ms
  for (const auto* stats : {&fast, &slow}) {
    everything.add_buckets(stats->latency.nonzero_buckets(), stats->latency.sum_us(),
                           stats->latency.max_us());
  }
  auto merged = merge_reports({outcome(0, fast, {}), outcome(1, slow, {})}, {}, "");
  // 1,009 deliveries: p50 is fast's 1 ms, p90 and p99 are slow's 50 ms (the
  // average of the two workers' p99s would be ~100 ms), the maximum is 200 ms.
  EXPECT_NEAR(figure(merged, "latency_p50_ms"), 1.0, 0.04);
  EXPECT_NEAR(figure(merged, "latency_p90_ms"), 50.0, 50.0 * 0.04);
  EXPECT_NEAR(figure(merged, "latency_p99_ms"), 50.0, 50.0 * 0.04);
  EXPECT_EQ(figure(merged, "latency_max_ms"), 200.0);
  for (double q : {0.5, 0.9, 0.99, 0.999}) {
    auto name = q == 0.5    ? "latency_p50_ms"
                : q == 0.9  ? "latency_p90_ms"
                : q == 0.99 ? "latency_p99_ms"
                            : "latency_p999_ms";
    // As if one process had seen every delivery.
    EXPECT_EQ(figure(merged, name), static_cast<double>(everything.percentile_us(q)) / 1000)
        << name;
  }
}

TEST(Merge, CountsAreSummedAndRatiosRecomputed) {
  RunStats a, b;
  a.http_requests = 100;
  a.messages_sent = 900;  // 1,000 operations
  a.error("ws_read", "x");
  b.http_requests = 1000;
  b.messages_sent = 2000;  // 3,000 operations
  b.error("ws_read", "y");
  b.error("login_http_429", "z");
  Report part_a, part_b;
  part_a.figure("bots", std::uint64_t{100});
  part_a.figure("bots_connected_after_ramp", std::uint64_t{100});
  part_a.figure("memory_per_bot_kb", 10.0);
  part_a.figure("deliveries_per_second", 1000.5);
  part_a.figure("send_seconds", 30.0);
  part_b.figure("bots", std::uint64_t{300});
  part_b.figure("bots_connected_after_ramp", std::uint64_t{300});
  part_b.figure("memory_per_bot_kb", 6.0);
  part_b.figure("deliveries_per_second", 2000.5);
  part_b.figure("send_seconds", 30.2);
  auto merged = merge_reports({outcome(0, a, part_a), outcome(1, b, part_b)}, {}, "");
  EXPECT_EQ(figure(merged, "processes"), 2);
  EXPECT_EQ(figure(merged, "bots"), 400);
  EXPECT_EQ(figure(merged, "http_requests"), 1100);
  EXPECT_EQ(figure(merged, "errors"), 3);
  EXPECT_DOUBLE_EQ(figure(merged, "deliveries_per_second"), 3001.0);
  EXPECT_DOUBLE_EQ(figure(merged, "send_seconds"), 30.2);  // the same window: not summed
  EXPECT_DOUBLE_EQ(figure(merged, "memory_per_bot_kb"), (10.0 * 100 + 6.0 * 300) / 400);
  EXPECT_DOUBLE_EQ(figure(merged, "error_rate"), 3.0 / 4000);
  EXPECT_EQ(merged.errors.at("ws_read"), 2u);
  EXPECT_EQ(merged.errors.at("login_http_429"), 1u);
  EXPECT_EQ(merged.error_samples.front(), "worker 0: ws_read: x");
  EXPECT_TRUE(merged.passed());
}

TEST(Merge, AllChecksNeedEveryWorkerAndSumTheirDetails) {
  Report a, b;
  a.check("every message delivered to every member", true, "0 missing of 1000 expected");
  b.check("every message delivered to every member", false, "3 missing of 2000 expected");
  auto merged = merge_reports({outcome(0, {}, a), outcome(1, {}, b)}, {}, "");
  auto* check = find_check(merged, "every message delivered to every member");
  ASSERT_NE(check, nullptr);
  EXPECT_EQ(check->status, Check::Status::fail);
  EXPECT_EQ(check->detail, "3 missing of 3000 expected");
  EXPECT_FALSE(merged.passed());
}

TEST(Merge, AnyAndShareChecksCombineAsTheySay) {
  Report a, b;
  a.check("the fault disconnected at least one bot", false, "no bot lost its connection");
  a.checks.back().combine = Check::Combine::any;
  b.check("the fault disconnected at least one bot", true, "1000 bots lost their connection");
  b.checks.back().combine = Check::Combine::any;
  a.check_share("99% back within 3 s", 98, 100, 0.99, "98 of 100");
  b.check_share("99% back within 3 s", 1000, 1000, 0.99, "1000 of 1000");
  a.skip("every disconnected bot back in its room", "no bot was disconnected");
  b.check("every disconnected bot back in its room", true, "0 of 1000 not back");
  auto merged = merge_reports({outcome(0, {}, a), outcome(1, {}, b)}, {}, "");
  EXPECT_EQ(find_check(merged, "the fault disconnected at least one bot")->status,
            Check::Status::pass);
  auto* share = find_check(merged, "99% back within 3 s");
  EXPECT_EQ(share->status, Check::Status::pass);  // 1,098 of 1,100
  EXPECT_EQ(share->detail, "1098 of 1100");
  auto* back = find_check(merged, "every disconnected bot back in its room");
  EXPECT_EQ(back->status, Check::Status::pass);  // the skipped slice takes no part
  EXPECT_EQ(back->detail, "0 of 1000 not back");
  EXPECT_TRUE(merged.passed());

  Report slower;
  slower.check_share("99% back within 3 s", 80, 100, 0.99, "80 of 100");
  auto worse = merge_reports({outcome(0, {}, slower), outcome(1, {}, b)}, {}, "");
  EXPECT_EQ(find_check(worse, "99% back within 3 s")->status, Check::Status::fail);  // 1,080
}

TEST(Merge, DetailsThatDifferInTextAreListedByWorker) {
  EXPECT_EQ(merge_details({{0, "exited with 0"}, {1, "internal error: boom"}}),
            "worker 0: exited with 0; worker 1: internal error: boom");
  EXPECT_EQ(merge_details({{0, "p 1.5 of 2"}, {1, "p 2.25 of 3"}}), "p 3.75 of 5");
}

TEST(Merge, AWorkerWithoutAReportFailsTheRun) {
  WorkerOutcome lost;
  lost.index = 1;
  lost.rooms = "r5..r9";
  lost.ended = "killed by signal 9";
  lost.problem = "no file /tmp/x/worker-1.json";
  auto merged = merge_reports({outcome(0, {}, {}), lost}, {}, "");
  auto* check = find_check(merged, "every worker process reported");
  ASSERT_NE(check, nullptr);
  EXPECT_EQ(check->status, Check::Status::fail);
  EXPECT_NE(check->detail.find("1 of 2; worker 1 (rooms r5..r9): killed by signal 9"),
            std::string::npos)
      << check->detail;
  EXPECT_FALSE(merged.passed());
}

TEST(Merge, AStopAnywhereStopsTheMergedRun) {
  WorkerOutcome worker = outcome(1, {}, {});
  worker.report->stopped_by = "timeout after 900 s";
  auto merged = merge_reports({outcome(0, {}, {}), worker}, {}, "");
  EXPECT_EQ(merged.stopped_by, "worker 1: timeout after 900 s");
  EXPECT_FALSE(merged.passed());
  auto interrupted = merge_reports({outcome(0, {}, {})}, {}, "interrupted (SIGINT)");
  EXPECT_EQ(interrupted.stopped_by, "interrupted (SIGINT)");
}

TEST(Merge, ThresholdsAreJudgedOnTheMergedFigures) {
  RunStats fast, slow;
  for (int i = 0; i < 99; ++i) fast.latency.record(1000);
  slow.latency.record(90000);
  // Each worker alone: fast p99 1 ms, slow p99 90 ms. Together p99 is 1 ms.
  auto merged = merge_reports({outcome(0, fast, {}), outcome(1, slow, {})}, {10.0, 0.5}, "");
  ASSERT_EQ(merged.checks.size(), 3u);
  EXPECT_EQ(merged.checks[0].name.rfind("p99 delivery latency <= 10", 0), 0u);
  EXPECT_EQ(merged.checks[0].status, Check::Status::pass);
  EXPECT_EQ(merged.checks[1].status, Check::Status::pass);  // no errors
  EXPECT_TRUE(merged.passed());
}

TEST(Merge, ReconnectAndRoomCreationPercentilesComeFromEverySample) {
  Report a, b;
  a.figure("reconnect_p50_ms", 2.0);
  a.figure("reconnect_p99_ms", 3.0);
  a.figure("reconnect_max_ms", 3.0);
  a.figure("bots_disconnected", std::uint64_t{3});
  a.figure("bots_back_within_goal", std::uint64_t{3});
  a.figure("bots_back_within_goal_share", 1.0);
  a.raw["reconnect_us"] = boost::json::array{1000, 2000, 3000};
  b.figure("reconnect_p50_ms", 5000.0);
  b.figure("bots_disconnected", std::uint64_t{1});
  b.figure("bots_back_within_goal", boost::json::value(std::uint64_t{0}));
  b.figure("bots_back_within_goal_share", 0.0);
  b.raw["reconnect_us"] = boost::json::array{5000000};
  a.figure("room_create_p99_ms", 10.0);
  a.raw["room_create_us"] = boost::json::array{10000, 1000};
  b.raw["room_create_us"] = boost::json::array{30000};
  a.figure("disconnects_by_kind", std::string("ws_read: 2, ws_close_1012: 1"));
  b.figure("disconnects_by_kind", std::string("ws_read: 1"));
  auto merged = merge_reports({outcome(0, {}, a), outcome(1, {}, b)}, {}, "");
  EXPECT_EQ(figure(merged, "reconnect_p50_ms"), 2.0);  // 1, 2, 3, 5000 ms: nearest rank
  EXPECT_EQ(figure(merged, "reconnect_p99_ms"), 5000.0);
  EXPECT_EQ(figure(merged, "reconnect_max_ms"), 5000.0);
  EXPECT_EQ(figure(merged, "bots_back_within_goal_share"), 0.75);
  EXPECT_EQ(figure(merged, "room_create_p99_ms"), 30.0);
  for (const auto& [name, value] : merged.figures) {
    if (name == "disconnects_by_kind") {
      EXPECT_EQ(value.as_string(), "ws_close_1012: 1, ws_read: 3");
    }
  }
  // A merged report merges again (runs from several machines).
  auto again = merge_reports({{0, "", merged, "", ""}, {1, "", merged, "", ""}}, {}, "");
  EXPECT_EQ(figure(again, "reconnect_p50_ms"), 2.0);
  EXPECT_EQ(figure(again, "bots_disconnected"), 8);
}

}  // namespace
}  // namespace loadgen
