// The autoscaler on a ManualClock: scale out when full, keep spare slots,
// stop idle empty servers after the idle time down to min, never a server
// with rooms, give up on servers that never start.
#include "scheduler/autoscaler.h"

#include <gtest/gtest.h>

#include "scheduler/scheduler.h"
#include "scheduler/testing.h"

namespace sched {
namespace {

using testing::FakeFleet;
using testing::seconds;

class AutoscalerTest : public ::testing::Test {
 protected:
  AutoscalerTest() {
    config_.policy = "best-fit";
    config_.room_capacity = 2;
    config_.autoscaler.max_servers = 3;
    config_.autoscaler.idle_before_stop = seconds(60);
  }
  Scheduler make() { return Scheduler(config_, fleet_, sequential_room_ids(), Random(1)); }
  // Every server the fleet started so far answers.
  void start_all(Scheduler& scheduler) {
    for (const ServerId& id : fleet_.started) {
      if (scheduler.server(id) && scheduler.server(id)->state == ServerState::starting) {
        scheduler.on_server_started(id, FakeFleet::host_of(id), clock_.now());
      }
    }
  }
  // What a server reports when each of its rooms has one user.
  void report_rooms_joined(Scheduler& scheduler, const ServerId& id) {
    StatusReport report{FakeFleet::host_of(id), false, {}};
    for (const RoomId& room_id : scheduler.rooms_on(id)) report.rooms.push_back({room_id, 1});
    scheduler.on_status(id, report, clock_.now());
  }
  void expect_invariants(const Scheduler& scheduler) {
    EXPECT_EQ(scheduler.check_invariants(), std::vector<std::string>{});
  }

  SchedulerConfig config_;
  FakeFleet fleet_;
  ManualClock clock_;
};

TEST_F(AutoscalerTest, ScalesOutWhenEveryServerIsFull) {
  Scheduler scheduler = make();
  for (int i = 0; i < 6; ++i) {
    scheduler.create_room(clock_.now());
    start_all(scheduler);
    expect_invariants(scheduler);
  }
  EXPECT_EQ(fleet_.started, (std::vector<ServerId>{"s1", "s2", "s3"}));
  EXPECT_TRUE(std::holds_alternative<NoCapacity>(scheduler.create_room(clock_.now())));
  EXPECT_EQ(scheduler.metrics().servers_started, 3u);
}

TEST_F(AutoscalerTest, KeepsSpareSlotsAheadOfDemand) {
  config_.autoscaler.spare_room_slots = 3;
  Scheduler scheduler = make();
  FleetActions actions = scheduler.tick(clock_.now());
  EXPECT_EQ(actions.started, (std::vector<ServerId>{"s1", "s2"}));  // 2 x 2 slots >= 3
  EXPECT_TRUE(scheduler.tick(clock_.now()).started.empty());        // starting ones count
  start_all(scheduler);
  scheduler.create_room(clock_.now());  // 3 free slots left: still enough
  EXPECT_TRUE(scheduler.tick(clock_.now()).started.empty());
  scheduler.create_room(clock_.now());  // 2 left: one more server
  EXPECT_EQ(scheduler.tick(clock_.now()).started, std::vector<ServerId>{"s3"});
  expect_invariants(scheduler);
}

TEST_F(AutoscalerTest, KeepsMinServersRunning) {
  config_.autoscaler.min_servers = 2;
  Scheduler scheduler = make();
  EXPECT_EQ(scheduler.tick(clock_.now()).started.size(), 2u);
  start_all(scheduler);
  clock_.advance(seconds(3600));
  EXPECT_TRUE(scheduler.tick(clock_.now()).stopped.empty());
  expect_invariants(scheduler);
}

TEST_F(AutoscalerTest, StopsIdleEmptyServersAfterTheIdleTimeDownToMin) {
  config_.autoscaler.min_servers = 1;
  Scheduler scheduler = make();
  for (int i = 0; i < 6; ++i) scheduler.create_room(clock_.now());
  start_all(scheduler);
  // Nobody joins: after the join deadline every room is freed.
  clock_.advance(config_.join_deadline);
  for (const ServerId& id : fleet_.started) {
    scheduler.on_status(id, {FakeFleet::host_of(id), false, {}}, clock_.now());
  }
  EXPECT_EQ(scheduler.rooms().size(), 0u);
  clock_.advance(seconds(59));
  EXPECT_TRUE(scheduler.tick(clock_.now()).stopped.empty());  // not idle long enough
  clock_.advance(seconds(1));
  const FleetActions actions = scheduler.tick(clock_.now());
  EXPECT_EQ(actions.stopped, (std::vector<ServerId>{"s1", "s2"}));  // idle longest first
  EXPECT_EQ(fleet_.stopped, actions.stopped);
  EXPECT_EQ(scheduler.metrics().servers_ready, 1);
  EXPECT_EQ(scheduler.metrics().servers_stopped_idle, 2u);
  EXPECT_FALSE(scheduler.server("s1").has_value());  // forgotten
  expect_invariants(scheduler);
}

TEST_F(AutoscalerTest, NeverStopsAServerWithRooms) {
  Scheduler scheduler = make();
  scheduler.create_room(clock_.now());
  start_all(scheduler);
  report_rooms_joined(scheduler, "s1");
  for (int hour = 0; hour < 5; ++hour) {
    clock_.advance(seconds(3600));
    report_rooms_joined(scheduler, "s1");
    EXPECT_TRUE(scheduler.tick(clock_.now()).stopped.empty());
  }
  EXPECT_EQ(scheduler.server("s1")->rooms, 1);
  expect_invariants(scheduler);
}

TEST_F(AutoscalerTest, IdleClockRestartsWhenAServerGetsARoomAgain) {
  Scheduler scheduler = make();
  scheduler.on_server_started("x", "x:1", clock_.now());
  clock_.advance(seconds(50));
  scheduler.create_room(clock_.now());  // x is busy again
  scheduler.on_status("x", {"x:1", false, {{"r1", 1}}}, clock_.now());
  clock_.advance(seconds(5));
  scheduler.on_status("x", {"x:1", false, {}}, clock_.now());  // emptied at t=55
  clock_.advance(seconds(30));
  EXPECT_TRUE(scheduler.tick(clock_.now()).stopped.empty());
  clock_.advance(seconds(30));
  EXPECT_EQ(scheduler.tick(clock_.now()).stopped, std::vector<ServerId>{"x"});
}

TEST_F(AutoscalerTest, GivesUpOnAServerThatNeverStartsAndMovesItsRooms) {
  config_.autoscaler.start_timeout = seconds(120);
  Scheduler scheduler = make();
  scheduler.create_room(clock_.now());  // waits on s1
  clock_.advance(seconds(120));
  const FleetActions actions = scheduler.tick(clock_.now());
  EXPECT_EQ(actions.stopped, std::vector<ServerId>{"s1"});
  EXPECT_EQ(fleet_.started, (std::vector<ServerId>{"s1", "s2"}));  // r1 moved to s2
  EXPECT_EQ(scheduler.rooms().find("r1")->state, RoomState::placed);
  EXPECT_TRUE(std::holds_alternative<RoomStarting>(scheduler.lookup("r1", clock_.now())));
  EXPECT_EQ(scheduler.metrics().servers_start_timed_out, 1u);
  expect_invariants(scheduler);
}

TEST(AutoscalerRules, ServersToStartRespectsMax) {
  AutoscalerConfig config;
  config.spare_room_slots = 25;
  config.max_servers = 4;
  EXPECT_EQ(servers_to_start(config, {0, 0, 0}, 10), 3);
  EXPECT_EQ(servers_to_start(config, {3, 3, 0}, 10), 1);
  EXPECT_EQ(servers_to_start(config, {4, 4, 0}, 10), 0);
  EXPECT_EQ(servers_to_start(config, {2, 2, 25}, 10), 0);
}

TEST(AutoscalerRules, StoppingMustKeepSpareAndMin) {
  AutoscalerConfig config;
  config.min_servers = 1;
  config.spare_room_slots = 10;
  EXPECT_TRUE(may_stop_idle_server(config, {3, 3, 20}, 10));
  EXPECT_FALSE(may_stop_idle_server(config, {3, 3, 19}, 10));
  EXPECT_FALSE(may_stop_idle_server(config, {1, 1, 50}, 10));
}

}  // namespace
}  // namespace sched
