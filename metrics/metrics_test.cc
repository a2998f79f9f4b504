#include "metrics/metrics.h"

#include <gtest/gtest.h>

#include "metrics/followed_counter.h"

namespace metrics {
namespace {

prometheus::Counter& things_total(Metrics& metrics) {
  return prometheus::BuildCounter()
      .Name("things_total")
      .Help("Things counted by a component.")
      .Register(metrics.registry())
      .Add({});
}

TEST(FollowedCounter, AddsWhatTheTallyGrewBy) {
  Metrics metrics;
  auto& counter = things_total(metrics);
  FollowedCounter followed(counter);
  followed.sync(5);
  followed.sync(5);
  followed.sync(12);
  EXPECT_EQ(counter.Value(), 12);
}

TEST(FollowedCounter, NeverGoesDownWhenTheTallyIsReset) {
  Metrics metrics;
  auto& counter = things_total(metrics);
  FollowedCounter followed(counter);
  followed.sync(10);
  followed.sync(3);  // the component started counting again
  EXPECT_EQ(counter.Value(), 10);
  followed.sync(4);
  EXPECT_EQ(counter.Value(), 11);
}

TEST(Metrics, RendersTheProcessFiguresInTheTextFormat) {
  Metrics metrics;
  std::string text = metrics.render();
  for (const char* type : {"process_resident_memory_bytes gauge",
                           "process_cpu_seconds_total counter", "process_open_fds gauge",
                           "process_max_fds gauge", "process_start_time_seconds gauge"}) {
    EXPECT_NE(text.find(std::string("# TYPE ") + type), std::string::npos) << type;
  }
  // This process holds at least stdin, stdout, stderr and the /proc/self/fd walk.
  auto fds = text.find("\nprocess_open_fds ");
  ASSERT_NE(fds, std::string::npos);
  EXPECT_GE(std::stod(text.substr(fds + 18)), 3.0);
  auto max_fds = text.find("\nprocess_max_fds ");
  ASSERT_NE(max_fds, std::string::npos);
  EXPECT_GE(std::stod(text.substr(max_fds + 17)), std::stod(text.substr(fds + 18)));
}

TEST(Metrics, CpuSecondsIsACounterThatNeverGoesDown) {
  Metrics metrics;
  auto cpu_seconds = [&metrics] {
    std::string text = metrics.render();
    const std::string line = "\nprocess_cpu_seconds_total ";
    auto at = text.find(line);
    EXPECT_NE(at, std::string::npos);
    return std::stod(text.substr(at + line.size()));
  };
  // Burn CPU until the kernel's tally (10 ms ticks) has moved, reading as we go.
  double last = cpu_seconds();
  volatile double spin = 0;
  for (int round = 0; round < 10'000 && last == 0; ++round) {
    for (int i = 0; i < 1'000'000; ++i) spin = spin + i;
    double now = cpu_seconds();
    EXPECT_GE(now, last);
    last = now;
  }
  EXPECT_GT(last, 0.0);
  EXPECT_GE(cpu_seconds(), last);
}

}  // namespace
}  // namespace metrics
