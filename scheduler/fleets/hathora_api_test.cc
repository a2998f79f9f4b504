#include "scheduler/fleets/hathora_api.h"

#include <gtest/gtest.h>

#include <set>

namespace sched::hathora {
namespace {

TEST(HathoraApi, NewRoomIdsAreLowercaseAlphanumericAndDistinct) {
  std::set<std::string> ids;
  for (int i = 0; i < 1000; ++i) {
    std::string id = new_room_id();
    EXPECT_EQ(id.size(), 20u);
    EXPECT_EQ(id.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789"), std::string::npos);
    ids.insert(id);
  }
  EXPECT_EQ(ids.size(), 1000u);
}

TEST(HathoraApi, AStartingRoomHasNoHostYet) {
  auto info = parse_connection_info(R"({"status":"starting","roomId":"r"})");
  ASSERT_TRUE(info) << info.error();
  EXPECT_FALSE(info->active);
}

TEST(HathoraApi, AnActiveRoomGivesItsHost) {
  auto info = parse_connection_info(
      R"({"status":"active","exposedPort":{"host":"1.proxy.hathora.dev","port":40123,"transportType":"tcp"}})");
  ASSERT_TRUE(info) << info.error();
  EXPECT_TRUE(info->active);
  EXPECT_EQ(info->host, "1.proxy.hathora.dev:40123");
}

TEST(HathoraApi, RefusesWhatWouldHaveThrownOrCrashed) {
  for (const char* body : {R"({"status":"active"})", R"({"status":"active","exposedPort":7})",
                           R"({"status":"active","exposedPort":{"host":1,"port":2}})",
                           R"({"status":"active","exposedPort":{"host":"h","port":"80"}})",
                           R"({"status":"active","exposedPort":{"host":"h","port":70000}})",
                           R"({"status":"active","exposedPort":{"host":"","port":80}})",
                           R"({"status":3})", R"({})", "not json"}) {
    auto info = parse_connection_info(body);
    EXPECT_FALSE(info) << body;
  }
}

TEST(HathoraApi, RetryDelayHonoursRetryAfterElseBacksOff) {
  using std::chrono::milliseconds;
  EXPECT_EQ(retry_delay("3", 0), milliseconds(3000));
  EXPECT_EQ(retry_delay("0", 4), milliseconds(0));
  EXPECT_EQ(retry_delay("100000", 0), milliseconds(60000));  // capped
  EXPECT_EQ(retry_delay("", 0), milliseconds(250));
  EXPECT_EQ(retry_delay("", 2), milliseconds(1000));
  // An HTTP date, garbage or a negative number: back off as if absent.
  EXPECT_EQ(retry_delay("Wed, 21 Oct 2026 07:28:00 GMT", 1), milliseconds(500));
  EXPECT_EQ(retry_delay("-5", 1), milliseconds(500));
  EXPECT_EQ(retry_delay("5s", 1), milliseconds(500));
  EXPECT_EQ(retry_delay("", 99), milliseconds(250 * 1024));  // bounded however many tries
}

}  // namespace
}  // namespace sched::hathora
