#include "server/room/room.h"
#include "server/room/room_registry.h"
#include "server/room/frames.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

namespace chat {
namespace {

class FakeMember : public Member {
 public:
  FakeMember(std::string user_id, bool events) : user_id_(std::move(user_id)), events_(events) {}
  const std::string& user_id() const override { return user_id_; }
  bool wants_events() const override { return events_; }
  void deliver(const Frame& frame, bool) override { frames.push_back(*frame); }

  boost::json::object last() const { return boost::json::parse(frames.back()).as_object(); }
  std::vector<std::string> frames;

 private:
  std::string user_id_;
  bool events_;
};

RoomTime at(int seconds) {
  return {std::chrono::system_clock::time_point(std::chrono::seconds(1'704'110'400 + seconds)),
          std::chrono::steady_clock::time_point(std::chrono::seconds(seconds))};
}

TEST(Frames, TimestampsLikeJavaScript) {
  EXPECT_EQ(frames::iso_timestamp(std::chrono::system_clock::time_point(
                std::chrono::milliseconds(1'704'110'400'123))),
            "2024-01-01T12:00:00.123Z");
}

TEST(Room, SeedSnapshotShapeAfterJoinAndMessage) {
  Room room("r1", {});
  FakeMember alice("alice", false), bob("bob", false);
  ASSERT_EQ(room.join(alice, at(0)), JoinResult::joined);
  ASSERT_EQ(alice.frames.size(), 1u);
  EXPECT_EQ(alice.frames.back(), R"({"messages":[],"connectedUsers":["alice"]})");
  ASSERT_EQ(room.join(bob, at(1)), JoinResult::joined);
  EXPECT_EQ(bob.frames.back(), R"({"messages":[],"connectedUsers":["alice","bob"]})");
  EXPECT_EQ(room.post(alice, "Hello \"you\"", at(2)), PostResult::accepted);
  const std::string expected =
      R"({"messages":[{"userId":"alice","msg":"Hello \"you\"","ts":"2024-01-01T12:00:02.000Z"}],)"
      R"("connectedUsers":["alice","bob"]})";
  EXPECT_EQ(alice.frames.back(), expected);
  EXPECT_EQ(bob.frames.back(), expected);
  room.leave(bob, at(3));
  EXPECT_EQ(alice.last().at("connectedUsers").as_array().size(), 1u);
}

TEST(Room, EventModeGetsOneSnapshotThenSmallEvents) {
  Room room("r1", {});
  FakeMember alice("alice", true), bob("bob", true);
  room.join(alice, at(0));
  EXPECT_EQ(alice.last().at("type").as_string(), "snapshot");
  EXPECT_EQ(alice.last().at("roomId").as_string(), "r1");
  room.join(bob, at(1));
  EXPECT_EQ(alice.last().at("type").as_string(), "join");
  EXPECT_EQ(alice.last().at("userId").as_string(), "bob");
  EXPECT_EQ(bob.frames.size(), 1u) << "the joiner gets its snapshot, not its own join";
  for (int i = 0; i < 150; ++i) room.post(alice, "m" + std::to_string(i), at(2 + i));
  // Bytes per message do not grow with the history.
  EXPECT_EQ(alice.frames.back(),
            R"({"type":"message","userId":"alice","msg":"m149","ts":"2024-01-01T12:02:31.000Z"})");
  room.leave(bob, at(200));
  EXPECT_EQ(alice.last().at("type").as_string(), "leave");
}

TEST(Room, HistoryKeepsTheMostRecentAndNeverStopsAccepting) {
  RoomLimits limits;
  limits.messages_per_second = 0;  // unlimited for this test
  Room room("r", limits);
  FakeMember alice("alice", false);
  room.join(alice, at(0));
  for (int i = 0; i < 250; ++i) {
    ASSERT_EQ(room.post(alice, std::to_string(i), at(1)), PostResult::accepted);
  }
  auto messages = alice.last().at("messages").as_array();
  ASSERT_EQ(messages.size(), 100u);
  EXPECT_EQ(messages.front().at("msg").as_string(), "150");
  EXPECT_EQ(messages.back().at("msg").as_string(), "249");
}

TEST(Room, RefusesTheHundredAndFirstUserAndDuplicates) {
  Room room("r", {});
  std::vector<std::unique_ptr<FakeMember>> members;
  for (int i = 0; i < 100; ++i) {
    members.push_back(std::make_unique<FakeMember>("u" + std::to_string(i), true));
    ASSERT_EQ(room.join(*members.back(), at(0)), JoinResult::joined);
  }
  FakeMember late("late", true);
  EXPECT_EQ(room.join(late, at(0)), JoinResult::room_full);
  room.leave(*members[5], at(1));
  FakeMember dup("u7", true);
  EXPECT_EQ(room.join(dup, at(1)), JoinResult::duplicate_user);
  EXPECT_EQ(room.join(late, at(1)), JoinResult::joined);
}

TEST(Room, AnswersRefusedMessagesToTheSenderOnly) {
  Room room("r", {});
  FakeMember alice("alice", true), bob("bob", false);
  room.join(alice, at(0));
  room.join(bob, at(0));
  std::size_t bob_frames = bob.frames.size();
  EXPECT_EQ(room.post(alice, std::string(1001, 'x'), at(1)), PostResult::too_long);
  EXPECT_EQ(alice.last().at("code").as_string(), "message_too_long");
  EXPECT_EQ(room.post(alice, "", at(1)), PostResult::empty);
  EXPECT_EQ(alice.last().at("code").as_string(), "empty_message");
  EXPECT_EQ(bob.frames.size(), bob_frames) << "nobody else hears of refusals";
  // A seed client gets a snapshot with an extra error field.
  EXPECT_EQ(room.post(bob, std::string(1001, 'x'), at(1)), PostResult::too_long);
  EXPECT_EQ(bob.last().at("error").at("code").as_string(), "message_too_long");
  EXPECT_TRUE(bob.last().contains("messages"));
}

TEST(Room, CountsCharactersNotBytes) {
  Room room("r", {});
  FakeMember alice("alice", true);
  room.join(alice, at(0));
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
  FakeMember alice("alice", true), bob("bob", true);
  room.join(alice, at(0));
  room.join(bob, at(0));
  for (int i = 0; i < 3; ++i) EXPECT_EQ(room.post(alice, "hi", at(1)), PostResult::accepted);
  EXPECT_EQ(room.post(alice, "hi", at(1)), PostResult::rate_limited);
  EXPECT_EQ(alice.last().at("code").as_string(), "rate_limited");
  EXPECT_EQ(room.post(bob, "hi", at(1)), PostResult::accepted) << "limits are per member";
  EXPECT_EQ(room.post(alice, "hi", at(2)), PostResult::accepted) << "refills over time";
}

TEST(RoomRegistry, HoldsAtMostItsRoomsAndRecyclesEmptyOnes) {
  RoomRegistry registry(2, {}, std::chrono::seconds(60));
  FakeMember a("a", true), b("b", true), c("c", true);
  EXPECT_EQ(registry.join("r1", a, at(0)).result, RoomRegistry::Result::joined);
  EXPECT_EQ(registry.join("r2", b, at(0)).result, RoomRegistry::Result::joined);
  EXPECT_EQ(registry.join("r3", c, at(0)).result, RoomRegistry::Result::server_full);
  EXPECT_EQ(registry.join("r1", a, at(0)).result, RoomRegistry::Result::duplicate_user);
  // r1 empties: kept for reconnects, but makes way for a new room.
  registry.join("r1", a, at(0)).room;
  auto r1 = registry.join("r1", c, at(1)).room;
  r1->leave(c, at(2));
  r1->leave(a, at(2));
  EXPECT_EQ(registry.room_count(), 2u);
  EXPECT_EQ(registry.join("r3", c, at(3)).result, RoomRegistry::Result::joined);
  EXPECT_EQ(registry.room_count(), 2u);
}

TEST(RoomRegistry, SweepsRoomsEmptyPastTheGracePeriod) {
  RoomRegistry registry(10, {}, std::chrono::seconds(60));
  FakeMember a("a", true);
  auto room = registry.join("r1", a, at(0)).room;
  room->leave(a, at(10));
  EXPECT_EQ(registry.sweep(at(69).steady), 0u);
  auto status = registry.status(at(40).steady);
  ASSERT_EQ(status.size(), 1u);
  EXPECT_EQ(status[0].users, 0u);
  EXPECT_DOUBLE_EQ(status[0].empty_seconds, 30.0);
  EXPECT_EQ(registry.sweep(at(71).steady), 1u);
  EXPECT_EQ(registry.room_count(), 0u);
}

}  // namespace
}  // namespace chat
