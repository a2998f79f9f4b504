// The exact text of each frame: clients parse these, and the seed's client
// expects the seed's shapes byte for byte where it matters (docs/PROTOCOL.md).
#include "server/room/frames.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

namespace chat::frames {
namespace {

using std::chrono::milliseconds;
using std::chrono::system_clock;

TEST(Frames, TimestampsLikeJavaScript) {
  EXPECT_EQ(iso_timestamp(system_clock::time_point(milliseconds(1'704'110'400'123))),
            "2024-01-01T12:00:00.123Z");
  EXPECT_EQ(iso_timestamp(system_clock::time_point(milliseconds(1'704'110'400'007))),
            "2024-01-01T12:00:00.007Z")
      << "milliseconds keep their leading zeros";
  EXPECT_EQ(iso_timestamp(system_clock::time_point{}), "1970-01-01T00:00:00.000Z");
}

TEST(Frames, MessageEscapesWhatJsonMust) {
  EXPECT_EQ(message_json("al\"ice", "a\\b\nc\x01 \xE2\x82\xAC", "t"),
            R"({"userId":"al\"ice","msg":"a\\b\nc\u0001 )"
            "\xE2\x82\xAC"
            R"(","ts":"t"})");
}

TEST(Frames, SeedSnapshot) {
  const std::deque<std::string> messages{message_json("a", "hi", "t1"),
                                         message_json("b", "yo", "t2")};
  EXPECT_EQ(seed_snapshot({}, {}), R"({"messages":[],"connectedUsers":[]})");
  EXPECT_EQ(seed_snapshot(messages, {"a", "b"}),
            R"({"messages":[{"userId":"a","msg":"hi","ts":"t1"},)"
            R"({"userId":"b","msg":"yo","ts":"t2"}],"connectedUsers":["a","b"]})");
}

TEST(Frames, EventSnapshotCarriesTheRoomAndItsLimits) {
  RoomLimits limits;
  limits.users_max = 7;
  const std::string frame = event_snapshot("r\"1", {message_json("a", "hi", "t")}, {"a"}, limits);
  auto parsed = boost::json::parse(frame).as_object();
  EXPECT_EQ(parsed.at("type"), "snapshot");
  EXPECT_EQ(parsed.at("roomId"), "r\"1");
  EXPECT_EQ(boost::json::serialize(parsed.at("messages")),
            R"([{"userId":"a","msg":"hi","ts":"t"}])");
  EXPECT_EQ(boost::json::serialize(parsed.at("connectedUsers")), R"(["a"])");
  const auto& sent_limits = parsed.at("limits").as_object();
  EXPECT_EQ(sent_limits.at("maxUsers").to_number<double>(), 7);
  EXPECT_EQ(sent_limits.at("maxMessageLength").to_number<double>(), 1000);
  EXPECT_EQ(sent_limits.at("historyMessages").to_number<double>(), 100);
  EXPECT_EQ(sent_limits.at("messagesPerSecond").to_number<double>(), 10);
  EXPECT_EQ(frame.rfind(R"({"type":"snapshot",)", 0), 0u) << "the type comes first";
}

TEST(Frames, SmallEvents) {
  EXPECT_EQ(event_message(message_json("a", "hi", "t")),
            R"({"type":"message","userId":"a","msg":"hi","ts":"t"})");
  EXPECT_EQ(event_presence("join", "b\"", "t"), R"({"type":"join","userId":"b\"","ts":"t"})");
  EXPECT_EQ(event_presence("leave", "b", "t"), R"({"type":"leave","userId":"b","ts":"t"})");
  EXPECT_EQ(event_error("empty_message", "Message is empty."),
            R"({"type":"error","code":"empty_message","message":"Message is empty."})");
}

}  // namespace
}  // namespace chat::frames
