#include "server/room/client_frame.h"

#include <gtest/gtest.h>

namespace chat {
namespace {

TEST(ClientFrame, ReadsIdAndMessage) {
  auto message = parse_client_message(R"({"id":"k3f9x-17","msg":"hi \"you\""})");
  ASSERT_TRUE(message);
  EXPECT_EQ(message->id, "k3f9x-17");
  EXPECT_EQ(message->text, "hi \"you\"");
}

TEST(ClientFrame, IgnoresOtherFieldsAndKeepsEmptyText) {
  auto message = parse_client_message(R"({"msg":"","id":"a","later":1})");
  ASSERT_TRUE(message);
  EXPECT_EQ(message->text, "") << "empty text is the room's to refuse, with its own code";
}

TEST(ClientFrame, RefusesWhatIsNotAMessageObject) {
  for (const char* frame : {"", "hello", "[]", "null", R"("text")", R"({"msg":"no id"})",
                            R"({"id":"a"})", R"({"id":1,"msg":"x"})", R"({"id":"a","msg":1})",
                            R"({"id":"","msg":"x"})", R"({"id":"a b","msg":"x"})",
                            R"({"id":"a\"","msg":"x"})", R"({"id":"a","msg":"x"} trailing)"}) {
    EXPECT_FALSE(parse_client_message(frame)) << frame;
  }
}

TEST(ClientFrame, IdsAreShortAndPlain) {
  EXPECT_TRUE(valid_client_message_id("Az09-_.:"));
  EXPECT_TRUE(valid_client_message_id(std::string(64, 'a')));
  EXPECT_FALSE(valid_client_message_id(std::string(65, 'a')));
  EXPECT_FALSE(valid_client_message_id("é"));
  EXPECT_FALSE(valid_client_message_id("a/b"));
}

}  // namespace
}  // namespace chat
