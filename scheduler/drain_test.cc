// Failover probes (mark_gone) and drains asked for by an operator or the
// autoscaler: begin_drain, on_drained, cancel_drain.
#include <gtest/gtest.h>

#include "scheduler/scheduler.h"
#include "scheduler/testing.h"

namespace sched {
namespace {

using testing::FakeFleet;
using testing::seconds;

class DrainTest : public ::testing::Test {
 protected:
  DrainTest() {
    config_.policy = "first-fit";
    config_.room_capacity = 3;
    config_.autoscaler.max_servers = 3;
  }
  // Servers a and b ready; `rooms_on_a` rooms created (first-fit: on a).
  Scheduler make(int rooms_on_a) {
    Scheduler scheduler(config_, fleet_, sequential_room_ids(), Random(1));
    scheduler.on_server_started("a", "a:1", seconds(0));
    scheduler.on_server_started("b", "b:1", seconds(0));
    for (int i = 0; i < rooms_on_a; ++i) scheduler.create_room(seconds(0));
    return scheduler;
  }
  static std::string host_of_room(Scheduler& scheduler, const RoomId& room_id, Millis now) {
    const LookupResult found = scheduler.lookup(room_id, now);
    const auto* ready = std::get_if<RoomReady>(&found);
    return ready ? ready->host : "";
  }
  void expect_invariants(const Scheduler& scheduler) {
    EXPECT_EQ(scheduler.check_invariants(), std::vector<std::string>{});
  }
  SchedulerConfig config_;
  FakeFleet fleet_;
};

TEST_F(DrainTest, ProbeMarksAServerGoneAtOnceAndItsRoomsMoveOnLookup) {
  Scheduler scheduler = make(2);
  scheduler.mark_gone("a", seconds(5));
  EXPECT_EQ(scheduler.server("a")->state, ServerState::gone);
  EXPECT_EQ(host_of_room(scheduler, "r1", seconds(5)), "b:1");
  EXPECT_EQ(scheduler.metrics().servers_marked_gone_by_probe, 1u);
  EXPECT_EQ(scheduler.metrics().servers_declared_gone, 0u);  // that counts polls
  expect_invariants(scheduler);
}

TEST_F(DrainTest, ProbeIgnoresUnknownGoneAndStartingServers) {
  Scheduler scheduler = make(0);
  scheduler.mark_gone("nope", seconds(1));
  scheduler.mark_gone("a", seconds(1));
  scheduler.mark_gone("a", seconds(2));  // already gone: counted once
  config_.room_capacity = 1;
  scheduler.create_room(seconds(2));
  scheduler.create_room(seconds(2));
  scheduler.create_room(seconds(2));
  scheduler.create_room(seconds(2));  // b is full: s1 starts
  ASSERT_EQ(fleet_.started, std::vector<ServerId>{"s1"});
  scheduler.mark_gone("s1", seconds(3));
  EXPECT_EQ(scheduler.server("s1")->state, ServerState::starting);
  EXPECT_EQ(scheduler.metrics().servers_marked_gone_by_probe, 1u);
  expect_invariants(scheduler);
}

TEST_F(DrainTest, BeginDrainRefusesUnknownAndNotReadyServers) {
  Scheduler scheduler = make(0);
  EXPECT_EQ(scheduler.begin_drain("nope", seconds(1)), DrainStart::unknown_server);
  EXPECT_EQ(scheduler.begin_drain("a", seconds(1)), DrainStart::started);
  EXPECT_EQ(scheduler.begin_drain("a", seconds(1)), DrainStart::not_ready);  // already
  scheduler.mark_gone("b", seconds(1));
  EXPECT_EQ(scheduler.begin_drain("b", seconds(1)), DrainStart::not_ready);
  EXPECT_EQ(scheduler.metrics().drains_begun, 1u);
  expect_invariants(scheduler);
}

TEST_F(DrainTest, UntilConfirmedTheRoomsStayAtTheirHostAndNothingNewComes) {
  Scheduler scheduler = make(2);
  ASSERT_EQ(scheduler.begin_drain("a", seconds(1)), DrainStart::started);
  const ServerView view = *scheduler.server("a");
  EXPECT_EQ(view.state, ServerState::draining);
  EXPECT_TRUE(view.drain_requested);
  EXPECT_EQ(scheduler.metrics().servers_drain_requested, 1);
  EXPECT_EQ(host_of_room(scheduler, "r1", seconds(2)), "a:1");
  // The session server closes its clients: its reports list the rooms empty,
  // or not at all, and say it is draining. The table keeps them.
  scheduler.on_status("a", {"a:1", true, {{"r1", 0}}}, seconds(3));
  scheduler.on_status("a", {"a:1", false, {}}, seconds(4));
  EXPECT_EQ(scheduler.server("a")->rooms, 2);
  EXPECT_EQ(scheduler.server("a")->state, ServerState::draining);
  EXPECT_EQ(host_of_room(scheduler, "r2", seconds(5)), "a:1");
  // New rooms go elsewhere, even with a's free slot.
  const CreateResult created = scheduler.create_room(seconds(5));
  ASSERT_TRUE(std::holds_alternative<Placed>(created));
  EXPECT_EQ(std::get<Placed>(created).host, "b:1");
  // Never stopped as idle, however long it waits.
  EXPECT_TRUE(scheduler.tick(seconds(3600)).stopped.empty());
  expect_invariants(scheduler);
}

TEST_F(DrainTest, ConfirmedDrainMovesEveryRoomThenStopsAndForgetsTheServer) {
  Scheduler scheduler = make(3);
  scheduler.begin_drain("a", seconds(1));
  scheduler.on_drained("a", seconds(10));
  EXPECT_EQ(fleet_.stopped, std::vector<ServerId>{"a"});
  EXPECT_FALSE(scheduler.server("a").has_value());
  for (const RoomId room_id : {"r1", "r2", "r3"}) {
    EXPECT_EQ(host_of_room(scheduler, room_id, seconds(10)), "b:1") << room_id;
    EXPECT_EQ(scheduler.rooms().find(room_id)->state, RoomState::placed);
  }
  const SchedulerMetrics metrics = scheduler.metrics();
  EXPECT_EQ(metrics.drains_done, 1u);
  EXPECT_EQ(metrics.rooms_moved_by_drain, 3u);
  EXPECT_EQ(metrics.servers_drain_requested, 0);
  expect_invariants(scheduler);
}

TEST_F(DrainTest, ConfirmedDrainStartsServersForRoomsThatDoNotFit) {
  Scheduler scheduler = make(3);
  scheduler.create_room(seconds(0));  // r4..r6 fill b
  scheduler.create_room(seconds(0));
  scheduler.create_room(seconds(0));
  scheduler.begin_drain("a", seconds(1));
  scheduler.on_drained("a", seconds(2));
  EXPECT_EQ(fleet_.started, std::vector<ServerId>{"s1"});
  EXPECT_EQ(scheduler.server("s1")->rooms, 3);
  EXPECT_TRUE(std::holds_alternative<RoomStarting>(scheduler.lookup("r1", seconds(2))));
  expect_invariants(scheduler);
}

TEST_F(DrainTest, AtMaxServersTheDrainedServerMakesWayForItsReplacement) {
  config_.autoscaler.max_servers = 2;
  Scheduler scheduler = make(3);
  for (int i = 0; i < 3; ++i) scheduler.create_room(seconds(0));  // b full too
  scheduler.begin_drain("a", seconds(1));
  scheduler.on_drained("a", seconds(2));
  EXPECT_EQ(fleet_.started, std::vector<ServerId>{"s1"});
  EXPECT_EQ(scheduler.server("s1")->rooms, 3);
  EXPECT_FALSE(scheduler.server("a").has_value());
  EXPECT_EQ(scheduler.metrics().rooms_left_by_drain, 0u);
  expect_invariants(scheduler);
}

TEST_F(DrainTest, RoomsWithoutASlotStayWithTheStoppedServerUntilLookedUp) {
  Scheduler scheduler = make(3);
  for (int i = 0; i < 3; ++i) scheduler.create_room(seconds(0));  // b full too
  fleet_.refuse_starts = true;                                    // a cloud quota
  scheduler.begin_drain("a", seconds(1));
  scheduler.on_drained("a", seconds(2));
  EXPECT_EQ(fleet_.stopped, std::vector<ServerId>{"a"});
  EXPECT_EQ(scheduler.metrics().rooms_left_by_drain, 3u);
  EXPECT_EQ(scheduler.server("a")->state, ServerState::gone);
  EXPECT_TRUE(std::holds_alternative<RoomUnavailable>(scheduler.lookup("r1", seconds(3))));
  // A late report from the stopped server changes nothing.
  scheduler.on_status("a", {"a:1", false, {{"r1", 2}}}, seconds(3));
  EXPECT_EQ(scheduler.server("a")->state, ServerState::gone);
  EXPECT_EQ(scheduler.metrics().reports_ignored, 1u);
  // Nobody joined b's rooms: freed at the join deadline. Then the orphans
  // move on look-up, and the stopped server, empty, is forgotten.
  scheduler.on_status("b", {"b:1", false, {}}, config_.join_deadline);
  for (const RoomId room_id : {"r1", "r2", "r3"}) {
    EXPECT_EQ(host_of_room(scheduler, room_id, config_.join_deadline), "b:1") << room_id;
  }
  EXPECT_FALSE(scheduler.server("a").has_value());
  expect_invariants(scheduler);
}

TEST_F(DrainTest, CancelledDrainMakesTheServerReadyAgain) {
  Scheduler scheduler = make(1);
  scheduler.begin_drain("a", seconds(1));
  scheduler.cancel_drain("a", seconds(2));
  EXPECT_EQ(scheduler.server("a")->state, ServerState::ready);
  EXPECT_FALSE(scheduler.server("a")->drain_requested);
  EXPECT_EQ(scheduler.metrics().drains_cancelled, 1u);
  const CreateResult created = scheduler.create_room(seconds(2));
  EXPECT_EQ(std::get<Placed>(created).host, "a:1");  // first-fit: a again
  scheduler.on_drained("a", seconds(3));             // no drain in flight: nothing
  EXPECT_TRUE(fleet_.stopped.empty());
  expect_invariants(scheduler);
}

TEST_F(DrainTest, FailedPollsStillCountAcrossADrainBegunAndCancelled) {
  config_.failed_polls_before_gone = 3;
  Scheduler scheduler = make(1);
  scheduler.on_unreachable("a", seconds(1));
  scheduler.begin_drain("a", seconds(1));
  scheduler.on_unreachable("a", seconds(2));
  scheduler.cancel_drain("a", seconds(2));  // the drain request failed: it is down
  scheduler.on_unreachable("a", seconds(3));
  EXPECT_EQ(scheduler.server("a")->state, ServerState::gone);
  EXPECT_EQ(scheduler.metrics().drains_abandoned, 0u);
  expect_invariants(scheduler);
}

TEST_F(DrainTest, AServerGoneMidDrainAbandonsItAndItsRoomsMoveOnLookup) {
  Scheduler scheduler = make(2);
  scheduler.begin_drain("a", seconds(1));
  scheduler.mark_gone("a", seconds(2));
  EXPECT_EQ(scheduler.metrics().drains_abandoned, 1u);
  EXPECT_FALSE(scheduler.server("a")->drain_requested);
  EXPECT_EQ(host_of_room(scheduler, "r1", seconds(2)), "b:1");
  scheduler.on_drained("a", seconds(3));  // too late: nothing
  EXPECT_TRUE(fleet_.stopped.empty());
  expect_invariants(scheduler);
}

TEST_F(DrainTest, RoomsAwaitingADrainCountAgainstTheSpareSlots) {
  config_.autoscaler.spare_room_slots = 3;
  Scheduler scheduler = make(2);  // a: 1 free, b: 3 free
  EXPECT_TRUE(scheduler.tick(seconds(1)).started.empty());
  scheduler.begin_drain("a", seconds(1));
  // b's 3 free slots will hold a's 2 rooms: 1 spare left, so one more server.
  EXPECT_EQ(scheduler.tick(seconds(2)).started, std::vector<ServerId>{"s1"});
  expect_invariants(scheduler);
}

}  // namespace
}  // namespace sched
