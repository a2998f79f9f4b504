#include "scheduler/fleets/hathora_api.h"

#include <gtest/gtest.h>

#include <set>

#include "scheduler/fleets/hathora_rooms.h"

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

TEST(HathoraApi, DestroyedAndSuspendedRoomsAreGone) {
  for (const char* status : {"destroyed", "suspended"}) {
    auto info = parse_connection_info(std::string(R"({"roomId":"r","status":")") + status + "\"}");
    ASSERT_TRUE(info) << info.error();
    EXPECT_TRUE(info->gone) << status;
    EXPECT_FALSE(info->active) << status;
  }
  EXPECT_FALSE(parse_connection_info(R"({"status":"starting"})")->gone);
}

TEST(HathoraApi, ACreatedRoomGivesItsId) {
  auto id = parse_created_room_id(
      R"({"roomId":"abc123","processId":"p-1","status":"scheduling","additionalExposedPorts":[]})");
  ASSERT_TRUE(id) << id.error();
  EXPECT_EQ(*id, "abc123");
  for (const char* body : {R"({})", R"({"roomId":""})", R"({"roomId":7})", "[]", "<html>"}) {
    EXPECT_FALSE(parse_created_room_id(body)) << body;
  }
}

network::HttpResponse answered(unsigned status, std::string body = "",
                               std::string retry_after = "") {
  network::HttpResponse response;
  response.status = status;
  response.body = std::move(body);
  response.retry_after = std::move(retry_after);
  return response;
}

TEST(HathoraApi, AnswersAreClassifiedForRetriesAndErrors) {
  EXPECT_EQ(classify(answered(200)), Outcome::ok);
  EXPECT_EQ(classify(answered(201)), Outcome::ok);
  EXPECT_EQ(classify(answered(204)), Outcome::ok);
  EXPECT_EQ(classify(answered(404)), Outcome::not_found);
  EXPECT_EQ(classify(answered(429)), Outcome::rate_limited);
  EXPECT_EQ(classify(answered(401)), Outcome::unauthorized);
  EXPECT_EQ(classify(answered(403)), Outcome::unauthorized);
  EXPECT_EQ(classify(answered(400)), Outcome::refused);
  EXPECT_EQ(classify(answered(402)), Outcome::refused);
  EXPECT_EQ(classify(answered(422)), Outcome::refused);
  EXPECT_EQ(classify(answered(302)), Outcome::refused);
  EXPECT_EQ(classify(answered(500)), Outcome::server_error);
  EXPECT_EQ(classify(answered(503)), Outcome::server_error);
  network::HttpResponse lost;
  lost.failure = network::HttpFailure::timeout;
  lost.error = "timed out after 10000 ms";
  EXPECT_EQ(classify(lost), Outcome::unreachable);
  EXPECT_EQ(outcome_name(Outcome::server_error), "server_error");
  EXPECT_EQ(outcome_name(Outcome::unauthorized), "unauthorized");
}

TEST(HathoraApi, AnAnswerIsDescribedInHathorasOwnWords) {
  EXPECT_EQ(describe_answer(answered(401, R"({"message":"Invalid token"})")),
            "HTTP 401: Invalid token");
  EXPECT_EQ(describe_answer(answered(502, "<html>bad gateway</html>")),
            "HTTP 502: <html>bad gateway</html>");
  EXPECT_EQ(describe_answer(answered(500)), "HTTP 500");
  EXPECT_EQ(describe_answer(answered(500, std::string(1000, 'x'))).size(), 200u + 10u);
  network::HttpResponse lost;
  lost.failure = network::HttpFailure::connect;
  lost.error = "connect to api.hathora.dev:443: refused";
  EXPECT_EQ(describe_answer(lost), lost.error);
}

TEST(HathoraApi, ACallAnswerKeepsWhatHathoraAskedToWait) {
  auto limited = answer_of(answered(429, R"({"message":"slow down"})", "7"));
  EXPECT_EQ(limited.outcome, Outcome::rate_limited);
  EXPECT_EQ(limited.retry_after, std::chrono::seconds(7));
  EXPECT_EQ(limited.detail, "HTTP 429: slow down");
  EXPECT_EQ(answer_of(answered(503, "", "100000")).retry_after, std::chrono::seconds(60));
  EXPECT_EQ(answer_of(answered(503, "", "soon")).retry_after, std::chrono::seconds(0));
  EXPECT_EQ(answer_of(answered(500)).retry_after, std::chrono::seconds(0));
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
