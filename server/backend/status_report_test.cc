#include "server/backend/status_report.h"

#include <gtest/gtest.h>

namespace chat {
namespace {

TEST(StatusReport, ReadsWhatTheSessionServerSends) {
  auto report = parse_status_report(
      R"({"host":"127.0.0.1:8000","draining":false,"pid":7,"connections":3,"maxRooms":10,)"
      R"("rooms":[{"roomId":"a","users":2,"messagesTotal":5},{"roomId":"b","users":0}]})");
  ASSERT_TRUE(report) << report.error();
  EXPECT_EQ(report->host, "127.0.0.1:8000");
  EXPECT_FALSE(report->draining);
  ASSERT_EQ(report->rooms.size(), 2u);
  EXPECT_EQ(report->rooms[0].room_id, "a");
  EXPECT_EQ(report->rooms[0].users, 2);
  EXPECT_EQ(report->rooms[1].users, 0);
}

TEST(StatusReport, ADrainingServerWithNoRooms) {
  auto report = parse_status_report(R"({"host":"h:1","draining":true,"rooms":[]})");
  ASSERT_TRUE(report) << report.error();
  EXPECT_TRUE(report->draining);
  EXPECT_TRUE(report->rooms.empty());
  EXPECT_EQ(report->reserved, 0) << "a server without reservations (the seed's)";
}

TEST(StatusReport, CountsReservations) {
  auto report = parse_status_report(
      R"({"host":"h:1","draining":false,"rooms":[],"reserved":[{"roomId":"x"},{"roomId":"y"}]})");
  ASSERT_TRUE(report) << report.error();
  EXPECT_EQ(report->reserved, 2);
}

TEST(StatusReport, RefusesEveryOtherShapeSayingWhat) {
  struct Case {
    const char* body;
    const char* said;
  };
  for (auto [body, said] : {
           Case{"", "not a JSON object"},
           Case{"[1]", "not a JSON object"},
           Case{R"({"draining":false,"rooms":[]})", "\"host\""},
           Case{R"({"host":1,"draining":false,"rooms":[]})", "\"host\""},
           Case{R"({"host":"h","rooms":[]})", "\"draining\""},
           Case{R"({"host":"h","draining":"no","rooms":[]})", "\"draining\""},
           Case{R"({"host":"h","draining":false})", "\"rooms\""},
           Case{R"({"host":"h","draining":false,"rooms":{}})", "\"rooms\""},
           Case{R"({"host":"h","draining":false,"rooms":[7]})", "roomId"},
           Case{R"({"host":"h","draining":false,"rooms":[{"users":1}]})", "roomId"},
           Case{R"({"host":"h","draining":false,"rooms":[{"roomId":"","users":1}]})", "roomId"},
           Case{R"({"host":"h","draining":false,"rooms":[{"roomId":"a"}]})", "room a"},
           Case{R"({"host":"h","draining":false,"rooms":[{"roomId":"a","users":-1}]})", "room a"},
           Case{R"({"host":"h","draining":false,"rooms":[{"roomId":"a","users":1.5}]})", "room a"},
           Case{R"({"host":"h","draining":false,"rooms":[{"roomId":"a","users":"3"}]})", "room a"},
           Case{R"({"host":"h","draining":false,"rooms":[{"roomId":"a","users":1e12}]})", "room a"},
           Case{R"({"host":"h","draining":false,"rooms":[{"roomId":"a","users":99999999999}]})",
                "room a"},
       }) {
    auto report = parse_status_report(body);
    ASSERT_FALSE(report) << "accepted " << body;
    EXPECT_NE(report.error().find(said), std::string::npos) << body << ": " << report.error();
  }
}

}  // namespace
}  // namespace chat
