#include "loadgen/trace_reader.h"

#include <gtest/gtest.h>

#include <sstream>

namespace loadgen {
namespace {

TEST(TraceReader, ReadsTheSimulatorsFormat) {
  std::istringstream in(
      "# stateful-routing chat trace, format 1 (sim/TRACE_FORMAT.md)\n"
      "time_ms,event,room,user,bytes\n"
      "0,create,r1,u1,\n"
      "5,join,r1,u1,\n"
      "\n"
      "900,message,r1,u1,120\r\n"
      "2000,leave,r1,u1,\n");
  auto trace = read_trace(in);
  ASSERT_TRUE(trace.errors.empty()) << trace.errors[0];
  ASSERT_EQ(trace.events.size(), 4u);
  EXPECT_EQ(trace.events[0].kind, TraceEvent::Kind::create);
  EXPECT_EQ(trace.events[2].kind, TraceEvent::Kind::message);
  EXPECT_EQ(trace.events[2].size, 120);
  EXPECT_EQ(trace.events[2].time_ms, 900u);
  EXPECT_EQ(trace.events[3].room, "r1");
  EXPECT_EQ(trace.events[3].user, "u1");
}

TEST(TraceReader, NamesEachBadLine) {
  std::istringstream in(
      "10,join,r1,u1,0\n"
      "5,join,r1,u2,0\n"
      "20,dance,r1,u1,0\n"
      "30,join,r1\n"
      "x,join,r1,u1,0\n"
      "40,message,r1,u1,-3\n");
  auto trace = read_trace(in);
  EXPECT_EQ(trace.events.size(), 1u);
  ASSERT_EQ(trace.errors.size(), 5u);
  EXPECT_NE(trace.errors[0].find("line 2: time goes backwards"), std::string::npos);
  EXPECT_NE(trace.errors[1].find("dance"), std::string::npos);
  EXPECT_NE(trace.errors[2].find("expected 5 fields"), std::string::npos);
}

}  // namespace
}  // namespace loadgen
