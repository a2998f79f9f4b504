#include "metrics/metrics.h"

#include <gtest/gtest.h>

#include "metrics/followed_counter.h"

namespace metrics {
namespace {

TEST(FollowedCounter, AddsWhatTheTallyGrewBy) {
  Metrics metrics;
  auto& counter = prometheus::BuildCounter()
                      .Name("things_total")
                      .Help("h")
                      .Register(metrics.registry())
                      .Add({});
  FollowedCounter followed(counter);
  followed.sync(5);
  followed.sync(5);
  followed.sync(12);
  EXPECT_EQ(counter.Value(), 12);
}

TEST(FollowedCounter, NeverGoesDownWhenTheTallyIsReset) {
  Metrics metrics;
  auto& counter = prometheus::BuildCounter()
                      .Name("things_total")
                      .Help("h")
                      .Register(metrics.registry())
                      .Add({});
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
  for (const char* name : {"process_resident_memory_bytes", "process_cpu_seconds",
                           "process_open_fds", "process_start_time_seconds"}) {
    EXPECT_NE(text.find(std::string("# TYPE ") + name), std::string::npos) << name;
  }
  // This process holds at least stdin, stdout, stderr and the /proc/self/fd walk.
  auto fds = text.find("\nprocess_open_fds ");
  ASSERT_NE(fds, std::string::npos);
  EXPECT_GE(std::stod(text.substr(fds + 18)), 3.0);
}

}  // namespace
}  // namespace metrics
