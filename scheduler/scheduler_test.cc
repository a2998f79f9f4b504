// The façade's basic flows: create, look up, wait for a starting server,
// no capacity at max, metrics.
#include "scheduler/scheduler.h"

#include <gtest/gtest.h>

#include "scheduler/testing.h"

namespace sched {
namespace {

using testing::FakeFleet;
using testing::seconds;

class SchedulerTest : public ::testing::Test {
 protected:
  Scheduler make(SchedulerConfig config) {
    return Scheduler(std::move(config), fleet_, sequential_room_ids(), Random(1));
  }
  void expect_invariants(const Scheduler& scheduler) {
    EXPECT_EQ(scheduler.check_invariants(), std::vector<std::string>{});
  }
  FakeFleet fleet_;
};

TEST_F(SchedulerTest, UnknownPolicyNameIsRefusedWithTheKnownOnes) {
  SchedulerConfig config;
  config.policy = "fastest";
  try {
    make(config);
    FAIL() << "expected std::invalid_argument";
  } catch (const std::invalid_argument& error) {
    EXPECT_NE(std::string(error.what()).find("best-fit"), std::string::npos);
  }
}

TEST_F(SchedulerTest, RoomCapacityBelowOneIsRefused) {
  SchedulerConfig config;
  config.room_capacity = 0;
  EXPECT_THROW(make(config), std::invalid_argument);
}

TEST_F(SchedulerTest, PlacesOnAReadyServerAndLooksItUp) {
  Scheduler scheduler = make({});
  scheduler.on_server_started("a", "a:8000", seconds(0));
  const CreateResult created = scheduler.create_room(seconds(1));
  ASSERT_TRUE(std::holds_alternative<Placed>(created));
  const Placed& placed = std::get<Placed>(created);
  EXPECT_EQ(placed.room_id, "r1");
  EXPECT_EQ(placed.host, "a:8000");
  const LookupResult found = scheduler.lookup("r1", seconds(2));
  ASSERT_TRUE(std::holds_alternative<RoomReady>(found));
  EXPECT_EQ(std::get<RoomReady>(found).host, "a:8000");
  EXPECT_TRUE(std::holds_alternative<UnknownRoom>(scheduler.lookup("nope", seconds(2))));
  EXPECT_EQ(scheduler.server("a")->rooms, 1);
  expect_invariants(scheduler);
}

TEST_F(SchedulerTest, StartsAServerOnDemandAndTheRoomWaitsForIt) {
  Scheduler scheduler = make({});
  const CreateResult created = scheduler.create_room(seconds(0));
  ASSERT_TRUE(std::holds_alternative<Waiting>(created));
  ASSERT_EQ(fleet_.started, std::vector<ServerId>{"s1"});
  EXPECT_TRUE(std::holds_alternative<RoomStarting>(scheduler.lookup("r1", seconds(1))));
  // The next nine rooms wait on the same starting server.
  for (int i = 0; i < 9; ++i) {
    EXPECT_TRUE(std::holds_alternative<Waiting>(scheduler.create_room(seconds(1))));
  }
  EXPECT_EQ(fleet_.started.size(), 1u);
  scheduler.on_server_started("s1", "h1:8000", seconds(2));
  const LookupResult found = scheduler.lookup("r1", seconds(2));
  ASSERT_TRUE(std::holds_alternative<RoomReady>(found));
  EXPECT_EQ(std::get<RoomReady>(found).host, "h1:8000");
  expect_invariants(scheduler);
}

TEST_F(SchedulerTest, NoCapacityWithRetryAfterWhenFullAtMax) {
  SchedulerConfig config;
  config.room_capacity = 2;
  config.autoscaler.max_servers = 1;
  config.retry_after = seconds(7);
  Scheduler scheduler = make(config);
  scheduler.create_room(seconds(0));
  scheduler.create_room(seconds(0));
  const CreateResult refused = scheduler.create_room(seconds(0));
  ASSERT_TRUE(std::holds_alternative<NoCapacity>(refused));
  EXPECT_EQ(std::get<NoCapacity>(refused).retry_after, seconds(7));
  EXPECT_EQ(scheduler.metrics().create.no_capacity, 1u);
  EXPECT_EQ(scheduler.metrics().create.waiting, 2u);
  expect_invariants(scheduler);
}

TEST_F(SchedulerTest, MetricsCountPlacementsAndServersByState) {
  Scheduler scheduler = make({});
  scheduler.on_server_started("a", "a:1", seconds(0));
  scheduler.create_room(seconds(0));
  scheduler.create_room(seconds(0));
  const SchedulerMetrics metrics = scheduler.metrics();
  EXPECT_EQ(metrics.policy, "random");
  EXPECT_EQ(metrics.create.placed, 2u);
  EXPECT_EQ(metrics.servers_ready, 1);
  EXPECT_EQ(metrics.rooms, 2);
  EXPECT_EQ(metrics.rooms_placed, 2);
  EXPECT_EQ(metrics.free_slots_ready, 8);
}

TEST_F(SchedulerTest, RoomIdCollisionsAreRetried) {
  int calls = 0;
  Scheduler scheduler(
      {}, fleet_, [&calls] { return ++calls < 3 ? "same" : "other"; }, Random(1));
  scheduler.on_server_started("a", "a:1", seconds(0));
  EXPECT_EQ(std::get<Placed>(scheduler.create_room(seconds(0))).room_id, "same");
  EXPECT_EQ(std::get<Placed>(scheduler.create_room(seconds(0))).room_id, "other");
}

}  // namespace
}  // namespace sched
