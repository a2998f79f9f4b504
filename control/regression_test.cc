// Bugs the fault exploration found (`bazel run -c opt //sim -- --explore`,
// sim/explore.h), one event sequence each, cut down from the seed that
// found it (named in each test's comment). The core is fed events as the
// executor would; the tests read the effects and the table.
#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "control/control_core.h"

namespace core {
namespace {

using sched::Millis;
using sched::ServerState;

Millis seconds(long long s) { return Millis(s * 1000); }

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

class RegressionTest : public ::testing::Test {
 protected:
  // First-fit: the oldest server with a free slot, so a test knows where a
  // room goes (s1 first).
  RegressionTest() { options.scheduler.policy = "first-fit"; }

  // A core with servers s1..s<servers> ready (a static list).
  ControlCore& make(int servers) {
    core_ = std::make_unique<ControlCore>(options, sched::sequential_room_ids(), sched::Random(1));
    for (int n = 1; n <= servers; ++n) feed(ServerStarted{member(n)});
    return *core_;
  }
  ControlCore& core() { return *core_; }

  const Effects& feed(const Event& event) {
    last_ = core_->handle(now_, event);
    all_.insert(all_.end(), last_.begin(), last_.end());
    return last_;
  }
  const Effects& last() const { return last_; }
  const Effects& all() const { return all_; }

  // The answer to `request` in the last effects, as a T (nullopt otherwise).
  template <class T>
  std::optional<T> answered(RequestId request) {
    for (const Answer& answer : effects_of<Answer>(last_)) {
      if (answer.request != request) continue;
      const T* found = std::visit(
          [](const auto& result) -> const T* {
            using Result = std::decay_t<decltype(result)>;
            if constexpr (std::is_constructible_v<Result, T>) {
              return std::get_if<T>(&result);
            } else {
              return nullptr;
            }
          },
          answer.reply);
      if (found != nullptr) return *found;
    }
    return std::nullopt;
  }

  // A room created as a client would: reserved on its server and, with
  // replicas, written to the directory. Its id.
  sched::RoomId create() {
    const RequestId request = ++requests_;
    feed(CreateRoom{request, "alice"});
    if (effects_of<Reserve>(last()).size() != 1) {
      ADD_FAILURE() << "creation " << request << " asked no reservation";
      return {};
    }
    feed(ReservationAnswered{request, Reserved{}});
    if (!effects_of<PlaceInDirectory>(last()).empty()) feed(DirectoryPlaced{request, true});
    auto created = answered<RoomCreated>(request);
    return created ? created->room_id : sched::RoomId{};
  }

  void report(int n, std::vector<sched::RoomReport> rooms, int reserved = 0) {
    feed(Polled{"s" + std::to_string(n),
                sched::StatusReport{host(n), false, std::move(rooms), reserved}});
  }

  std::optional<FindRoomResult> find(const sched::RoomId& room_id,
                                     std::optional<std::string> unreachable = std::nullopt) {
    const RequestId request = ++requests_;
    feed(FindRoom{request, room_id, unreachable});
    for (const Answer& answer : effects_of<Answer>(last_)) {
      if (answer.request == request) return std::get<FindRoomResult>(answer.reply);
    }
    return std::nullopt;
  }
  RequestId last_request() const { return requests_; }

  ServerState state_of(const sched::ServerId& id) {
    auto server = core().scheduler().server(id);
    return server ? server->state : ServerState::gone;
  }
  void expect_invariants() {
    for (const auto& broken : core().scheduler().check_invariants()) ADD_FAILURE() << broken;
  }

  ControlOptions options;
  Millis now_{0};

 private:
  std::unique_ptr<ControlCore> core_;
  Effects last_;
  Effects all_;
  RequestId requests_ = 0;
};

std::string host_of(const std::optional<FindRoomResult>& result) {
  if (!result) return "(no answer)";
  if (auto* at = std::get_if<RoomAt>(&*result)) return at->host;
  return std::holds_alternative<RoomUnknown>(*result) ? "RoomUnknown" : "NoServerNow";
}

// Seed 1: s1 reported another backend's reservation, which the table counted
// as a slot held elsewhere; once joined, that room held its own slot against
// itself and was never taken in, so it stayed unknown.
TEST_F(RegressionTest, AFullServersRoomFromAnotherBackendIsTakenIn) {
  options.scheduler.room_capacity = 2;
  make(1);
  const auto mine = create();
  report(1, {{mine, 1}}, /*reserved=*/1);
  report(1, {{mine, 1}, {"theirs", 1}});
  EXPECT_EQ(host_of(find("theirs")), host(1));
  expect_invariants();
}

// Seed 106: a room adopted from the directory onto a gone server (orphans
// need no slot) left it holding more rooms than slots; when it answered
// again the scheduler's check aborted the backend.
TEST_F(RegressionTest, AServerBackWithMoreOrphansThanSlotsKeepsWhatItReports) {
  options.replicated = true;
  options.scheduler.room_capacity = 2;
  options.scheduler.failed_polls_before_gone = 1;
  make(1);
  const auto a = create();
  const auto b = create();
  feed(Polled{"s1", NotHeard{"timed out", false}});
  ASSERT_EQ(state_of("s1"), ServerState::gone);
  find("c");
  feed(DirectoryRead{last_request(), DirectoryEntry{"s1", host(1)}});
  report(1, {{a, 1}, {b, 1}});
  EXPECT_EQ(state_of("s1"), ServerState::ready);
  EXPECT_EQ(core().scheduler().rooms_on("s1"), (std::vector<sched::RoomId>{a, b}));
  expect_invariants();
}

// Seed 27: a start given up at start_timeout whose waiting room found no
// slot was forgotten while still indexed as holding orphans; the same tick
// then threw on its key.
TEST_F(RegressionTest, AStartGivenUpWithARoomNowhereToGoLeavesNoIndexBehind) {
  options.fleet.can_start = true;
  options.scheduler.room_capacity = 1;
  options.scheduler.autoscaler.max_servers = 2;
  options.scheduler.autoscaler.start_timeout = seconds(10);
  make(1);
  create();
  feed(CreateRoom{100, "bob"});  // no slot: a server is started, the room waits
  ASSERT_EQ(effects_of<StartServer>(last()).size(), 1u);
  feed(ServerStarted{member(2)});  // the fleet at its max with s1 and s2
  create();
  now_ = seconds(11);
  EXPECT_NO_THROW(feed(Tick{}));
  expect_invariants();
}

// Seeds 3, 155, 245: a server taken as gone on lost polls was never
// stopped; still running, it came back and the fleet ran past max_servers.
TEST_F(RegressionTest, AServerGivenUpOnIsStoppedAndNotRevived) {
  options.fleet.can_stop = true;
  options.scheduler.failed_polls_before_gone = 1;
  make(1);
  feed(Polled{"s1", NotHeard{"timed out", false}});
  const auto stops = effects_of<StopServer>(last());
  ASSERT_EQ(stops.size(), 1u);
  EXPECT_EQ(stops[0].server_id, "s1");
  report(1, {});  // an answer that was late
  EXPECT_EQ(state_of("s1"), ServerState::gone);
}

// Seeds 10, 22, 40, 73, 173: a holder that lost the lease before a server
// it started was up never listed it: the next holder, not knowing it, ran
// past max_servers, and nobody ever stopped it.
TEST_F(RegressionTest, WithSharedMembersAServerIsListedBeforeItIsStarted) {
  options.replicated = true;
  options.fleet.can_start = true;
  options.fleet.members_shared = true;
  make(0);
  feed(LeaseGained{1});
  feed(MembersRead{std::vector<Member>{}});
  feed(CreateRoom{1, "alice"});
  const auto listed = effects_of<AddMember>(last());
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_TRUE(listed[0].member.host.empty()) << "listed as starting";
  EXPECT_TRUE(effects_of<StartServer>(last()).empty()) << "started once the listing stands";
  feed(MembersRead{std::vector<Member>{listed[0].member}});
  const auto starts = effects_of<StartServer>(last());
  ASSERT_EQ(starts.size(), 1u);
  EXPECT_EQ(starts[0].server_id, listed[0].member.id);
}

TEST_F(RegressionTest, ANewHolderCountsThePreviousHoldersStartInFlight) {
  options.replicated = true;
  options.fleet.can_start = true;
  options.fleet.members_shared = true;
  options.scheduler.autoscaler.min_servers = 1;
  options.scheduler.autoscaler.max_servers = 1;
  // Two cores sharing one list of members.
  std::vector<Member> store;
  auto write = [&store](const Effects& effects) {
    for (const auto& add : effects_of<AddMember>(effects)) {
      std::erase_if(store, [&](const Member& m) { return m.id == add.member.id; });
      store.push_back(add.member);
    }
  };
  make(0);
  feed(LeaseGained{1});
  feed(MembersRead{store});
  write(feed(Tick{}));  // min_servers: one asked of the fleet
  write(feed(MembersRead{store}));
  feed(LeaseLost{});  // before it is up
  ASSERT_EQ(effects_of<StartServer>(all()).size(), 1u);
  make(0);  // the next holder
  write(feed(LeaseGained{2}));
  write(feed(MembersRead{store}));
  write(feed(Tick{}));
  write(feed(MembersRead{store}));
  EXPECT_TRUE(effects_of<StartServer>(last()).empty());
  EXPECT_EQ(store.size(), 1u) << "no second server listed past max_servers";
}

TEST_F(RegressionTest, ANewHolderStartsNoServerBeforeItHasReadTheMembers) {
  options.replicated = true;
  options.fleet.can_start = true;
  options.fleet.members_shared = true;
  make(0);
  feed(LeaseGained{1});
  feed(CreateRoom{1, "alice"});
  EXPECT_TRUE(effects_of<StartServer>(last()).empty());
  EXPECT_TRUE(effects_of<AddMember>(last()).empty());
  EXPECT_TRUE(answered<NoServerNow>(1));
}

// Seed 1177: a server listed when it was asked of the fleet, its host never
// written (the store was down when it came up): no other replica used it.
TEST_F(RegressionTest, TheHolderListsTheHostOfAServerListedWithoutIt) {
  options.replicated = true;
  options.fleet.members_shared = true;
  make(1);
  feed(LeaseGained{1});
  feed(MembersRead{std::vector<Member>{{"s1", "", "", 0}}});
  const auto listed = effects_of<AddMember>(last());
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0].member.id, "s1");
  EXPECT_EQ(listed[0].member.host, host(1));
}

// Seed 5577: a holder that had a server as starting (listed without a host)
// waited on it for a room the directory placed there, and gave it up.
TEST_F(RegressionTest, ADirectoryEntryShowsAServerListedAsStartingIsUp) {
  options.replicated = true;
  options.fleet.can_start = true;
  options.fleet.members_shared = true;
  make(0);
  feed(LeaseGained{2});
  feed(MembersRead{std::vector<Member>{{"x1", "", "", 0}}});
  find("r");
  feed(DirectoryRead{last_request(), DirectoryEntry{"x1", "10.0.0.1:9000"}});
  auto at = answered<RoomAt>(last_request());
  ASSERT_TRUE(at);
  EXPECT_EQ(at->host, "10.0.0.1:9000");
  EXPECT_EQ(state_of("x1"), ServerState::ready);
}

// Seed 27 again: a replica that lost the lease kept a server it had started
// as starting for ever, its creations waiting on a server never coming.
TEST_F(RegressionTest, AReplicaWithoutTheLeaseGivesUpAServerThatNeverStarted) {
  options.replicated = true;
  options.fleet.can_start = true;
  options.scheduler.autoscaler.start_timeout = seconds(10);
  make(0);
  feed(LeaseGained{1});
  feed(CreateRoom{1, "alice"});
  const auto starts = effects_of<StartServer>(last());
  ASSERT_EQ(starts.size(), 1u);
  feed(LeaseLost{});
  now_ = seconds(11);
  feed(Tick{});
  EXPECT_FALSE(core().scheduler().server(starts[0].server_id).has_value());
  expect_invariants();
}

// Seeds 48, 597: a static host drained by an operator was forgotten (the
// fleet cannot stop it): restarted in place, it was never polled or used.
TEST_F(RegressionTest, ADrainedServerTheFleetCannotStopIsKept) {
  make(2);
  const auto room = create();
  feed(DrainServer{50, "s1"});
  feed(DrainConfirmed{"s1", {room}, 0});
  EXPECT_TRUE(effects_of<StopServer>(last()).empty());
  ASSERT_TRUE(core().scheduler().server("s1").has_value());
  feed(Polled{"s1", sched::StatusReport{host(1), true, {}, 0}});
  EXPECT_EQ(state_of("s1"), ServerState::draining);
  report(1, {});  // restarted in place
  EXPECT_EQ(state_of("s1"), ServerState::ready);
}

// Seed 866: a drain confirmed after the lease went: the server could not be
// stopped, yet the table gave it up, and the fleet ran past max_servers.
TEST_F(RegressionTest, ADrainConfirmedAfterTheLeaseWentKeepsTheServer) {
  options.replicated = true;
  options.fleet.can_stop = true;
  make(2);
  feed(LeaseGained{1});
  feed(DrainServer{50, "s1"});
  ASSERT_EQ(effects_of<DrainSession>(last()).size(), 1u);
  feed(LeaseLost{});
  feed(DrainConfirmed{"s1", {}, 0});
  EXPECT_TRUE(effects_of<StopServer>(last()).empty());
  EXPECT_NE(state_of("s1"), ServerState::gone);
}

// Seed 42: a room placed again on a server still starting was written to
// the directory without a host; another replica answered RoomAt "".
TEST_F(RegressionTest, AMoveToAServerStillStartingIsNotWrittenWithoutAHost) {
  options.replicated = true;
  options.fleet.can_start = true;
  options.scheduler.room_capacity = 1;
  options.scheduler.failed_polls_before_gone = 1;
  make(1);
  feed(LeaseGained{1});
  const auto room = create();
  feed(Polled{"s1", NotHeard{"timed out", false}});
  find(room);
  feed(DirectoryRead{last_request(), DirectoryEntry{"s1", host(1)}});
  for (const auto& move : effects_of<MoveInDirectory>(all())) {
    EXPECT_FALSE(move.to.host.empty())
        << "a move of " << move.room_id << " to " << move.to.server_id;
  }
}

// Seed 19744: with the move above no longer written, a room placed again on
// a starting server skipped the compare-and-set: another replica moved it
// elsewhere through the directory, and the room was split.
TEST_F(RegressionTest, AMoveToAStartingServerIsWrittenOnceItIsUpBeforeTheAnswer) {
  options.replicated = true;
  options.fleet.can_start = true;
  options.scheduler.room_capacity = 1;
  options.scheduler.failed_polls_before_gone = 1;
  make(1);
  feed(LeaseGained{1});
  const auto room = create();
  feed(Polled{"s1", NotHeard{"timed out", false}});
  find(room);
  const RequestId request = last_request();
  feed(DirectoryRead{request, DirectoryEntry{"s1", host(1)}});
  const auto starts = effects_of<StartServer>(last());
  ASSERT_EQ(starts.size(), 1u);
  EXPECT_TRUE(effects_of<MoveInDirectory>(last()).empty()) << "no host to write yet";
  EXPECT_FALSE(answered<RoomAt>(request));
  feed(ServerStarted{{starts[0].server_id, host(2), admin(2), 0}});
  const auto moves = effects_of<MoveInDirectory>(last());
  ASSERT_EQ(moves.size(), 1u);
  EXPECT_EQ(moves[0].from, "s1");
  EXPECT_EQ(moves[0].to.host, host(2));
  EXPECT_FALSE(answered<RoomAt>(request)) << "answered before the compare-and-set";
  feed(DirectoryMoved{request, std::nullopt});
  auto at = answered<RoomAt>(request);
  ASSERT_TRUE(at);
  EXPECT_EQ(at->host, host(2));
}

// Seed 18781: a second look-up of that room, waiting on the starting server,
// was answered once it was up, before the compare-and-set, which then lost
// to another replica's move; and the table kept the room where it lost.
TEST_F(RegressionTest, AnotherLookUpOfARoomWhoseMoveIsUnwrittenGetsItsOutcome) {
  options.replicated = true;
  options.fleet.can_start = true;
  options.scheduler.room_capacity = 1;
  options.scheduler.failed_polls_before_gone = 1;
  make(2);
  feed(LeaseGained{1});
  const auto room = create();  // s1
  create();                    // s2: full
  feed(Polled{"s1", NotHeard{"timed out", false}});
  find(room);
  const RequestId writer = last_request();
  feed(DirectoryRead{writer, DirectoryEntry{"s1", host(1)}});
  const auto starts = effects_of<StartServer>(last());
  ASSERT_EQ(starts.size(), 1u);
  find(room);  // the room is on the starting server in this table: it waits
  const RequestId second = last_request();
  feed(ServerStarted{{starts[0].server_id, host(3), admin(3), 0}});
  ASSERT_EQ(effects_of<MoveInDirectory>(last()).size(), 1u);
  EXPECT_FALSE(answered<RoomAt>(second)) << "answered before the move was written";
  // Another replica moved it to s2 first (full in this table's view).
  feed(DirectoryMoved{writer, DirectoryEntry{"s2", host(2)}});
  for (RequestId request : {writer, second}) {
    auto at = answered<RoomAt>(request);
    ASSERT_TRUE(at) << "request " << request;
    EXPECT_EQ(at->host, host(2)) << "request " << request;
  }
  EXPECT_NE(core().scheduler().server_of(room),
            std::optional<sched::ServerId>(starts[0].server_id));
}

// Seed 1199: a room the directory did not take was handed out anyway; a
// client sent to another replica was told it does not exist.
TEST_F(RegressionTest, ACreationTheDirectoryDidNotTakeIsNotHandedOut) {
  options.replicated = true;
  make(1);
  feed(CreateRoom{1, "alice"});
  feed(ReservationAnswered{1, Reserved{}});
  ASSERT_EQ(effects_of<PlaceInDirectory>(last()).size(), 1u);
  feed(DirectoryPlaced{1, false});
  EXPECT_FALSE(answered<RoomCreated>(1));
  EXPECT_TRUE(answered<NoServerNow>(1));
}

// Seed 1177: the holder's write of a room with members went out while the
// store was down; marked written, it was never written again.
TEST_F(RegressionTest, TheHolderWritesRoomsAgainAfterTheStoreFailedToAnswer) {
  options.replicated = true;
  make(1);
  feed(LeaseGained{1});
  const auto room = create();
  report(1, {{room, 1}});
  ASSERT_EQ(effects_of<PlaceInDirectory>(last()).size(), 1u);
  feed(MembersRead{std::nullopt});
  report(1, {{room, 1}});
  const auto written = effects_of<PlaceInDirectory>(last());
  ASSERT_EQ(written.size(), 1u);
  EXPECT_EQ(written[0].room_id, room);
}

// Seed 2273: two replicas told of a crash at once each moved the room
// through a look-up that placed it again before asking the directory: no
// compare-and-set, and the room was split between two servers.
TEST_F(RegressionTest, AFailoverLookUpMovesTheRoomThroughTheDirectory) {
  options.replicated = true;
  options.scheduler.failed_polls_before_gone = 1;
  make(2);
  const auto room = create();
  feed(Polled{"s1", NotHeard{"connection refused", true}});
  EXPECT_FALSE(find(room, host(1))) << "answered before the directory said where";
  const auto reads = effects_of<ReadDirectory>(last());
  ASSERT_EQ(reads.size(), 1u);
  EXPECT_EQ(reads[0].room_id, room);
}

// Seed 5070: an emptied room its server no longer listed kept its slot in
// the table (empty_room_grace), and a room the server reported with members
// found none: it stayed unknown.
TEST_F(RegressionTest, AnEmptiedRoomNoLongerListedMakesWayForAReportedOne) {
  options.scheduler.room_capacity = 2;
  options.scheduler.empty_room_grace = seconds(60);
  make(1);
  const auto emptied = create();
  const auto occupied = create();
  report(1, {{emptied, 0}, {occupied, 1}});
  report(1, {{occupied, 1}, {"rejoined", 1}});
  EXPECT_EQ(host_of(find("rejoined")), host(1));
  expect_invariants();
}

// Seed 8660: another replica saw the drained server draining and moved a
// room first; the holder's drain placed it elsewhere, lost the
// compare-and-set unheard, and the room was split between two servers.
TEST_F(RegressionTest, ADrainsMoveFollowsTheDirectoryWhenAnotherMovedFirst) {
  options.replicated = true;
  options.fleet.can_stop = true;
  make(3);
  feed(LeaseGained{1});
  const auto room = create();
  feed(DrainServer{50, "s1"});
  feed(DrainConfirmed{"s1", {room}, 0});
  const auto moves = effects_of<MoveInDirectory>(last());
  ASSERT_EQ(moves.size(), 1u);
  ASSERT_NE(moves[0].request, kNoRequest) << "its result is needed";
  feed(DirectoryMoved{moves[0].request, DirectoryEntry{"s3", host(3)}});
  EXPECT_EQ(host_of(find(room)), host(3));
}

// Seed 7368: a probe found the room's server restarted without it; the
// replica answered RoomUnknown from its table although another had moved
// the room and written where.
TEST_F(RegressionTest, AfterAProbeDropsARoomTheDirectoryIsAsked) {
  options.replicated = true;
  options.fleet.restarts_in_place = true;
  make(2);
  const auto room = create();
  report(1, {{room, 1}});
  find(room, host(1));
  ASSERT_EQ(effects_of<Probe>(last()).size(), 1u);
  const RequestId request = last_request();
  feed(Probed{"s1", sched::StatusReport{host(1), false, {}, 0}});
  EXPECT_FALSE(answered<RoomUnknown>(request));
  ASSERT_EQ(effects_of<ReadDirectory>(last()).size(), 1u);
  feed(DirectoryRead{request, DirectoryEntry{"s2", host(2)}});
  auto at = answered<RoomAt>(request);
  ASSERT_TRUE(at);
  EXPECT_EQ(at->host, host(2));
}

}  // namespace
}  // namespace core
