// The control core's rules, one event sequence each: failover probes,
// placement after refusals, the unjoined-rooms cap, the shortage hand-off
// between replicas, the fleet lease, drains, the directory the lease holder
// rebuilds, waiting for a starting server, stopping, and look-ups through
// the shared directory. The core is fed events as the executor would and
// the tests read the effects it returns; no I/O, no clock.
#include "control/control_core.h"

#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <variant>
#include <vector>

#include "scheduler/testing.h"

namespace core {
namespace {

using sched::Millis;
using sched::ServerState;
using sched::testing::seconds;

// Session server n: "s<n>" at 127.0.0.1:900<n>, its /status at :910<n>.
std::string host(int n) { return "127.0.0.1:900" + std::to_string(n); }
std::string admin(int n) { return "127.0.0.1:910" + std::to_string(n); }
Member member(int n) { return {"s" + std::to_string(n), host(n), admin(n), 0}; }

template <class T>
std::vector<T> effects_of(const Effects& effects) {
  std::vector<T> found;
  for (const Effect& effect : effects) {
    if (const T* each = std::get_if<T>(&effect)) found.push_back(*each);
  }
  return found;
}

std::vector<Reply> answers_to(RequestId request, const Effects& effects) {
  std::vector<Reply> found;
  for (const Answer& answer : effects_of<Answer>(effects)) {
    if (answer.request == request) found.push_back(answer.reply);
  }
  return found;
}

bool counted(const Effects& effects, Counter counter, const std::string& label) {
  for (const Count& count : effects_of<Count>(effects)) {
    if (count.counter == counter && count.label == label) return true;
  }
  return false;
}

// The T inside a reply, whichever result variant holds it (RoomAt and
// NoServerNow are answers to creations and look-ups alike).
template <class T, class... Ts>
const T* alternative(const std::variant<Ts...>& result) {
  if constexpr ((std::is_same_v<T, Ts> || ...)) {
    return std::get_if<T>(&result);
  } else {
    return nullptr;
  }
}
template <class T>
const T* alternative_of(const Reply& reply) {
  return std::visit([](const auto& result) { return alternative<T>(result); }, reply);
}

// For failure messages: what a reply was instead.
std::string describe(const Reply& reply) {
  return std::visit(
      [](const auto& result) {
        return std::visit(
            [](const auto& each) -> std::string {
              using T = std::decay_t<decltype(each)>;
              if constexpr (std::is_same_v<T, RoomCreated>) return "RoomCreated " + each.room_id;
              if constexpr (std::is_same_v<T, RoomAt>) return "RoomAt " + each.host;
              if constexpr (std::is_same_v<T, RoomUnknown>) return "RoomUnknown";
              if constexpr (std::is_same_v<T, NoServerNow>) return "NoServerNow: " + each.reason;
              if constexpr (std::is_same_v<T, TooManyUnjoinedRooms>) return "TooManyUnjoinedRooms";
              if constexpr (std::is_same_v<T, PlacementFailed>) return "PlacementFailed";
              if constexpr (std::is_same_v<T, DrainStarted>) return "DrainStarted";
              if constexpr (std::is_same_v<T, DrainRefused>) return "DrainRefused: " + each.reason;
              return "?";
            },
            result);
      },
      reply);
}

class ControlCoreTest : public ::testing::Test {
 protected:
  ControlCoreTest() {
    // First-fit: the oldest server with a free slot, so a test knows where a
    // room goes (s1 first).
    options.scheduler.policy = "first-fit";
  }

  // A core with servers s1..s<servers> ready (a static list), made from
  // `options` as the test left them.
  ControlCore& make(int servers) {
    core_ = std::make_unique<ControlCore>(options, sched::sequential_room_ids(), sched::Random(1));
    for (int n = 1; n <= servers; ++n) feed(ServerStarted{member(n)});
    return *core_;
  }
  ControlCore& core() { return *core_; }

  // One event at now_: its effects, kept as last() and in all().
  const Effects& feed(const Event& event) {
    last_ = core_->handle(now_, event);
    all_.insert(all_.end(), last_.begin(), last_.end());
    return last_;
  }
  const Effects& last() const { return last_; }
  const Effects& all() const { return all_; }

  // The one answer to `request` among `effects`, as a T: a failure if there
  // is none, more than one, or something else.
  template <class T>
  std::optional<T> answered(RequestId request, const Effects& effects) {
    const auto replies = answers_to(request, effects);
    if (replies.size() != 1) {
      ADD_FAILURE() << "request " << request << " has " << replies.size() << " answers";
      return std::nullopt;
    }
    const T* result = alternative_of<T>(replies[0]);
    if (result == nullptr) {
      ADD_FAILURE() << "request " << request << " was answered " << describe(replies[0]);
      return std::nullopt;
    }
    return *result;
  }
  bool unanswered(RequestId request) const { return answers_to(request, all_).empty(); }

  // A creation that goes through: its reservation is granted and, when
  // replicated, written to the directory. The room's id.
  sched::RoomId create(RequestId request, const std::string& creator = "alice",
                       int unjoined_rooms_max = 0) {
    feed(CreateRoom{request, creator, unjoined_rooms_max});
    const auto reserves = effects_of<Reserve>(last());
    if (reserves.size() != 1 || reserves[0].request != request) {
      ADD_FAILURE() << "creation " << request << " asked for no reservation";
      return {};
    }
    feed(ReservationAnswered{request, Reserved{}});
    if (options.replicated) {
      const auto placed = effects_of<PlaceInDirectory>(last());
      if (placed.size() != 1) {
        ADD_FAILURE() << "creation " << request << " was not written to the directory";
        return {};
      }
      feed(DirectoryPlaced{request, true});
    }
    auto created = answered<RoomCreated>(request, last());
    return created ? created->room_id : sched::RoomId{};
  }

  ServerState state_of(const sched::ServerId& id) {
    auto server = core().scheduler().server(id);
    return server ? server->state : ServerState::gone;
  }

  ControlOptions options;
  Millis now_{0};

 private:
  std::unique_ptr<ControlCore> core_;
  Effects last_;
  Effects all_;
};

// Failover probes.

TEST_F(ControlCoreTest, ARefusedProbeTakesTheServerAsGoneAndPlacesTheRoomAgain) {
  make(2);
  const auto room = create(1);
  feed(FindRoom{2, room, host(1)});
  const auto probes = effects_of<Probe>(last());
  ASSERT_EQ(probes.size(), 1u);
  EXPECT_EQ(probes[0].server_id, "s1");
  EXPECT_EQ(probes[0].admin_host, admin(1));
  EXPECT_TRUE(unanswered(2)) << "the look-up waits for the probe";

  feed(Probed{"s1", NotHeard{"connection refused", true}});
  auto at = answered<RoomAt>(2, last());
  ASSERT_TRUE(at);
  EXPECT_EQ(at->host, host(2));
  EXPECT_EQ(state_of("s1"), ServerState::gone);
  EXPECT_EQ(core().scheduler().server_of(room), "s2");
}

TEST_F(ControlCoreTest, ATimedOutProbeCountsOnlyAsAFailedPollAndTheRoomStays) {
  options.scheduler.failed_polls_before_gone = 2;
  make(2);
  const auto room = create(1);
  feed(FindRoom{2, room, host(1)});
  ASSERT_EQ(effects_of<Probe>(last()).size(), 1u);
  feed(Probed{"s1", NotHeard{"timed out", false}});
  auto at = answered<RoomAt>(2, last());
  ASSERT_TRUE(at);
  EXPECT_EQ(at->host, host(1));
  EXPECT_EQ(state_of("s1"), ServerState::ready);
  EXPECT_EQ(core().scheduler().server_of(room), "s1");
  // The probe was the first failed poll: one more and the server is gone.
  feed(Polled{"s1", NotHeard{"timed out", false}});
  EXPECT_EQ(state_of("s1"), ServerState::gone);
}

TEST_F(ControlCoreTest, OneProbeAServerIsInFlightAndLaterAskersAreAnsweredAfterIt) {
  make(2);
  const auto room = create(1);
  feed(FindRoom{2, room, host(1)});
  feed(FindRoom{3, room, host(1)});
  EXPECT_TRUE(effects_of<Probe>(last()).empty());
  EXPECT_TRUE(counted(last(), Counter::failover_probes_skipped, "in_flight"));
  EXPECT_TRUE(unanswered(3)) << "the second asker waits for the first probe";

  feed(Probed{"s1", NotHeard{"connection refused", true}});
  for (RequestId request : {2, 3}) {
    auto at = answered<RoomAt>(request, last());
    ASSERT_TRUE(at);
    EXPECT_EQ(at->host, host(2));
  }
  EXPECT_EQ(effects_of<Probe>(all()).size(), 1u);
}

TEST_F(ControlCoreTest, NoNewProbeWithinTheIntervalButOneAfterIt) {
  options.probe_interval_min = Millis(500);
  make(2);
  const auto room = create(1);
  now_ = seconds(10);
  feed(FindRoom{2, room, host(1)});
  ASSERT_EQ(effects_of<Probe>(last()).size(), 1u);
  now_ += Millis(100);
  feed(Probed{"s1", NoStatusEndpoint{}});
  ASSERT_TRUE(answered<RoomAt>(2, last()));

  now_ = seconds(10) + Millis(499);
  feed(FindRoom{3, room, host(1)});
  EXPECT_TRUE(effects_of<Probe>(last()).empty());
  EXPECT_TRUE(counted(last(), Counter::failover_probes_skipped, "too_soon"));
  auto at = answered<RoomAt>(3, last());  // the view as it stands
  ASSERT_TRUE(at);
  EXPECT_EQ(at->host, host(1));

  now_ = seconds(10) + Millis(500);
  feed(FindRoom{4, room, host(1)});
  EXPECT_EQ(effects_of<Probe>(last()).size(), 1u);
  EXPECT_TRUE(unanswered(4));
}

TEST_F(ControlCoreTest, AHostRestartedInPlaceIsNeverTakenAsGoneByAProbe) {
  options.fleet.restarts_in_place = true;
  make(2);
  const auto room = create(1);
  feed(FindRoom{2, room, host(1)});
  ASSERT_EQ(effects_of<Probe>(last()).size(), 1u);
  feed(Probed{"s1", NotHeard{"connection refused", true}});
  auto at = answered<RoomAt>(2, last());
  ASSERT_TRUE(at);
  EXPECT_EQ(at->host, host(1));
  EXPECT_EQ(state_of("s1"), ServerState::ready);
}

TEST_F(ControlCoreTest, AnUnreachableHostThatIsNotTheRoomsHostStartsNoProbe) {
  make(2);
  const auto room = create(1);
  feed(FindRoom{2, room, host(2)});
  feed(FindRoom{3, room, "not a host"});
  EXPECT_TRUE(effects_of<Probe>(all()).empty());
  for (RequestId request : {2, 3}) {
    auto at = answered<RoomAt>(request, all());
    ASSERT_TRUE(at);
    EXPECT_EQ(at->host, host(1));
  }
}

// Placement attempts after refusals.

TEST_F(ControlCoreTest, ARefusedReservationSendsTheNextAttemptToAnotherServer) {
  make(3);
  feed(CreateRoom{1, "alice"});
  const auto first = effects_of<Reserve>(last());
  ASSERT_EQ(first.size(), 1u);
  EXPECT_EQ(first[0].admin_host, admin(1));

  feed(ReservationAnswered{1, ReservationRefused{"full"}});
  const auto second = effects_of<Reserve>(last());
  ASSERT_EQ(second.size(), 1u);
  EXPECT_NE(second[0].admin_host, first[0].admin_host);
  EXPECT_TRUE(unanswered(1));
  EXPECT_FALSE(core().scheduler().server_of(first[0].room_id)) << "the refused room is let go";

  feed(ReservationAnswered{1, Reserved{}});
  auto created = answered<RoomCreated>(1, last());
  ASSERT_TRUE(created);
  EXPECT_EQ(created->room_id, second[0].room_id);
}

TEST_F(ControlCoreTest, AfterPlacementAttemptsRefusalsTheAnswerIsNoServerNow) {
  options.placement_attempts = 2;
  make(4);  // servers to spare: the attempts run out, not the servers
  feed(CreateRoom{1, "alice"});
  feed(ReservationAnswered{1, ReservationRefused{"full"}});
  ASSERT_EQ(effects_of<Reserve>(last()).size(), 1u);
  feed(ReservationAnswered{1, ReservationRefused{"full"}});
  EXPECT_TRUE(effects_of<Reserve>(last()).empty());
  EXPECT_TRUE(answered<NoServerNow>(1, last()));
  EXPECT_EQ(effects_of<Reserve>(all()).size(), 2u);
}

TEST_F(ControlCoreTest, AFailedReservationReleasesTheRoomAndCountsTheServerUnreachable) {
  options.scheduler.failed_polls_before_gone = 2;
  make(2);
  feed(CreateRoom{1, "alice"});
  const auto first = effects_of<Reserve>(last());
  ASSERT_EQ(first.size(), 1u);
  feed(ReservationAnswered{1, ReservationFailed{"timed out"}});
  EXPECT_FALSE(core().scheduler().server_of(first[0].room_id));
  EXPECT_EQ(effects_of<Reserve>(last()).size(), 1u) << "an attempt is left";
  EXPECT_EQ(state_of("s1"), ServerState::ready);
  // The failure was s1's first failed poll: one more and it is gone.
  feed(Polled{"s1", NotHeard{"timed out", false}});
  EXPECT_EQ(state_of("s1"), ServerState::gone);
}

// The unjoined-rooms cap.

TEST_F(ControlCoreTest, ACreatorPastItsUnjoinedRoomsCapIsRefused) {
  make(2);
  create(1, "alice", 2);
  create(2, "alice", 2);
  feed(CreateRoom{3, "alice", 2});
  auto refused = answered<TooManyUnjoinedRooms>(3, last());
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->held, 2);
  EXPECT_GE(refused->retry_after, std::chrono::seconds(1));
  EXPECT_TRUE(effects_of<Reserve>(last()).empty());
}

TEST_F(ControlCoreTest, OneCreatorsUnjoinedRoomsDoNotLimitAnother) {
  make(2);
  create(1, "alice", 2);
  create(2, "alice", 2);
  EXPECT_FALSE(create(3, "bob", 2).empty());
}

TEST_F(ControlCoreTest, AJoinedRoomNoLongerCountsAgainstItsCreatorsCap) {
  make(2);
  const auto joined = create(1, "alice", 2);
  create(2, "alice", 2);
  ASSERT_EQ(core().scheduler().server_of(joined), "s1");
  // s1's poll: the first room has a member, the other is still reserved.
  feed(Polled{"s1", sched::StatusReport{host(1), false, {{joined, 1}}, 1}});
  EXPECT_FALSE(create(3, "alice", 2).empty());
}

// The shortage hand-off between replicas.

TEST_F(ControlCoreTest, AReplicaWithoutTheLeaseReportsAShortageAndStartsNoServer) {
  options.replicated = true;
  options.fleet.can_start = true;
  options.scheduler.room_capacity = 1;
  make(1);
  create(1);
  feed(CreateRoom{2, "alice"});
  EXPECT_EQ(effects_of<ReportShortage>(last()).size(), 1u);
  EXPECT_TRUE(answered<NoServerNow>(2, last()));
  EXPECT_TRUE(effects_of<StartServer>(all()).empty());
}

TEST_F(ControlCoreTest, TheLeaseHolderStartsAServerForAnotherReplicasShortage) {
  options.replicated = true;
  options.fleet.can_start = true;
  options.scheduler.room_capacity = 1;
  make(1);
  // s1 is full of another backend's reservation.
  feed(Polled{"s1", sched::StatusReport{host(1), false, {}, 1}});
  feed(ShortageSeen{"backend-b"});
  EXPECT_TRUE(effects_of<StartServer>(last()).empty()) << "not the holder yet";
  feed(LeaseGained{1});
  feed(ShortageSeen{"backend-b"});
  EXPECT_EQ(effects_of<StartServer>(last()).size(), 1u);
}

// The fleet lease.

TEST_F(ControlCoreTest, WithoutTheLeaseATickStopsAndDrainsNothing) {
  options.replicated = true;
  options.fleet.can_start = true;
  options.fleet.can_stop = true;
  options.scheduler.autoscaler.idle_before_stop = seconds(1);
  options.scheduler.autoscaler.defrag_max_rooms = 1;
  options.scheduler.autoscaler.defrag_interval = Millis(0);
  make(3);
  // s1 and s2 hold a room each (s2's would fit on s1: defragmentation), s3
  // is idle.
  feed(Polled{"s1", sched::StatusReport{host(1), false, {{"a", 1}}, 0}});
  feed(Polled{"s2", sched::StatusReport{host(2), false, {{"b", 1}}, 0}});
  for (int second = 2; second <= 5; ++second) {
    now_ = seconds(second);
    feed(Tick{});
  }
  EXPECT_TRUE(effects_of<StartServer>(all()).empty());
  EXPECT_TRUE(effects_of<StopServer>(all()).empty());
  EXPECT_TRUE(effects_of<DrainSession>(all()).empty());
  // The same fleet under the lease: both happen at the next tick.
  feed(LeaseGained{1});
  now_ = seconds(6);
  feed(Tick{});
  ASSERT_EQ(effects_of<StopServer>(last()).size(), 1u);
  EXPECT_EQ(effects_of<StopServer>(last())[0].server_id, "s3");
  ASSERT_EQ(effects_of<DrainSession>(last()).size(), 1u);
  EXPECT_EQ(effects_of<DrainSession>(last())[0].server_id, "s2");
}

TEST_F(ControlCoreTest, WithoutTheLeaseADrainIsRefusedNamingTheHolder) {
  options.replicated = true;
  make(1);
  feed(LeaseSeen{"backend-b", 7});
  feed(DrainServer{1, "s1"});
  auto refused = answered<DrainRefused>(1, last());
  ASSERT_TRUE(refused);
  EXPECT_FALSE(refused->unknown_server);
  EXPECT_NE(refused->reason.find("backend-b"), std::string::npos) << refused->reason;
  EXPECT_TRUE(effects_of<DrainSession>(last()).empty());
  EXPECT_EQ(state_of("s1"), ServerState::ready);
}

TEST_F(ControlCoreTest, AfterTheLeaseIsGainedTheSameTickStartsServers) {
  options.replicated = true;
  options.fleet.can_start = true;
  options.scheduler.autoscaler.min_servers = 2;
  make(0);
  feed(Tick{});
  EXPECT_TRUE(effects_of<StartServer>(last()).empty());
  feed(LeaseGained{1});
  feed(Tick{});
  EXPECT_EQ(effects_of<StartServer>(last()).size(), 2u);
  EXPECT_TRUE(core().manages_fleet());
}

// Drains.

TEST_F(ControlCoreTest, ADrainOfAReadyServerStartsAndAsksTheSessionServerToDrain) {
  make(2);
  const auto room = create(1);
  feed(DrainServer{2, "s1"});
  auto started = answered<DrainStarted>(2, last());
  ASSERT_TRUE(started);
  EXPECT_EQ(started->server_id, "s1");
  EXPECT_EQ(started->rooms, 1);
  const auto sessions = effects_of<DrainSession>(last());
  ASSERT_EQ(sessions.size(), 1u);
  EXPECT_EQ(sessions[0].server_id, "s1");
  EXPECT_EQ(sessions[0].admin_host, admin(1));
  ASSERT_EQ(core().drains().size(), 1u);
  EXPECT_EQ(core().drains().back().server_id, "s1");
  EXPECT_EQ(core().drains().back().by, "operator");
  EXPECT_EQ(core().drains().back().state, "draining");
  EXPECT_EQ(core().drains().back().rooms, 1);
  // Until confirmed, the room stays where its history is being written.
  feed(FindRoom{3, room, std::nullopt});
  auto at = answered<RoomAt>(3, last());
  ASSERT_TRUE(at);
  EXPECT_EQ(at->host, host(1));
}

TEST_F(ControlCoreTest, AConfirmedDrainMovesItsRoomsAndStopsTheServer) {
  options.fleet.can_stop = true;
  make(2);
  const auto room = create(1);
  feed(DrainServer{2, "s1"});
  feed(DrainConfirmed{"s1", {room}, 0});
  const auto stops = effects_of<StopServer>(last());
  ASSERT_EQ(stops.size(), 1u);
  EXPECT_EQ(stops[0].server_id, "s1");
  feed(FindRoom{3, room, std::nullopt});
  auto at = answered<RoomAt>(3, last());
  ASSERT_TRUE(at);
  EXPECT_EQ(at->host, host(2));
  ASSERT_FALSE(core().drains().empty());
  EXPECT_EQ(core().drains().back().state, "drained");
  EXPECT_EQ(core().drains().back().moved, std::vector<std::string>{room});
}

TEST_F(ControlCoreTest, AFailedDrainIsCancelledAndTheServerTakesRoomsAgain) {
  make(1);
  feed(DrainServer{1, "s1"});
  feed(CreateRoom{2, "alice"});
  EXPECT_TRUE(answered<NoServerNow>(2, last())) << "a draining server takes no new room";
  feed(DrainFailed{"s1", "it said no"});
  EXPECT_EQ(state_of("s1"), ServerState::ready);
  ASSERT_FALSE(core().drains().empty());
  EXPECT_EQ(core().drains().back().state, "failed");
  EXPECT_EQ(core().drains().back().error, "it said no");
  feed(CreateRoom{3, "alice"});
  const auto reserves = effects_of<Reserve>(last());
  ASSERT_EQ(reserves.size(), 1u);
  EXPECT_EQ(reserves[0].admin_host, admin(1));
}

TEST_F(ControlCoreTest, ADrainOfAnUnknownServerIsRefusedAsUnknown) {
  make(1);
  feed(DrainServer{1, "s9"});
  auto refused = answered<DrainRefused>(1, last());
  ASSERT_TRUE(refused);
  EXPECT_TRUE(refused->unknown_server);
  EXPECT_TRUE(effects_of<DrainSession>(last()).empty());
  EXPECT_TRUE(core().drains().empty());
}

TEST_F(ControlCoreTest, ADrainOfAServerAlreadyDrainingIsRefusedAsNotReady) {
  make(1);
  feed(DrainServer{1, "s1"});
  feed(DrainServer{2, "s1"});
  auto refused = answered<DrainRefused>(2, last());
  ASSERT_TRUE(refused);
  EXPECT_FALSE(refused->unknown_server);
  EXPECT_EQ(effects_of<DrainSession>(all()).size(), 1u);
  EXPECT_EQ(core().drains().size(), 1u);
}

// The directory the lease holder rebuilds from the servers' reports.

TEST_F(ControlCoreTest, TheLeaseHolderWritesAReportedRoomWithUsersToTheDirectoryOnce) {
  options.replicated = true;
  make(2);
  feed(LeaseGained{1});
  const sched::StatusReport report{host(1), false, {{"x1", 2}}, 0};
  feed(Polled{"s1", report});
  const auto placed = effects_of<PlaceInDirectory>(last());
  ASSERT_EQ(placed.size(), 1u);
  EXPECT_EQ(placed[0].request, kNoRequest);
  EXPECT_EQ(placed[0].room_id, "x1");
  EXPECT_EQ(placed[0].entry.server_id, "s1");
  EXPECT_EQ(placed[0].entry.host, host(1));
  EXPECT_EQ(placed[0].ttl, Millis(0));
  feed(Polled{"s1", report});
  EXPECT_TRUE(effects_of<PlaceInDirectory>(last()).empty());
}

TEST_F(ControlCoreTest, WhenTheTableLetsARoomGoTheHolderFreesItsDirectoryEntry) {
  options.replicated = true;
  make(2);
  feed(LeaseGained{1});
  feed(Polled{"s1", sched::StatusReport{host(1), false, {{"x1", 2}}, 0}});
  // Its members left (no grace for empty rooms): the table lets it go.
  feed(Polled{"s1", sched::StatusReport{host(1), false, {}, 0}});
  ASSERT_FALSE(core().scheduler().server_of("x1"));
  now_ = seconds(1);
  feed(Tick{});
  const auto freed = effects_of<FreeInDirectory>(last());
  ASSERT_EQ(freed.size(), 1u);
  EXPECT_EQ(freed[0].room_id, "x1");
  EXPECT_EQ(freed[0].server_id, "s1");
  now_ = seconds(2);
  feed(Tick{});
  EXPECT_TRUE(effects_of<FreeInDirectory>(last()).empty()) << "freed once";
}

TEST_F(ControlCoreTest, AReplicaWithoutTheLeaseWritesNothingToTheDirectoryFromReports) {
  options.replicated = true;
  make(2);
  feed(Polled{"s1", sched::StatusReport{host(1), false, {{"x1", 2}}, 0}});
  feed(Polled{"s1", sched::StatusReport{host(1), false, {}, 0}});
  now_ = seconds(1);
  feed(Tick{});
  EXPECT_TRUE(effects_of<PlaceInDirectory>(all()).empty());
  EXPECT_TRUE(effects_of<FreeInDirectory>(all()).empty());
}

// Waiting for a starting server.

TEST_F(ControlCoreTest, ALookUpOfARoomOnAStartingServerIsAnsweredOnlyOnceItIsReady) {
  options.fleet.can_start = true;
  make(0);
  feed(CreateRoom{1, "alice"});
  const auto starts = effects_of<StartServer>(last());
  ASSERT_EQ(starts.size(), 1u);
  const auto rooms = core().scheduler().rooms_on(starts[0].server_id);
  ASSERT_EQ(rooms.size(), 1u);
  feed(FindRoom{2, rooms[0], std::nullopt});
  EXPECT_TRUE(unanswered(2));
  EXPECT_EQ(effects_of<WakeAt>(last()).size(), 1u);
  now_ = seconds(5);
  feed(ServerStarted{{starts[0].server_id, host(1), admin(1), 0}});
  auto at = answered<RoomAt>(2, last());
  ASSERT_TRUE(at);
  EXPECT_EQ(at->host, host(1));
}

TEST_F(ControlCoreTest, ALookUpStillWaitingAtItsDeadlineGetsNoServerNow) {
  options.fleet.can_start = true;
  make(0);
  feed(CreateRoom{1, "alice"});
  const auto start = effects_of<StartServer>(last()).at(0);
  const auto room = core().scheduler().rooms_on(start.server_id).at(0);
  now_ = seconds(1);
  feed(FindRoom{2, room, std::nullopt});
  const auto wakes = effects_of<WakeAt>(last());
  ASSERT_EQ(wakes.size(), 1u);
  EXPECT_EQ(wakes[0].request, 2u);
  EXPECT_EQ(wakes[0].at, seconds(1) + options.start_wait_max);

  now_ = wakes[0].at - Millis(1);
  feed(WakeUp{2});
  EXPECT_TRUE(unanswered(2)) << "woken before its deadline";
  now_ = wakes[0].at;
  feed(WakeUp{2});
  EXPECT_TRUE(answered<NoServerNow>(2, last()));
  feed(ServerStarted{{start.server_id, host(1), admin(1), 0}});
  EXPECT_EQ(answers_to(2, all()).size(), 1u);
}

TEST_F(ControlCoreTest, ACreationWaitingForAStartIsReservedOnceTheServerIsReady) {
  options.fleet.can_start = true;
  make(0);
  feed(CreateRoom{1, "alice"});
  const auto start = effects_of<StartServer>(last()).at(0);
  EXPECT_TRUE(effects_of<Reserve>(last()).empty());
  EXPECT_EQ(effects_of<WakeAt>(last()).size(), 1u);
  now_ = seconds(3);
  feed(ServerStarted{{start.server_id, host(1), admin(1), 0}});
  const auto reserves = effects_of<Reserve>(last());
  ASSERT_EQ(reserves.size(), 1u);
  EXPECT_EQ(reserves[0].request, 1u);
  EXPECT_EQ(reserves[0].admin_host, admin(1));
  EXPECT_TRUE(unanswered(1)) << "not handed out before its reservation";
  feed(ReservationAnswered{1, Reserved{}});
  auto created = answered<RoomCreated>(1, last());
  ASSERT_TRUE(created);
  EXPECT_EQ(created->room_id, reserves[0].room_id);
}

// Stopping.

TEST_F(ControlCoreTest, StopAnswersEveryPendingRequestOnceAndGivesTheLeaseBack) {
  options.replicated = true;
  options.fleet.can_start = true;
  options.scheduler.room_capacity = 1;
  make(1);
  feed(LeaseGained{1});
  feed(CreateRoom{1, "alice"});  // its reservation on s1 asked
  const auto reserved = effects_of<Reserve>(last()).at(0);
  feed(FindRoom{2, "elsewhere", std::nullopt});  // reading the directory
  ASSERT_EQ(effects_of<ReadDirectory>(last()).size(), 1u);
  feed(FindRoom{3, reserved.room_id, host(1)});  // waiting for a probe
  ASSERT_EQ(effects_of<Probe>(last()).size(), 1u);
  feed(CreateRoom{4, "alice"});  // s1 is full: waiting for a start
  const auto start = effects_of<StartServer>(last()).at(0);
  const auto waiting_room = core().scheduler().rooms_on(start.server_id).at(0);
  feed(FindRoom{5, waiting_room, std::nullopt});  // waiting for the same start
  for (RequestId request = 1; request <= 5; ++request) EXPECT_TRUE(unanswered(request));
  EXPECT_EQ(core().requests_pending(), 5u);

  feed(Stop{});
  for (RequestId request = 1; request <= 5; ++request) {
    auto busy = answered<NoServerNow>(request, last());
    ASSERT_TRUE(busy);
    EXPECT_NE(busy->reason.find("shutting down"), std::string::npos) << busy->reason;
  }
  EXPECT_EQ(effects_of<ReleaseLease>(last()).size(), 1u);
  EXPECT_EQ(core().requests_pending(), 0u);
  // What was in flight comes back late: nobody is answered twice.
  feed(ReservationAnswered{1, Reserved{}});
  feed(DirectoryRead{2, DirectoryAbsent{}});
  feed(Probed{"s1", NotHeard{"connection refused", true}});
  feed(ServerStarted{{start.server_id, host(2), admin(2), 0}});
  feed(WakeUp{4});
  feed(Stop{});
  for (RequestId request = 1; request <= 5; ++request) {
    EXPECT_EQ(answers_to(request, all()).size(), 1u) << "request " << request;
  }
  EXPECT_EQ(effects_of<ReleaseLease>(all()).size(), 1u);
}

// The lease given back at Stop is not held any more: a server that finishes
// starting afterwards is not written to the members under it.
TEST_F(ControlCoreTest, AfterStopALateStartActsNotOnTheFleet) {
  options.replicated = true;
  options.fleet.can_start = true;
  options.fleet.members_shared = true;
  make(0);
  feed(LeaseGained{1});
  feed(MembersRead{std::vector<Member>{}});  // the fleet listed under the lease
  feed(CreateRoom{1, "alice"});
  // Listed first (no host: starting), asked of the fleet once a read shows it.
  const auto listing = effects_of<AddMember>(last()).at(0);
  EXPECT_TRUE(listing.member.host.empty());
  EXPECT_TRUE(effects_of<StartServer>(last()).empty());
  feed(MembersRead{std::vector<Member>{listing.member}});
  const auto start = effects_of<StartServer>(last()).at(0);
  EXPECT_EQ(start.server_id, listing.member.id);
  const std::size_t before_stop = all().size();
  feed(Stop{});
  EXPECT_EQ(effects_of<ReleaseLease>(last()).size(), 1u);
  EXPECT_FALSE(core().manages_fleet());
  feed(ServerStarted{{start.server_id, host(1), admin(1), 0}});
  feed(AdoptionFailed{start.server_id});
  const Effects after_stop(all().begin() + static_cast<long>(before_stop), all().end());
  EXPECT_TRUE(effects_of<AddMember>(after_stop).empty());
  EXPECT_TRUE(effects_of<RemoveMember>(after_stop).empty());
}

TEST_F(ControlCoreTest, RequestsAfterStopAreAnsweredShuttingDown) {
  options.replicated = true;
  make(2);
  const auto room = create(1);
  feed(Stop{});
  feed(CreateRoom{2, "alice"});
  feed(FindRoom{3, room, std::nullopt});
  feed(FindRoom{4, room, host(1)});
  feed(DrainServer{5, "s1"});
  for (RequestId request : {2, 3, 4}) {
    auto busy = answered<NoServerNow>(request, all());
    ASSERT_TRUE(busy);
    EXPECT_NE(busy->reason.find("shutting down"), std::string::npos) << busy->reason;
  }
  auto refused = answered<DrainRefused>(5, all());
  ASSERT_TRUE(refused);
  EXPECT_NE(refused->reason.find("shutting down"), std::string::npos) << refused->reason;
  EXPECT_TRUE(effects_of<Probe>(all()).empty());
  EXPECT_TRUE(effects_of<ReadDirectory>(all()).empty());
}

// Look-ups through the shared directory (replicated backends).

TEST_F(ControlCoreTest, ARoomNotInTheTableIsReadFromTheDirectory) {
  options.replicated = true;
  make(2);
  feed(FindRoom{1, "x9", std::nullopt});
  const auto reads = effects_of<ReadDirectory>(last());
  ASSERT_EQ(reads.size(), 1u);
  EXPECT_EQ(reads[0].request, 1u);
  EXPECT_EQ(reads[0].room_id, "x9");
  EXPECT_TRUE(unanswered(1));
}

TEST_F(ControlCoreTest, ADirectoryEntryOfAKnownServerIsAdoptedAndAnswersItsHost) {
  options.replicated = true;
  make(2);
  feed(FindRoom{1, "x9", std::nullopt});
  feed(DirectoryRead{1, DirectoryEntry{"s2", host(2)}});
  auto at = answered<RoomAt>(1, last());
  ASSERT_TRUE(at);
  EXPECT_EQ(at->host, host(2));
  EXPECT_EQ(core().scheduler().server_of("x9"), "s2");
  // In the table now: the next look-up needs no directory.
  feed(FindRoom{2, "x9", std::nullopt});
  EXPECT_TRUE(effects_of<ReadDirectory>(last()).empty());
  EXPECT_TRUE(answered<RoomAt>(2, last()));
}

TEST_F(ControlCoreTest, AnUnreadableDirectoryAnswersNoServerNow) {
  options.replicated = true;
  make(2);
  feed(FindRoom{1, "x9", std::nullopt});
  feed(DirectoryRead{1, DirectoryDown{"timeout"}});
  EXPECT_TRUE(answered<NoServerNow>(1, last()));
}

// A room adopted on s1 from the directory, s1 then gone after one failed poll.
class ReplicatedMoveTest : public ControlCoreTest {
 protected:
  void SetUp() override {
    options.replicated = true;
    options.scheduler.failed_polls_before_gone = 1;
    make(3);
    feed(FindRoom{1, "x9", std::nullopt});
    feed(DirectoryRead{1, DirectoryEntry{"s1", host(1)}});
    ASSERT_EQ(core().scheduler().server_of("x9"), "s1");
    feed(Polled{"s1", NotHeard{"timed out", false}});
    ASSERT_EQ(state_of("s1"), ServerState::gone);
  }
};

TEST_F(ReplicatedMoveTest, ALookUpThatPlacesARoomAgainMovesItInTheDirectory) {
  feed(FindRoom{2, "x9", std::nullopt});
  ASSERT_EQ(effects_of<ReadDirectory>(last()).size(), 1u) << "its server is gone: ask";
  feed(DirectoryRead{2, DirectoryEntry{"s1", host(1)}});
  const auto moves = effects_of<MoveInDirectory>(last());
  ASSERT_EQ(moves.size(), 1u);
  EXPECT_EQ(moves[0].request, 2u);
  EXPECT_EQ(moves[0].room_id, "x9");
  EXPECT_EQ(moves[0].from, "s1");
  EXPECT_EQ(moves[0].to.server_id, "s2");
  EXPECT_EQ(moves[0].to.host, host(2));
  EXPECT_TRUE(unanswered(2)) << "answered once the directory follows";
  feed(DirectoryMoved{2, std::nullopt});
  auto at = answered<RoomAt>(2, last());
  ASSERT_TRUE(at);
  EXPECT_EQ(at->host, host(2));
}

TEST_F(ReplicatedMoveTest, ALookUpThatLostTheMoveRaceFollowsTheOtherBackendsEntry) {
  feed(FindRoom{2, "x9", std::nullopt});
  feed(DirectoryRead{2, DirectoryEntry{"s1", host(1)}});
  ASSERT_EQ(effects_of<MoveInDirectory>(last()).size(), 1u);
  feed(DirectoryMoved{2, DirectoryEntry{"s3", host(3)}});
  auto at = answered<RoomAt>(2, last());
  ASSERT_TRUE(at);
  EXPECT_EQ(at->host, host(3));
  EXPECT_EQ(core().scheduler().server_of("x9"), "s3");
}

}  // namespace
}  // namespace core
