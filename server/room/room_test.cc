#include "server/room/room.h"

#include <gtest/gtest.h>

#include <atomic>
#include <boost/json/parse.hpp>
#include <thread>

#include "server/room/room_registry.h"

namespace chat {
namespace {

enum class Mode { seed_snapshots, events };

class FakeMember : public Member {
 public:
  FakeMember(std::string user_id, Mode mode) : user_id_(std::move(user_id)), mode_(mode) {}
  const std::string& user_id() const override { return user_id_; }
  bool wants_events() const override { return mode_ == Mode::events; }
  void deliver(const Frame& frame, Delivery delivery) override {
    frames.push_back(*frame);
    deliveries.push_back(delivery);
  }

  boost::json::object last() const { return boost::json::parse(frames.back()).as_object(); }
  std::vector<std::string> frames;
  std::vector<Delivery> deliveries;  // how each frame was handed over

 private:
  std::string user_id_;
  Mode mode_;
};

RoomTime at(int seconds) {
  return {std::chrono::system_clock::time_point(std::chrono::seconds(1'704'110'400 + seconds)),
          std::chrono::steady_clock::time_point(std::chrono::seconds(seconds))};
}

TEST(Utf8, CountsCodePointsNotBytes) {
  EXPECT_EQ(utf8_code_points(""), 0u);
  EXPECT_EQ(utf8_code_points("abc"), 3u);
  EXPECT_EQ(utf8_code_points("\xC3\xA9t\xC3\xA9"), 3u);  // "été"
  EXPECT_EQ(utf8_code_points("\xE2\x82\xAC"), 1u);       // the euro sign
  EXPECT_EQ(utf8_code_points("\xF0\x9F\x98\x80!"), 2u);  // an emoji and "!"
}

TEST(Room, SeedSnapshotShapeAfterJoinAndMessage) {
  Room room("r1", {});
  FakeMember alice("alice", Mode::seed_snapshots), bob("bob", Mode::seed_snapshots);
  ASSERT_EQ(room.join(alice, at(0)), JoinResult::joined);
  ASSERT_EQ(alice.frames.size(), 1u);
  EXPECT_EQ(alice.frames.back(), R"({"messages":[],"connectedUsers":["alice"]})");
  ASSERT_EQ(room.join(bob, at(1)), JoinResult::joined);
  EXPECT_EQ(bob.frames.back(), R"({"messages":[],"connectedUsers":["alice","bob"]})");
  EXPECT_EQ(room.post(alice, "Hello \"you\"", at(2)), PostResult::accepted);
  const std::string message =
      R"({"userId":"alice","msg":"Hello \"you\"","ts":"2024-01-01T12:00:02.000Z"})";
  const std::string expected =
      R"({"messages":[)" + message + R"(],"connectedUsers":["alice","bob"]})";
  EXPECT_EQ(alice.frames.back(), expected);
  EXPECT_EQ(bob.frames.back(), expected);
  room.leave(bob, at(3));
  EXPECT_EQ(alice.frames.back(), R"({"messages":[)" + message + R"(],"connectedUsers":["alice"]})");
}

TEST(Room, EventModeGetsOneSnapshotThenSmallEvents) {
  Room room("r1", {});
  FakeMember alice("alice", Mode::events), bob("bob", Mode::events);
  ASSERT_EQ(room.join(alice, at(0)), JoinResult::joined);
  EXPECT_EQ(alice.last().at("type").as_string(), "snapshot");
  EXPECT_EQ(alice.last().at("roomId").as_string(), "r1");
  ASSERT_EQ(room.join(bob, at(1)), JoinResult::joined);
  EXPECT_EQ(alice.last().at("type").as_string(), "join");
  EXPECT_EQ(alice.last().at("userId").as_string(), "bob");
  EXPECT_EQ(bob.frames.size(), 1u) << "the joiner gets its snapshot, not its own join";
  // One a second: well within the rate limit.
  for (int i = 0; i < 150; ++i) {
    ASSERT_EQ(room.post(alice, "m" + std::to_string(i), at(2 + i)), PostResult::accepted) << i;
  }
  // Bytes per message do not grow with the history.
  EXPECT_EQ(alice.frames.back(),
            R"({"type":"message","userId":"alice","msg":"m149","ts":"2024-01-01T12:02:31.000Z"})");
  EXPECT_EQ(bob.frames.back(), alice.frames.back()) << "the sender hears its own message too";
  room.leave(bob, at(200));
  EXPECT_EQ(alice.last().at("type").as_string(), "leave");
  EXPECT_EQ(alice.last().at("userId").as_string(), "bob");
}

TEST(Room, OnlyWholeSeedSnapshotsMayGiveWayToNewerOnes) {
  Room room("r", {});
  FakeMember seed("seed", Mode::seed_snapshots), events("events", Mode::events);
  ASSERT_EQ(room.join(seed, at(0)), JoinResult::joined);
  ASSERT_EQ(room.join(events, at(0)), JoinResult::joined);
  ASSERT_EQ(room.post(seed, "hi", at(1)), PostResult::accepted);
  EXPECT_EQ(seed.deliveries.back(), Delivery::latest_snapshot);
  EXPECT_EQ(events.deliveries.front(), Delivery::every_frame) << "the event snapshot";
  EXPECT_EQ(events.deliveries.back(), Delivery::every_frame) << "a message event";
}

TEST(Room, HistoryKeepsTheMostRecentAndNeverStopsAccepting) {
  RoomLimits limits;
  limits.messages_per_second = 0;  // unlimited for this test
  Room room("r", limits);
  FakeMember alice("alice", Mode::seed_snapshots);
  ASSERT_EQ(room.join(alice, at(0)), JoinResult::joined);
  for (int i = 0; i < 250; ++i) {
    ASSERT_EQ(room.post(alice, std::to_string(i), at(1)), PostResult::accepted);
  }
  auto messages = alice.last().at("messages").as_array();
  ASSERT_EQ(messages.size(), 100u);
  EXPECT_EQ(messages.front().at("msg").as_string(), "150");
  EXPECT_EQ(messages.back().at("msg").as_string(), "249");
  EXPECT_EQ(room.messages_total(), 250u);
}

TEST(Room, RefusesTheHundredAndFirstUserAndDuplicates) {
  Room room("r", {});
  std::vector<std::unique_ptr<FakeMember>> members;
  for (int i = 0; i < 100; ++i) {
    members.push_back(std::make_unique<FakeMember>("u" + std::to_string(i), Mode::events));
    ASSERT_EQ(room.join(*members.back(), at(0)), JoinResult::joined);
  }
  FakeMember late("late", Mode::events);
  EXPECT_EQ(room.join(late, at(0)), JoinResult::room_full);
  EXPECT_TRUE(late.frames.empty()) << "a refused member hears nothing of the room";
  room.leave(*members[5], at(1));
  FakeMember dup("u7", Mode::events);
  EXPECT_EQ(room.join(dup, at(1)), JoinResult::duplicate_user);
  EXPECT_EQ(room.join(late, at(1)), JoinResult::joined);
  EXPECT_EQ(room.user_count(), 100u);
}

TEST(Room, AnswersRefusedMessagesToTheSenderOnly) {
  Room room("r", {});
  FakeMember alice("alice", Mode::events), bob("bob", Mode::seed_snapshots);
  ASSERT_EQ(room.join(alice, at(0)), JoinResult::joined);
  ASSERT_EQ(room.join(bob, at(0)), JoinResult::joined);
  std::size_t bob_frames = bob.frames.size();
  EXPECT_EQ(room.post(alice, std::string(1001, 'x'), at(1)), PostResult::too_long);
  EXPECT_EQ(alice.last().at("code").as_string(), "message_too_long");
  EXPECT_EQ(room.post(alice, "", at(1)), PostResult::empty);
  EXPECT_EQ(alice.last().at("code").as_string(), "empty_message");
  EXPECT_EQ(room.post_binary(alice, at(1)), PostResult::binary);
  EXPECT_EQ(alice.last().at("code").as_string(), "binary_not_supported");
  EXPECT_EQ(alice.deliveries.back(), Delivery::every_frame) << "no snapshot may replace it";
  EXPECT_EQ(bob.frames.size(), bob_frames) << "nobody else hears of refusals";
  EXPECT_EQ(room.messages_total(), 0u);
}

// The seed's client replaces its screen with every frame: only a whole
// snapshot could carry an error to it, and a refused 6-byte frame must not
// cost a snapshot of the whole history. It is told nothing.
TEST(Room, ASeedClientIsToldNothingOfARefusal) {
  RoomLimits limits;
  limits.messages_per_second = 0;  // unlimited: the history fills at once
  Room room("r", limits);
  FakeMember seed("seed", Mode::seed_snapshots), events("events", Mode::events);
  ASSERT_EQ(room.join(seed, at(0)), JoinResult::joined);
  ASSERT_EQ(room.join(events, at(0)), JoinResult::joined);
  // Control characters are escaped as \u0001: six bytes of JSON each.
  const std::string heavy(1000, '\x01');
  for (int i = 0; i < 100; ++i) ASSERT_EQ(room.post(events, heavy, at(1)), PostResult::accepted);
  ASSERT_GT(seed.frames.back().size(), 500'000u) << "the snapshot a refusal used to cost";
  const std::size_t seed_frames = seed.frames.size();
  EXPECT_EQ(room.post(seed, "", at(2)), PostResult::empty);
  EXPECT_EQ(room.post(seed, std::string(1001, 'x'), at(2)), PostResult::too_long);
  EXPECT_EQ(room.post_binary(seed, at(2)), PostResult::binary);
  EXPECT_EQ(seed.frames.size(), seed_frames);
  // The same refusal in event mode is one small frame, whatever the history.
  EXPECT_EQ(room.post(events, "", at(2)), PostResult::empty);
  EXPECT_LT(events.frames.back().size(), 100u);
  EXPECT_EQ(events.last().at("code").as_string(), "empty_message");
}

TEST(Room, CountsCharactersNotBytes) {
  Room room("r", {});
  FakeMember alice("alice", Mode::events);
  ASSERT_EQ(room.join(alice, at(0)), JoinResult::joined);
  std::string thousand_euros;
  for (int i = 0; i < 1000; ++i) thousand_euros += "\xE2\x82\xAC";  // 3 bytes each
  EXPECT_EQ(room.post(alice, thousand_euros, at(1)), PostResult::accepted);
  EXPECT_EQ(room.post(alice, thousand_euros + "x", at(1)), PostResult::too_long);
}

TEST(Room, RateLimitsEachMember) {
  RoomLimits limits;
  limits.messages_per_second = 1;
  limits.messages_burst = 3;
  Room room("r", limits);
  FakeMember alice("alice", Mode::events), bob("bob", Mode::events);
  ASSERT_EQ(room.join(alice, at(0)), JoinResult::joined);
  ASSERT_EQ(room.join(bob, at(0)), JoinResult::joined);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(room.post(alice, "hi", at(1)), PostResult::accepted);
  EXPECT_EQ(room.post(alice, "hi", at(1)), PostResult::rate_limited);
  EXPECT_EQ(alice.last().at("code").as_string(), "rate_limited");
  EXPECT_EQ(room.post(bob, "hi", at(1)), PostResult::accepted) << "limits are per member";
  EXPECT_EQ(room.post(alice, "hi", at(2)), PostResult::accepted) << "refills over time";
}

// Refused frames are not free: each one takes a token as an accepted
// message would, so a flood of them is rate-limited like any other.
TEST(Room, TheRateLimitComesBeforeEveryOtherRule) {
  RoomLimits limits;
  limits.messages_per_second = 1;
  limits.messages_burst = 3;
  Room room("r", limits);
  FakeMember alice("alice", Mode::events);
  ASSERT_EQ(room.join(alice, at(0)), JoinResult::joined);
  EXPECT_EQ(room.post(alice, "", at(1)), PostResult::empty);
  EXPECT_EQ(room.post_binary(alice, at(1)), PostResult::binary);
  EXPECT_EQ(room.post(alice, std::string(1001, 'x'), at(1)), PostResult::too_long);
  EXPECT_EQ(room.post(alice, "hi", at(1)), PostResult::rate_limited)
      << "three refused frames used the burst of three";
  EXPECT_EQ(alice.last().at("code").as_string(), "rate_limited");
  EXPECT_EQ(room.post(alice, "", at(1)), PostResult::rate_limited)
      << "over the rate, even an empty frame is refused as too fast";
  EXPECT_EQ(room.post(alice, "hi", at(2)), PostResult::accepted);
  EXPECT_EQ(room.messages_total(), 1u);
}

TEST(Room, ASenderThatKeepsBeingRefusedIsToldToGo) {
  RoomLimits limits;
  limits.messages_per_second = 0;
  limits.refused_messages_per_minute = 5;  // one more every 12 seconds
  Room room("r", limits);
  FakeMember alice("alice", Mode::events), bob("bob", Mode::events);
  ASSERT_EQ(room.join(alice, at(0)), JoinResult::joined);
  ASSERT_EQ(room.join(bob, at(0)), JoinResult::joined);
  for (int i = 0; i < 5; ++i) ASSERT_EQ(room.post(alice, "", at(1)), PostResult::empty) << i;
  EXPECT_EQ(room.post(alice, "hi", at(1)), PostResult::accepted) << "accepted frames still go";
  const std::size_t alice_frames = alice.frames.size();
  EXPECT_EQ(room.post_binary(alice, at(1)), PostResult::refused_too_often);
  EXPECT_EQ(alice.frames.size(), alice_frames) << "the session closes it: no error frame first";
  EXPECT_EQ(room.post(bob, "still chatting", at(1)), PostResult::accepted);
  EXPECT_EQ(bob.last().at("msg").as_string(), "still chatting");
  EXPECT_EQ(room.post(bob, "", at(1)), PostResult::empty) << "allowances are per member";
  EXPECT_EQ(room.post(alice, "", at(13)), PostResult::empty) << "refills over time";
}

TEST(Room, NoAllowanceMeansRefusalsNeverEndTheSession) {
  RoomLimits limits;
  limits.messages_per_second = 0;
  limits.refused_messages_per_minute = 0;
  Room room("r", limits);
  FakeMember alice("alice", Mode::events);
  ASSERT_EQ(room.join(alice, at(0)), JoinResult::joined);
  for (int i = 0; i < 1000; ++i) ASSERT_EQ(room.post(alice, "", at(1)), PostResult::empty) << i;
}

// A session's read can race its own leave (a close, a dropped slow reader):
// what it read then must not be reported as accepted, nor reach anyone.
TEST(Room, RefusesAPostFromAMemberWhoLeft) {
  Room room("r", {});
  FakeMember alice("alice", Mode::events), bob("bob", Mode::seed_snapshots);
  ASSERT_EQ(room.join(alice, at(0)), JoinResult::joined);
  ASSERT_EQ(room.join(bob, at(0)), JoinResult::joined);
  room.leave(alice, at(1));
  const std::size_t alice_frames = alice.frames.size(), bob_frames = bob.frames.size();
  EXPECT_EQ(room.post(alice, "still here?", at(2)), PostResult::not_in_room);
  EXPECT_EQ(room.post_binary(alice, at(2)), PostResult::not_in_room);
  FakeMember stranger("stranger", Mode::events);
  EXPECT_EQ(room.post(stranger, "hello?", at(2)), PostResult::not_in_room);
  EXPECT_EQ(alice.frames.size(), alice_frames);
  EXPECT_EQ(bob.frames.size(), bob_frames);
  EXPECT_TRUE(stranger.frames.empty());
  EXPECT_EQ(room.messages_total(), 0u);
  ASSERT_EQ(room.post(bob, "hi", at(3)), PostResult::accepted);
  EXPECT_EQ(bob.last().at("messages").as_array().size(), 1u) << "the history holds bob's alone";
}

TEST(Room, KnowsWhenItEmptied) {
  Room room("r", {});
  FakeMember alice("alice", Mode::events);
  EXPECT_EQ(room.empty_since(), std::nullopt) << "a new room has not emptied yet";
  ASSERT_EQ(room.join(alice, at(0)), JoinResult::joined);
  room.leave(alice, at(5));
  EXPECT_EQ(room.empty_since(), at(5).steady);
  room.leave(alice, at(6));
  EXPECT_EQ(room.empty_since(), at(5).steady) << "leaving twice is a no-op";
  ASSERT_EQ(room.join(alice, at(7)), JoinResult::joined);
  EXPECT_EQ(room.empty_since(), std::nullopt);
}

std::vector<std::string> messages_seen_by(const FakeMember& member) {
  std::vector<std::string> texts;
  for (const auto& frame : member.frames) {
    auto event = boost::json::parse(frame).as_object();
    if (event.at("type") == "message") texts.emplace_back(event.at("msg").as_string());
  }
  return texts;
}

// Members post from their own threads (as sessions do) while another comes
// and goes: every member sees every message, in one order. test.sh also runs
// this under ThreadSanitizer.
TEST(Room, MembersPostingFromManyThreadsSeeOneOrder) {
  RoomLimits limits;
  limits.messages_per_second = 0;
  Room room("r", limits);
  constexpr int kSenders = 4, kMessagesEach = 200;
  std::vector<std::unique_ptr<FakeMember>> senders;
  for (int i = 0; i < kSenders; ++i) {
    senders.push_back(std::make_unique<FakeMember>("s" + std::to_string(i), Mode::events));
    ASSERT_EQ(room.join(*senders.back(), at(0)), JoinResult::joined);
  }
  FakeMember visitor("visitor", Mode::seed_snapshots);
  std::vector<std::thread> threads;
  for (int i = 0; i < kSenders; ++i) {
    threads.emplace_back([&room, &senders, i] {
      for (int m = 0; m < kMessagesEach; ++m) {
        EXPECT_EQ(room.post(*senders[i], std::to_string(i) + ":" + std::to_string(m), at(1)),
                  PostResult::accepted);
      }
    });
  }
  threads.emplace_back([&room, &visitor] {
    for (int k = 0; k < 50; ++k) {
      EXPECT_EQ(room.join(visitor, at(1)), JoinResult::joined);
      EXPECT_GE(room.user_count(), 1u);
      room.leave(visitor, at(1));
    }
  });
  for (auto& thread : threads) thread.join();
  const std::vector<std::string> order = messages_seen_by(*senders[0]);
  ASSERT_EQ(order.size(), static_cast<std::size_t>(kSenders * kMessagesEach));
  for (const auto& sender : senders) EXPECT_EQ(messages_seen_by(*sender), order);
  std::vector<int> next(kSenders, 0);
  for (const auto& text : order) {
    const int sender = std::stoi(text.substr(0, text.find(':')));
    EXPECT_EQ(text, std::to_string(sender) + ":" + std::to_string(next[sender]++))
        << "each sender's messages in the order it sent them";
  }
  EXPECT_EQ(room.messages_total(), static_cast<std::uint64_t>(kSenders * kMessagesEach));
}

std::vector<std::string> room_ids(const RoomRegistry& registry, int seconds) {
  std::vector<std::string> ids;
  for (const auto& status : registry.status(at(seconds).steady)) ids.push_back(status.room_id);
  return ids;
}

TEST(RoomRegistry, HoldsAtMostItsRoomsAndRecyclesEmptyOnes) {
  RoomRegistry registry(2, {}, std::chrono::seconds(60));
  FakeMember a("a", Mode::events), b("b", Mode::events), c("c", Mode::events);
  EXPECT_EQ(registry.join("r1", a, at(0)).result, JoinResult::joined);
  EXPECT_EQ(registry.join("r2", b, at(0)).result, JoinResult::joined);
  auto refused = registry.join("r3", c, at(0));
  EXPECT_EQ(refused.result, JoinResult::server_full);
  EXPECT_EQ(refused.room, nullptr) << "a refused member gets no room";
  auto duplicate = registry.join("r1", a, at(0));
  EXPECT_EQ(duplicate.result, JoinResult::duplicate_user);
  EXPECT_EQ(duplicate.room, nullptr);
  auto c_in_r1 = registry.join("r1", c, at(1));
  ASSERT_EQ(c_in_r1.result, JoinResult::joined);
  ASSERT_NE(c_in_r1.room, nullptr);
  EXPECT_EQ(c_in_r1.room->id(), "r1");
  EXPECT_EQ(c_in_r1.room->user_count(), 2u);
  // r1 empties: kept for reconnects, but makes way for a new room.
  c_in_r1.room->leave(c, at(2));
  c_in_r1.room->leave(a, at(2));
  EXPECT_EQ(registry.room_count(), 2u);
  EXPECT_EQ(registry.join("r3", c, at(3)).result, JoinResult::joined);
  EXPECT_EQ(room_ids(registry, 3), (std::vector<std::string>{"r2", "r3"}))
      << "the empty room went, the one with a member stayed";
}

TEST(RoomRegistry, EvictsTheRoomEmptyLongest) {
  RoomRegistry registry(2, {}, std::chrono::seconds(60));
  FakeMember a("a", Mode::events), b("b", Mode::events), c("c", Mode::events);
  auto r1 = registry.join("r1", a, at(0)).room;
  auto r2 = registry.join("r2", b, at(0)).room;
  ASSERT_NE(r1, nullptr);
  ASSERT_NE(r2, nullptr);
  r2->leave(b, at(1));
  r1->leave(a, at(2));
  EXPECT_EQ(registry.join("r3", c, at(3)).result, JoinResult::joined);
  EXPECT_EQ(room_ids(registry, 3), (std::vector<std::string>{"r1", "r3"}));
}

TEST(RoomRegistry, DropsANewRoomItsFirstMemberCouldNotJoin) {
  RoomLimits no_seats;
  no_seats.users_max = 0;
  RoomRegistry registry(1, no_seats, std::chrono::seconds(60));
  FakeMember a("a", Mode::events);
  EXPECT_EQ(registry.join("r1", a, at(0)).result, JoinResult::room_full);
  EXPECT_EQ(registry.room_count(), 0u) << "no slot held by a room with nobody in it";
}

TEST(RoomRegistry, SweepsRoomsEmptyPastTheGracePeriod) {
  RoomRegistry registry(10, {}, std::chrono::seconds(60));
  FakeMember a("a", Mode::events);
  auto room = registry.join("r1", a, at(0)).room;
  ASSERT_NE(room, nullptr);
  room->leave(a, at(10));
  EXPECT_EQ(registry.sweep(at(69).steady), 0u);
  auto status = registry.status(at(40).steady);
  ASSERT_EQ(status.size(), 1u);
  EXPECT_EQ(status[0].users, 0u);
  EXPECT_DOUBLE_EQ(status[0].empty_seconds, 30.0);
  EXPECT_EQ(registry.sweep(at(71).steady), 1u);
  EXPECT_EQ(registry.room_count(), 0u);
}

// Sessions join and leave rooms from their own threads while the server's
// timer sweeps and /status reads: every join lands in a live room, and the
// sweep after everyone has left drops every room.
TEST(RoomRegistry, JoinsLeavesSweepsAndReadingsFromManyThreads) {
  RoomRegistry registry(4, {}, std::chrono::seconds(0));
  constexpr int kThreads = 8, kRounds = 100;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&registry, t] {
      FakeMember member("u" + std::to_string(t), Mode::events);
      for (int round = 0; round < kRounds; ++round) {
        auto admission = registry.join("r" + std::to_string(t % 4), member, at(round));
        ASSERT_EQ(admission.result, JoinResult::joined);
        EXPECT_EQ(admission.room->post(member, "hi", at(round)), PostResult::accepted);
        admission.room->leave(member, at(round));
      }
    });
  }
  threads.emplace_back([&registry] {
    for (int round = 0; round < kRounds; ++round) {
      registry.sweep(at(round).steady);
      EXPECT_LE(registry.status(at(round).steady).size(), 4u);
    }
  });
  for (auto& thread : threads) thread.join();
  registry.sweep(at(kRounds + 1).steady);
  EXPECT_EQ(registry.room_count(), 0u);
}

// Reservations count against the room limit like rooms, until the first
// member consumes them or they expire.
TEST(RoomRegistry, ReservationsHoldSlotsUntilJoinedOrExpired) {
  using Reservation = RoomRegistry::Reservation;
  RoomRegistry registry(2, {}, std::chrono::seconds(60));
  const auto expires = at(30).steady;
  EXPECT_EQ(registry.reserve("r1", at(0).steady, expires), Reservation::reserved);
  EXPECT_EQ(registry.reserve("r1", at(0).steady, expires), Reservation::held) << "idempotent";
  EXPECT_EQ(registry.reserve("r2", at(0).steady, expires), Reservation::reserved);
  EXPECT_EQ(registry.reserve("r3", at(0).steady, expires), Reservation::full);
  FakeMember a("a", Mode::events), b("b", Mode::events);
  EXPECT_EQ(registry.join("r3", a, at(1)).result, JoinResult::server_full)
      << "an unreserved room may not take a reserved slot";
  EXPECT_EQ(registry.join("r1", a, at(1)).result, JoinResult::joined);
  EXPECT_EQ(registry.reservations(at(1).steady).size(), 1u) << "r1's reservation was consumed";
  EXPECT_EQ(registry.reserve("r1", at(1).steady, expires), Reservation::held) << "a held room";
  EXPECT_EQ(registry.reserve("r3", at(29).steady, expires), Reservation::full);
  // r2 was never joined: at 30 s its slot is free again.
  EXPECT_EQ(registry.join("r3", b, at(30)).result, JoinResult::joined);
  EXPECT_TRUE(registry.reservations(at(30).steady).empty());
}

TEST(RoomRegistry, ADrainingRegistryRefusesReservations) {
  RoomRegistry registry(2, {}, std::chrono::seconds(60));
  registry.stop_accepting();
  EXPECT_EQ(registry.reserve("r1", at(0).steady, at(30).steady),
            RoomRegistry::Reservation::draining);
}

// Many threads reserving at once: never more rooms and reservations than the limit.
TEST(RoomRegistry, ConcurrentReservationsNeverExceedTheLimit) {
  RoomRegistry registry(10, {}, std::chrono::seconds(60));
  std::atomic<int> reserved{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&registry, &reserved, t] {
      for (int i = 0; i < 20; ++i) {
        auto result = registry.reserve("t" + std::to_string(t) + "-" + std::to_string(i),
                                       at(0).steady, at(60).steady);
        if (result == RoomRegistry::Reservation::reserved) ++reserved;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(reserved.load(), 10);
  EXPECT_EQ(registry.reservations(at(1).steady).size(), 10u);
}

}  // namespace
}  // namespace chat
