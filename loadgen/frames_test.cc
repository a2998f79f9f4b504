#include "loadgen/frames.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace loadgen {
namespace {

std::vector<std::string> events(std::string_view text, FrameError expected = FrameError::none) {
  std::vector<std::string> seen;
  EXPECT_EQ(parse_event_frame(text,
                              [&](const FrameEvent& event) {
                                seen.push_back(
                                    std::string(event.type) + "|" + std::string(event.msg) + "|" +
                                    std::string(event.code) + "|" + std::string(event.message));
                              }),
            expected)
      << text;
  return seen;
}

TEST(EventFrame, OneEvent) {
  EXPECT_EQ(events(R"({"type":"message","userId":"a","msg":"hi","ts":"t"})"),
            std::vector<std::string>{"message|hi||"});
  EXPECT_EQ(events(R"({"type":"error","code":"rate_limited","message":"slow down"})"),
            std::vector<std::string>{"error||rate_limited|slow down"});
}

TEST(EventFrame, ABatchInOrder) {
  EXPECT_EQ(events(R"([{"type":"join","userId":"b"},{"type":"message","msg":"1"},)"
                   R"({"type":"message","msg":"2"}])"),
            (std::vector<std::string>{"join|||", "message|1||", "message|2||"}));
}

TEST(EventFrame, FieldsOfTheWrongTypeReadAsEmpty) {
  EXPECT_EQ(events(R"({"type":"message","msg":42})"), std::vector<std::string>{"message|||"});
}

TEST(EventFrame, RefusesWhatIsNotEvents) {
  EXPECT_TRUE(events("not json", FrameError::not_json).empty());
  EXPECT_TRUE(events("42", FrameError::not_json).empty());
  // A batch with one bad entry is refused whole: nothing of it is used.
  EXPECT_TRUE(events(R"([{"type":"message","msg":"1"}, 7])", FrameError::not_json).empty());
}

TEST(EventFrame, ALargeBatchStillParses) {
  std::string batch = "[";
  for (int i = 0; i < 500; ++i) {
    batch += std::string(i ? "," : "") + R"({"type":"message","msg":"lg:1:)" + std::to_string(i) +
             R"(:5:"})";
  }
  batch += "]";
  EXPECT_EQ(events(batch).size(), 500u);
}

TEST(EventFrame, V2IdsAndTheSnapshotsHistory) {
  std::vector<std::string> ids, history;
  std::size_t window = 0;
  auto result = parse_event_frame(
      R"([{"type":"message","userId":"a","msg":"hi","id":"k3-17"},{"type":"ack","id":"k3-16"},)"
      R"({"type":"snapshot","messages":[{"userId":"a","msg":"one"},{"userId":"b"},"odd"],)"
      R"("connectedUsers":["a"],"limits":{"maxUsers":100,"historyMessages":50}}])",
      [&](const FrameEvent& event) {
        ids.emplace_back(event.id);
        for (auto m : event.history) history.emplace_back(m);
        if (event.type == "snapshot") window = event.history_window;
      });
  EXPECT_EQ(result, FrameError::none);
  EXPECT_EQ(ids, (std::vector<std::string>{"k3-17", "k3-16", ""}));
  EXPECT_EQ(history, (std::vector<std::string>{"one", "", ""}));
  EXPECT_EQ(window, 50u);
}

TEST(SnapshotFrame, MessagesInOrderAndTheError) {
  std::vector<std::string> messages;
  std::optional<std::string> error;
  auto result = parse_snapshot_frame(
      R"({"messages":[{"userId":"a","msg":"one"},{"userId":"b"},"odd",{"msg":"two"}],)"
      R"("connectedUsers":["a"],"error":{"code":"message_too_long"}})",
      [&](const SnapshotFrame& snapshot) {
        for (auto m : snapshot.messages) messages.emplace_back(m);
        if (snapshot.error_code) error = std::string(*snapshot.error_code);
      });
  EXPECT_EQ(result, FrameError::none);
  EXPECT_EQ(messages, (std::vector<std::string>{"one", "", "", "two"}));
  EXPECT_EQ(error, "message_too_long");
}

TEST(SnapshotFrame, RefusesWhatIsNotASnapshot) {
  int calls = 0;
  auto count = [&](const SnapshotFrame&) { ++calls; };
  EXPECT_EQ(parse_snapshot_frame("[1]", count), FrameError::not_json);
  EXPECT_EQ(parse_snapshot_frame("{", count), FrameError::not_json);
  EXPECT_EQ(parse_snapshot_frame(R"({"connectedUsers":[]})", count), FrameError::no_messages);
  EXPECT_EQ(parse_snapshot_frame(R"({"messages":{}})", count), FrameError::no_messages);
  EXPECT_EQ(calls, 0);
}

}  // namespace
}  // namespace loadgen
