#include "loadgen/send_scheduler.h"

#include <gtest/gtest.h>

#include <map>

namespace loadgen {
namespace {

TEST(SendScheduler, PeriodFromTheRate) {
  EXPECT_EQ(SendScheduler(10).period_us(), 100'000u);
  EXPECT_EQ(SendScheduler(0.5).period_us(), 2'000'000u);
}

TEST(SendScheduler, EachMemberOnceWithinTheFirstPeriod) {
  SendScheduler scheduler(10);
  for (std::uint32_t member = 0; member < 50; ++member) scheduler.add(member, 1'000);
  std::map<std::uint32_t, int> sends;
  scheduler.run_due(1'000 + scheduler.period_us() - 1, [&](std::uint32_t m) { ++sends[m]; });
  EXPECT_EQ(sends.size(), 50u);
  for (auto& [member, count] : sends) EXPECT_EQ(count, 1) << member;
}

TEST(SendScheduler, PhasesAreSpread) {
  SendScheduler scheduler(1);  // a period of one second
  for (std::uint32_t member = 0; member < 100; ++member) scheduler.add(member, 0);
  int in_first_half = 0;
  scheduler.run_due(499'999, [&](std::uint32_t) { ++in_first_half; });
  // Not all at once: the phases are drawn over the whole period.
  EXPECT_GT(in_first_half, 0);
  EXPECT_LT(in_first_half, 100);
}

TEST(SendScheduler, TheRateHoldsOverManyTicks) {
  SendScheduler scheduler(10);
  for (std::uint32_t member = 0; member < 20; ++member) scheduler.add(member, 0);
  std::map<std::uint32_t, int> sends;
  // Ten seconds ticked every 2 ms: 100 sends each, give or take the phase.
  for (std::uint64_t now = 0; now < 10'000'000; now += 2'000) {
    scheduler.run_due(now, [&](std::uint32_t m) { ++sends[m]; });
  }
  for (auto& [member, count] : sends) {
    EXPECT_GE(count, 99) << member;
    EXPECT_LE(count, 100) << member;
  }
}

TEST(SendScheduler, ALateTickDoesNotBurst) {
  SendScheduler scheduler(10);
  scheduler.add(7, 0);
  int sends = 0;
  // Five periods late: one send, then the next half a period later.
  scheduler.run_due(500'000, [&](std::uint32_t) { ++sends; });
  EXPECT_EQ(sends, 1);
  scheduler.run_due(500'000 + scheduler.period_us() / 2 - 1, [&](std::uint32_t) { ++sends; });
  EXPECT_EQ(sends, 1);
  scheduler.run_due(500'000 + scheduler.period_us() / 2, [&](std::uint32_t) { ++sends; });
  EXPECT_EQ(sends, 2);
}

}  // namespace
}  // namespace loadgen
