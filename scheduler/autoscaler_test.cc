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

TEST_F(AutoscalerTest, DefragDrainsAServerWhoseRoomsFitElsewhere) {
  config_.policy = "least-loaded";  // spreads: leaves servers half empty
  config_.autoscaler.defrag_max_rooms = 1;
  config_.autoscaler.defrag_interval = seconds(60);
  Scheduler scheduler = make();
  scheduler.on_server_started("x", "x:1", clock_.now());
  scheduler.on_server_started("y", "y:1", clock_.now());
  scheduler.create_room(clock_.now());  // r1 on x
  scheduler.create_room(clock_.now());  // r2 on y
  report_rooms_joined(scheduler, "x");
  report_rooms_joined(scheduler, "y");
  const FleetActions actions = scheduler.tick(clock_.now());
  ASSERT_EQ(actions.drain, std::vector<ServerId>{"y"});  // the newest of the emptiest
  EXPECT_TRUE(scheduler.server("y")->drain_requested);
  EXPECT_EQ(scheduler.metrics().drains_for_defrag, 1u);
  // One drain at a time, and x now has no room to spare for another.
  clock_.advance(seconds(600));
  EXPECT_TRUE(scheduler.tick(clock_.now()).drain.empty());
  scheduler.on_drained("y", clock_.now());
  EXPECT_EQ(scheduler.server("x")->rooms, 2);
  EXPECT_EQ(fleet_.stopped, std::vector<ServerId>{"y"});
  EXPECT_TRUE(scheduler.tick(clock_.now()).drain.empty());  // x alone: nothing to save
  expect_invariants(scheduler);
}

TEST_F(AutoscalerTest, DefragIsOffByDefault) {
  Scheduler scheduler = make();
  scheduler.on_server_started("x", "x:1", clock_.now());
  scheduler.on_server_started("y", "y:1", clock_.now());
  scheduler.on_status("x", {"x:1", false, {{"a", 1}}}, clock_.now());
  scheduler.on_status("y", {"y:1", false, {{"b", 1}}}, clock_.now());
  EXPECT_TRUE(scheduler.tick(clock_.now()).drain.empty());  // off
}

TEST_F(AutoscalerTest, DefragWaitsItsIntervalAfterADrain) {
  config_.autoscaler.defrag_max_rooms = 1;
  config_.autoscaler.defrag_interval = seconds(60);
  config_.autoscaler.max_servers = 4;
  Scheduler scheduler = make();
  for (const char* id : {"w", "x", "y", "z"}) {
    scheduler.on_server_started(id, std::string(id) + ":1", clock_.now());
    scheduler.on_status(id, {std::string(id) + ":1", false, {{std::string("r") + id, 1}}},
                        clock_.now());
  }
  ASSERT_EQ(scheduler.tick(clock_.now()).drain, std::vector<ServerId>{"z"});
  scheduler.cancel_drain("z", clock_.now());  // the session server could not
  EXPECT_EQ(scheduler.server("z")->state, ServerState::ready);
  clock_.advance(seconds(59));
  EXPECT_TRUE(scheduler.tick(clock_.now()).drain.empty());
  clock_.advance(seconds(1));
  EXPECT_EQ(scheduler.tick(clock_.now()).drain.size(), 1u);
  expect_invariants(scheduler);
}

TEST(AutoscalerRules, DefragDueWhenOnIdleOfDrainsAndPastTheInterval) {
  AutoscalerConfig config;
  config.defrag_interval = Millis{60'000};
  EXPECT_FALSE(defrag_due(config, {}, std::nullopt));  // off by default
  config.defrag_max_rooms = 2;
  EXPECT_TRUE(defrag_due(config, {}, std::nullopt));
  EXPECT_FALSE(defrag_due(config, {}, Millis{59'999}));
  EXPECT_TRUE(defrag_due(config, {}, Millis{60'000}));
  FleetNumbers draining;
  draining.drains_in_flight = 1;
  EXPECT_FALSE(defrag_due(config, draining, std::nullopt));
}

TEST(AutoscalerRules, DefragDrainsOnlyWhenItSavesAServer) {
  AutoscalerConfig config;
  config.defrag_max_rooms = 3;
  // {live, starting or ready, free slots, free on ready}: 3 servers of 10.
  EXPECT_TRUE(may_drain_to_defragment(config, {3, 3, 12, 12}, 2, 10));   // 8 own + 4 elsewhere
  EXPECT_FALSE(may_drain_to_defragment(config, {3, 3, 9, 9}, 2, 10));    // 1 elsewhere
  EXPECT_FALSE(may_drain_to_defragment(config, {3, 3, 30, 30}, 0, 10));  // idle: not defrag's
  EXPECT_FALSE(may_drain_to_defragment(config, {3, 3, 30, 30}, 4, 10));  // over max rooms
  // Slots on a starting server do not take the moved rooms.
  EXPECT_FALSE(may_drain_to_defragment(config, {3, 3, 20, 9}, 2, 10));
  // The spare slots must hold afterwards.
  config.spare_room_slots = 3;
  EXPECT_FALSE(may_drain_to_defragment(config, {3, 3, 12, 12}, 2, 10));
  EXPECT_TRUE(may_drain_to_defragment(config, {3, 3, 13, 13}, 2, 10));
  // So must min_servers.
  config.min_servers = 3;
  EXPECT_FALSE(may_drain_to_defragment(config, {3, 3, 30, 30}, 2, 10));
  // Rooms already waiting for a drain need their slots too.
  config.min_servers = 0;
  config.spare_room_slots = 0;
  FleetNumbers fleet{3, 3, 12, 12};
  fleet.rooms_to_move = 3;
  EXPECT_FALSE(may_drain_to_defragment(config, fleet, 2, 10));
}

}  // namespace
}  // namespace sched
