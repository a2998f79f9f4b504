#include "scheduler/static_fleet.h"

#include <gtest/gtest.h>

#include "scheduler/autoscaler.h"

namespace sched {
namespace {

TEST(StaticFleet, ParsesTheSeedsHostList) {
  StaticFleet fleet(" a:8000, b:8001,,a:8000 ,c:8002");
  EXPECT_EQ(fleet.hosts(), (std::vector<std::string>{"a:8000", "b:8001", "c:8002"}));
}

TEST(StaticFleet, DefaultSingleHost) {
  EXPECT_EQ(StaticFleet("localhost:8000").hosts(), std::vector<std::string>{"localhost:8000"});
}

TEST(StaticFleet, NeverStartsAndPinsTheFleetSize) {
  StaticFleet fleet("a:1,b:2");
  EXPECT_EQ(fleet.start_server(), std::nullopt);
  const AutoscalerConfig config = fleet.autoscaler_config();
  EXPECT_EQ(config.min_servers, 2);
  EXPECT_EQ(config.max_servers, 2);
}

}  // namespace
}  // namespace sched
