// A session server's answer to POST /drain, parsed; anything else refused
// with what was wrong.
#include "server/backend/session_drain.h"

#include <gtest/gtest.h>

namespace chat {
namespace {

TEST(ParseSessionDrained, TheDocumentedAnswer) {
  auto drained = parse_session_drained(R"({"rooms":["r1","r2"],"unstored":3,"other":1})");
  ASSERT_TRUE(drained) << drained.error();
  EXPECT_EQ(drained->rooms, (std::vector<std::string>{"r1", "r2"}));
  EXPECT_EQ(drained->unstored, 3);
}

TEST(ParseSessionDrained, AnEmptyServer) {
  auto drained = parse_session_drained(R"({"rooms":[],"unstored":0})");
  ASSERT_TRUE(drained) << drained.error();
  EXPECT_TRUE(drained->rooms.empty());
}

TEST(ParseSessionDrained, WhatIsWrongIsSaid) {
  EXPECT_EQ(parse_session_drained("<html>").error(), "not a JSON object");
  EXPECT_EQ(parse_session_drained(R"({"unstored":0})").error(), "\"rooms\" is not an array");
  EXPECT_EQ(parse_session_drained(R"({"rooms":[1],"unstored":0})").error(),
            "\"rooms\" holds something not a string");
  EXPECT_EQ(parse_session_drained(R"({"rooms":[]})").error(),
            "\"unstored\" is not a whole number from 0 up");
  EXPECT_EQ(parse_session_drained(R"({"rooms":[],"unstored":-1})").error(),
            "\"unstored\" is not a whole number from 0 up");
  EXPECT_EQ(parse_session_drained(R"({"rooms":[],"unstored":1.5})").error(),
            "\"unstored\" is not a whole number from 0 up");
}

}  // namespace
}  // namespace chat
