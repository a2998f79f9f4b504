// The room with a MessageLog: nothing delivered before it is stored, order
// kept whatever order the log answers in, duplicates acknowledged, history
// loaded back, and a drain that stops accepting.
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include "server/room/fake_message_log.h"
#include "server/room/room.h"
#include "server/room/room_registry.h"

namespace chat {
namespace {

using testing::FakeMessageLog;

class EventMember : public Member {
 public:
  explicit EventMember(std::string user_id) : user_id_(std::move(user_id)) {}
  const std::string& user_id() const override { return user_id_; }
  bool wants_events() const override { return true; }
  void deliver(const Frame& frame, Delivery) override {
    frames.push_back(boost::json::parse(*frame).as_object());
  }
  // The "msg" of every message event received, in order.
  std::vector<std::string> texts() const {
    std::vector<std::string> out;
    for (const auto& frame : frames) {
      if (frame.at("type") == "message") out.emplace_back(frame.at("msg").as_string());
    }
    return out;
  }
  std::vector<boost::json::object> frames;

 private:
  std::string user_id_;
};

RoomTime at(int seconds) {
  return {std::chrono::system_clock::time_point(std::chrono::seconds(1'704'110'400 + seconds)),
          std::chrono::steady_clock::time_point(std::chrono::seconds(seconds))};
}

struct RoomWithLog : ::testing::Test {
  std::shared_ptr<FakeMessageLog> log = std::make_shared<FakeMessageLog>();
  std::shared_ptr<Room> room = std::make_shared<Room>("r", RoomLimits{}, log);
  EventMember alice{"alice"}, bob{"bob"};
  void SetUp() override {
    ASSERT_EQ(room->join(alice, at(0)), JoinResult::joined);
    ASSERT_EQ(room->join(bob, at(0)), JoinResult::joined);
  }
};

TEST_F(RoomWithLog, DeliversNothingBeforeTheLogStoredIt) {
  ASSERT_EQ(room->post(alice, ClientMessage{"a-1", "hello"}, at(1)), PostResult::accepted);
  EXPECT_TRUE(bob.texts().empty());
  EXPECT_TRUE(alice.texts().empty()) << "no acknowledgement before it is stored";
  ASSERT_EQ(log->appends.size(), 1u);
  EXPECT_EQ(log->appends[0].message.client_id, "a-1");
  EXPECT_EQ(log->appends[0].message.user_id, "alice");
  EXPECT_EQ(log->appends[0].message.text, "hello");
  EXPECT_EQ(room->appends_in_flight(), 1u);
  log->answer(0, AppendResult::stored);
  EXPECT_EQ(bob.texts(), std::vector<std::string>{"hello"});
  EXPECT_EQ(alice.frames.back().at("id"), "a-1") << "the sender's acknowledgement";
  EXPECT_EQ(room->appends_in_flight(), 0u);
}

TEST_F(RoomWithLog, KeepsAcceptanceOrderWhateverOrderTheLogAnswersIn) {
  for (int i = 0; i < 3; ++i) {
    room->post(alice, ClientMessage{"a-" + std::to_string(i), "m" + std::to_string(i)}, at(1));
  }
  log->answer(2, AppendResult::stored);
  EXPECT_TRUE(bob.texts().empty()) << "m2 waits for m0 and m1";
  log->answer(0, AppendResult::stored);
  EXPECT_EQ(bob.texts(), std::vector<std::string>{"m0"});
  log->answer(0, AppendResult::stored);
  EXPECT_EQ(bob.texts(), (std::vector<std::string>{"m0", "m1", "m2"}));
}

TEST_F(RoomWithLog, AMessageTheLogCouldNotStoreIsStillDeliveredAndCounted) {
  room->post(alice, ClientMessage{"a-1", "one"}, at(1));
  room->post(alice, ClientMessage{"a-2", "two"}, at(1));
  log->answer(0, AppendResult::failed);
  log->answer(0, AppendResult::timed_out);
  EXPECT_EQ(bob.texts(), (std::vector<std::string>{"one", "two"}));
  EXPECT_EQ(room->unstored_total(), 2u);
}

TEST_F(RoomWithLog, AResentMessageIsAcknowledgedNotDeliveredAgain) {
  room->post(alice, ClientMessage{"a-1", "hello"}, at(1));
  log->answer_all(AppendResult::stored);
  EXPECT_EQ(room->post(alice, ClientMessage{"a-1", "hello"}, at(2)), PostResult::duplicate);
  EXPECT_TRUE(log->appends.empty());
  EXPECT_EQ(alice.frames.back().at("type"), "ack");
  EXPECT_EQ(alice.frames.back().at("id"), "a-1");
  EXPECT_EQ(bob.texts().size(), 1u);
  // Ids are a user's own: bob may use the same one.
  EXPECT_EQ(room->post(bob, ClientMessage{"a-1", "mine"}, at(2)), PostResult::accepted);
}

TEST_F(RoomWithLog, AResendWhileTheFirstIsStillBeingStoredIsAcknowledgedByItsDelivery) {
  room->post(alice, ClientMessage{"a-1", "hello"}, at(1));
  EXPECT_EQ(room->post(alice, ClientMessage{"a-1", "hello"}, at(1)), PostResult::duplicate);
  EXPECT_TRUE(alice.frames.back().at("type") != "ack");
  log->answer_all(AppendResult::stored);
  EXPECT_EQ(bob.texts().size(), 1u);
}

TEST_F(RoomWithLog, RefusalsNameTheMessage) {
  EXPECT_EQ(room->post(alice, ClientMessage{"a-9", ""}, at(1)), PostResult::empty);
  EXPECT_EQ(alice.frames.back().at("code"), "empty_message");
  EXPECT_EQ(alice.frames.back().at("id"), "a-9");
  EXPECT_EQ(room->post_invalid(alice, at(1)), PostResult::invalid_frame);
  EXPECT_EQ(alice.frames.back().at("code"), "invalid_frame");
  EXPECT_FALSE(alice.frames.back().contains("id"));
}

TEST_F(RoomWithLog, ADrainStopsAcceptingWithoutAnAnswer) {
  room->stop_accepting();
  std::size_t frames = alice.frames.size();
  EXPECT_EQ(room->post(alice, ClientMessage{"a-1", "late"}, at(1)), PostResult::moving);
  EXPECT_EQ(alice.frames.size(), frames) << "not acknowledged, so a v2 client sends it again";
  EXPECT_TRUE(log->appends.empty());
}

TEST(RoomRestore, ShowsTheNewestHistoryAndRemembersEveryId) {
  RoomLimits limits;
  limits.history_messages_max = 2;
  auto room = std::make_shared<Room>("r", limits, std::make_shared<FakeMessageLog>());
  room->restore({{"alice", "a-1", "one", "2024-01-01T12:00:00.000Z"},
                 {"bob", "", "two", "2024-01-01T12:00:01.000Z"},
                 {"alice", "a-2", "three", "2024-01-01T12:00:02.000Z"}},
                at(5));
  EXPECT_EQ(room->empty_since(), at(5).steady) << "held for its first member, then swept";
  EventMember alice("alice");
  room->join(alice, at(6));
  const auto& messages = alice.frames.front().at("messages").as_array();
  ASSERT_EQ(messages.size(), 2u);
  EXPECT_EQ(messages[0].at("msg"), "two");
  EXPECT_EQ(messages[1].at("msg"), "three");
  EXPECT_EQ(room->post(alice, ClientMessage{"a-1", "one"}, at(7)), PostResult::duplicate)
      << "an id older than the snapshot still counts";
}

TEST(RoomRegistryWithLog, LoadsARoomOnceForEveryoneWaitingThenJoins) {
  auto log = std::make_shared<FakeMessageLog>();
  log->stored["r"] = {{"alice", "a-1", "before the crash", "2024-01-01T12:00:00.000Z"}};
  auto registry = std::make_shared<RoomRegistry>(10, RoomLimits{}, std::chrono::seconds(60), log);
  int ready = 0;
  registry->open("r", at(0), [&] { ++ready; });
  registry->open("r", at(0), [&] { ++ready; });
  EXPECT_EQ(ready, 0);
  ASSERT_EQ(log->loads.size(), 1u) << "one load for both";
  EXPECT_EQ(log->loads[0].count, RoomLimits{}.remembered_ids_max);
  log->answer_load();
  EXPECT_EQ(ready, 2);
  EventMember carol("carol");
  auto admission = registry->join("r", carol, at(1));
  ASSERT_EQ(admission.result, JoinResult::joined);
  EXPECT_EQ(carol.frames.front().at("messages").as_array().at(0).at("msg"), "before the crash");
  // Held now: no second load.
  registry->open("r", at(2), [&] { ++ready; });
  EXPECT_EQ(ready, 3);
  EXPECT_TRUE(log->loads.empty());
}

TEST(RoomRegistryWithLog, ARoomTheLogCannotReadStartsEmpty) {
  auto log = std::make_shared<FakeMessageLog>();
  auto registry = std::make_shared<RoomRegistry>(10, RoomLimits{}, std::chrono::seconds(60), log);
  bool ready = false;
  registry->open("r", at(0), [&] { ready = true; });
  log->answer_load(/*ok=*/false);
  EXPECT_TRUE(ready);
  EventMember carol("carol");
  EXPECT_EQ(registry->join("r", carol, at(1)).result, JoinResult::joined);
}

TEST(RoomRegistryWithLog, StopAcceptingReachesRoomsHeldAndRoomsToCome) {
  auto log = std::make_shared<FakeMessageLog>();
  auto registry = std::make_shared<RoomRegistry>(10, RoomLimits{}, std::chrono::seconds(60), log);
  EventMember alice("alice"), bob("bob");
  auto held = registry->join("r1", alice, at(0));
  held.room->post(alice, ClientMessage{"a-1", "x"}, at(0));
  EXPECT_EQ(registry->appends_in_flight(), 1u);
  registry->stop_accepting();
  EXPECT_EQ(held.room->post(alice, ClientMessage{"a-2", "y"}, at(0)), PostResult::moving);
  auto later = registry->join("r2", bob, at(0));
  EXPECT_EQ(later.room->post(bob, ClientMessage{"b-1", "z"}, at(0)), PostResult::moving);
  log->answer_all(AppendResult::failed);
  EXPECT_EQ(registry->appends_in_flight(), 0u);
  EXPECT_EQ(registry->unstored_total(), 1u);
  EXPECT_EQ(registry->room_ids(), (std::vector<std::string>{"r1", "r2"}));
}

}  // namespace
}  // namespace chat
