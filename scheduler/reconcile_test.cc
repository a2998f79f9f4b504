// Reconciliation: the table follows what the servers report.
#include <gtest/gtest.h>

#include "scheduler/scheduler.h"
#include "scheduler/testing.h"

namespace sched {
namespace {

using testing::FakeFleet;
using testing::seconds;

class ReconcileTest : public ::testing::Test {
 protected:
  ReconcileTest() {
    config_.policy = "first-fit";
    config_.join_deadline = seconds(60);
    config_.failed_polls_before_gone = 3;
  }
  Scheduler make() {
    Scheduler scheduler(config_, fleet_, sequential_room_ids(), Random(1));
    scheduler.on_server_started("a", "a:1", seconds(0));
    scheduler.on_server_started("b", "b:1", seconds(0));
    return scheduler;
  }
  void expect_invariants(const Scheduler& scheduler) {
    EXPECT_EQ(scheduler.check_invariants(), std::vector<std::string>{});
  }
  SchedulerConfig config_;
  FakeFleet fleet_;
};

TEST_F(ReconcileTest, NeverJoinedRoomIsFreedAfterTheJoinDeadline) {
  Scheduler scheduler = make();
  scheduler.create_room(seconds(0));  // r1 on a
  scheduler.on_status("a", {"a:1", false, {}}, seconds(59));
  EXPECT_EQ(scheduler.server("a")->rooms, 1);  // still within the deadline
  scheduler.on_status("a", {"a:1", false, {}}, seconds(60));
  EXPECT_EQ(scheduler.server("a")->rooms, 0);
  EXPECT_TRUE(std::holds_alternative<UnknownRoom>(scheduler.lookup("r1", seconds(61))));
  EXPECT_EQ(scheduler.metrics().rooms_freed_never_joined, 1u);
  expect_invariants(scheduler);
}

TEST_F(ReconcileTest, JoinedRoomKeepsItsSlotWhileReported) {
  Scheduler scheduler = make();
  scheduler.create_room(seconds(0));
  for (int t = 10; t < 600; t += 10) {
    scheduler.on_status("a", {"a:1", false, {{"r1", 4}}}, seconds(t));
  }
  EXPECT_EQ(scheduler.server("a")->rooms, 1);
  EXPECT_EQ(scheduler.server("a")->users, 4);
  EXPECT_EQ(scheduler.rooms().find("r1")->state, RoomState::active);
  expect_invariants(scheduler);
}

// on_status skips the sweep for unreported rooms when the report's rooms
// account for every room held on the server; a room listed twice must not
// make that count look complete.
TEST_F(ReconcileTest, RoomListedTwiceDoesNotHideAnUnreportedOne) {
  Scheduler scheduler = make();
  scheduler.create_room(seconds(0));  // r1 on a
  scheduler.create_room(seconds(0));  // r2 on a
  scheduler.on_status("a", {"a:1", false, {{"r1", 2}, {"r2", 3}}}, seconds(5));
  EXPECT_EQ(scheduler.server("a")->rooms, 2);
  // r2's users left; r1 is listed twice: r2 must still be freed.
  scheduler.on_status("a", {"a:1", false, {{"r1", 2}, {"r1", 2}}}, seconds(10));
  EXPECT_EQ(scheduler.rooms_on("a"), std::vector<RoomId>{"r1"});
  EXPECT_EQ(scheduler.metrics().rooms_freed_emptied, 1u);
  // r1 listed with users, then with none: the later entry wins, r1 is freed.
  scheduler.on_status("a", {"a:1", false, {{"r1", 2}, {"r1", 0}}}, seconds(15));
  EXPECT_EQ(scheduler.server("a")->rooms, 0);
  expect_invariants(scheduler);
}

TEST_F(ReconcileTest, RoomReportedEmptyIsFreed) {
  Scheduler scheduler = make();
  scheduler.create_room(seconds(0));
  scheduler.on_status("a", {"a:1", false, {{"r1", 2}}}, seconds(5));
  scheduler.on_status("a", {"a:1", false, {{"r1", 0}}}, seconds(10));
  EXPECT_EQ(scheduler.server("a")->rooms, 0);
  EXPECT_EQ(scheduler.metrics().rooms_freed_emptied, 1u);
  expect_invariants(scheduler);
}

TEST_F(ReconcileTest, RoomNoLongerReportedAfterBeingSeenIsFreed) {
  Scheduler scheduler = make();
  scheduler.create_room(seconds(0));
  scheduler.on_status("a", {"a:1", false, {{"r1", 2}}}, seconds(5));
  scheduler.on_status("a", {"a:1", false, {}}, seconds(10));  // well within the deadline
  EXPECT_EQ(scheduler.server("a")->rooms, 0);
  expect_invariants(scheduler);
}

TEST_F(ReconcileTest, EmptyRoomGraceKeepsTheSlotForAWhile) {
  config_.empty_room_grace = seconds(30);
  Scheduler scheduler = make();
  scheduler.create_room(seconds(0));
  scheduler.on_status("a", {"a:1", false, {{"r1", 1}}}, seconds(5));
  scheduler.on_status("a", {"a:1", false, {{"r1", 0}}}, seconds(10));
  EXPECT_EQ(scheduler.rooms().find("r1")->state, RoomState::empty);
  scheduler.on_status("a", {"a:1", false, {{"r1", 0}}}, seconds(39));
  EXPECT_EQ(scheduler.server("a")->rooms, 1);
  scheduler.on_status("a", {"a:1", false, {{"r1", 0}}}, seconds(40));
  EXPECT_EQ(scheduler.server("a")->rooms, 0);
  expect_invariants(scheduler);
}

// A server that restarts quickly (never declared gone) comes back without
// the room its users were in; they are reconnecting, so the room keeps its
// slot and its host for the grace period, and is active again once they are.
TEST_F(ReconcileTest, RoomThatVanishesWithUsersKeepsItsSlotForTheGrace) {
  config_.empty_room_grace = seconds(30);
  Scheduler scheduler = make();
  scheduler.create_room(seconds(0));
  scheduler.on_status("a", {"a:1", false, {{"r1", 3}}}, seconds(5));
  scheduler.on_status("a", {"a:1", false, {}}, seconds(10));  // restarted, empty
  EXPECT_EQ(scheduler.rooms().find("r1")->state, RoomState::empty);
  const LookupResult found = scheduler.lookup("r1", seconds(11));
  ASSERT_TRUE(std::holds_alternative<RoomReady>(found));
  EXPECT_EQ(std::get<RoomReady>(found).host, "a:1");
  scheduler.on_status("a", {"a:1", false, {{"r1", 1}}}, seconds(15));  // they are back
  EXPECT_EQ(scheduler.rooms().find("r1")->state, RoomState::active);
  scheduler.on_status("a", {"a:1", false, {}}, seconds(20));
  scheduler.on_status("a", {"a:1", false, {}}, seconds(49));
  EXPECT_EQ(scheduler.server("a")->rooms, 1);
  scheduler.on_status("a", {"a:1", false, {}}, seconds(50));
  EXPECT_EQ(scheduler.server("a")->rooms, 0);
  expect_invariants(scheduler);
}

TEST_F(ReconcileTest, GoneServersRoomsArePlacedAgainOnLookupWithANewHost) {
  Scheduler scheduler = make();
  scheduler.create_room(seconds(0));
  scheduler.on_status("a", {"a:1", false, {{"r1", 3}}}, seconds(1));
  scheduler.on_unreachable("a", seconds(2));
  scheduler.on_unreachable("a", seconds(3));
  EXPECT_EQ(scheduler.server("a")->state, ServerState::ready);  // two failures: not yet
  scheduler.on_unreachable("a", seconds(4));
  EXPECT_EQ(scheduler.server("a")->state, ServerState::gone);
  expect_invariants(scheduler);
  const LookupResult found = scheduler.lookup("r1", seconds(5));
  ASSERT_TRUE(std::holds_alternative<RoomReady>(found));
  EXPECT_EQ(std::get<RoomReady>(found).host, "b:1");
  EXPECT_EQ(scheduler.server("b")->rooms, 1);
  EXPECT_EQ(scheduler.server("a")->rooms, 0);
  EXPECT_EQ(scheduler.metrics().replace.placed, 1u);
  expect_invariants(scheduler);
}

TEST_F(ReconcileTest, SuccessfulPollResetsTheFailureCount) {
  Scheduler scheduler = make();
  scheduler.on_unreachable("a", seconds(1));
  scheduler.on_unreachable("a", seconds(2));
  scheduler.on_status("a", {"a:1", false, {}}, seconds(3));
  scheduler.on_unreachable("a", seconds(4));
  scheduler.on_unreachable("a", seconds(5));
  EXPECT_EQ(scheduler.server("a")->state, ServerState::ready);
}

TEST_F(ReconcileTest, OrphansNobodyAsksForAreDroppedAfterTheDeadline) {
  Scheduler scheduler = make();
  scheduler.create_room(seconds(0));
  for (int t = 1; t <= 3; ++t) scheduler.on_unreachable("a", seconds(t));
  scheduler.tick(seconds(62));
  EXPECT_EQ(scheduler.rooms().size(), 1u);
  scheduler.tick(seconds(63));
  EXPECT_EQ(scheduler.rooms().size(), 0u);
  EXPECT_EQ(scheduler.metrics().rooms_orphans_dropped, 1u);
  expect_invariants(scheduler);
}

TEST_F(ReconcileTest, ServerBackFromABlipKeepsRoomsNobodyMoved) {
  Scheduler scheduler = make();
  scheduler.create_room(seconds(0));  // r1 on a
  scheduler.create_room(seconds(0));  // r2 on a
  scheduler.on_status("a", {"a:1", false, {{"r1", 3}, {"r2", 1}}}, seconds(1));
  for (int t = 2; t <= 4; ++t) scheduler.on_unreachable("a", seconds(t));
  scheduler.lookup("r2", seconds(5));  // r2 moves to b
  scheduler.on_status("a", {"a:1", false, {{"r1", 3}, {"r2", 1}}}, seconds(6));
  EXPECT_EQ(scheduler.server("a")->state, ServerState::ready);
  // r2 was placed on b but nobody joined it there yet: a, which has its
  // users, takes it back.
  EXPECT_EQ(scheduler.rooms_on("a"), (std::vector<RoomId>{"r1", "r2"}));
  EXPECT_EQ(scheduler.rooms_on("b"), std::vector<RoomId>{});
  expect_invariants(scheduler);
}

TEST_F(ReconcileTest, ReportedRoomUnknownToTheTableIsAdopted) {
  Scheduler scheduler = make();
  scheduler.on_status("b", {"b:1", false, {{"old", 5}, {"empty", 0}}}, seconds(1));
  EXPECT_EQ(scheduler.rooms_on("b"), std::vector<RoomId>{"old"});
  EXPECT_EQ(scheduler.metrics().rooms_adopted, 1u);
  const LookupResult found = scheduler.lookup("old", seconds(2));
  EXPECT_EQ(std::get<RoomReady>(found).host, "b:1");
  expect_invariants(scheduler);
}

TEST_F(ReconcileTest, DrainingServerTakesNoRoomsAndItsRoomsMoveOnLookup) {
  Scheduler scheduler = make();
  scheduler.create_room(seconds(0));  // r1 on a (first-fit)
  scheduler.on_status("a", {"a:1", true, {{"r1", 2}}}, seconds(1));
  EXPECT_EQ(scheduler.server("a")->state, ServerState::draining);
  EXPECT_EQ(std::get<Placed>(scheduler.create_room(seconds(2))).host, "b:1");
  EXPECT_EQ(std::get<RoomReady>(scheduler.lookup("r1", seconds(3))).host, "b:1");
  expect_invariants(scheduler);
}

TEST_F(ReconcileTest, ReportsFromUnknownServersAreIgnored) {
  Scheduler scheduler = make();
  scheduler.on_status("zzz", {"z:1", false, {{"x", 1}}}, seconds(1));
  EXPECT_EQ(scheduler.rooms().size(), 0u);
  EXPECT_EQ(scheduler.metrics().reports_ignored, 1u);
}

}  // namespace
}  // namespace sched
