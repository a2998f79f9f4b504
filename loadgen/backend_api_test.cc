#include "loadgen/backend_api.h"

#include <gtest/gtest.h>

namespace loadgen {
namespace {

network::HttpResponse answer(unsigned status, std::string body) {
  network::HttpResponse response;
  response.status = status;
  response.body = std::move(body);
  return response;
}

network::HttpResponse no_answer(network::HttpFailure failure, std::string error) {
  network::HttpResponse response;
  response.failure = failure;
  response.error = std::move(error);
  return response;
}

TEST(ReadLogin, TheToken) {
  auto result = read_login(answer(200, R"({"token":"eyJ.x.y"})"));
  ASSERT_TRUE(result);
  EXPECT_EQ(*result.value, "eyJ.x.y");
}

TEST(ReadLogin, ClassifiesFromStatusAndFields) {
  auto refused = read_login(answer(400, R"({"error":"userId required"})"));
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error.kind, ApiError::Kind::status);
  EXPECT_EQ(refused.error.category("login"), "login_http_400");
  EXPECT_EQ(refused.error.detail, R"({"error":"userId required"})");

  for (const char* body : {R"({"token":""})", R"({"token":7})", "{}", "not json", "[]"}) {
    auto odd = read_login(answer(200, body));
    ASSERT_FALSE(odd) << body;
    EXPECT_EQ(odd.error.category("login"), "login_bad_answer") << body;
  }

  auto down = read_login(no_answer(network::HttpFailure::connect, "connect h:1: refused"));
  ASSERT_FALSE(down);
  EXPECT_EQ(down.error.kind, ApiError::Kind::transport);
  EXPECT_EQ(down.error.failure, network::HttpFailure::connect);
  EXPECT_EQ(down.error.category("login"), "login_transport");
  EXPECT_EQ(down.error.detail, "connect h:1: refused");
}

TEST(ReadCreatedRoom, TheIdOrWhyNot) {
  EXPECT_EQ(*read_created_room(answer(200, R"({"roomId":"r1"})")).value, "r1");
  auto full = read_created_room(answer(503, "no capacity"));
  ASSERT_FALSE(full);
  EXPECT_TRUE(full.error.is_status(503));
  EXPECT_FALSE(full.error.is_status(500));
  EXPECT_EQ(full.error.category("create"), "create_http_503");
}

TEST(ReadPlacement, HostAndToken) {
  auto placed = read_placement(answer(200, R"({"host":"127.0.0.1:8000","token":"t"})"));
  ASSERT_TRUE(placed);
  EXPECT_EQ(placed.value->host, "127.0.0.1:8000");
  EXPECT_EQ(placed.value->token, "t");
}

TEST(ReadPlacement, ANullHostMeansAServerIsStarting) {
  auto waiting = read_placement(answer(200, R"({"host":null,"token":null})"));
  ASSERT_FALSE(waiting);
  EXPECT_EQ(waiting.error.kind, ApiError::Kind::no_host);
  EXPECT_EQ(waiting.error.category("lookup"), "lookup_no_host");
}

TEST(ReadPlacement, MissingFieldsAreABadAnswerNotAWait) {
  for (const char* body : {R"({"token":"t"})", R"({"host":"h:1"})", R"({"host":5,"token":"t"})"}) {
    auto odd = read_placement(answer(200, body));
    ASSERT_FALSE(odd) << body;
    EXPECT_EQ(odd.error.kind, ApiError::Kind::bad_answer) << body;
  }
  EXPECT_EQ(read_placement(answer(404, "unknown room")).error.category("lookup"),
            "lookup_http_404");
}

TEST(ReadPlacement, ARefusalCarriesItsRetryAfter) {
  auto busy = answer(503, R"({"error":"no room"})");
  busy.retry_after = "3";
  auto refused = read_placement(busy);
  ASSERT_FALSE(refused);
  EXPECT_TRUE(refused.error.is_status(503));
  EXPECT_EQ(refused.error.retry_after, std::chrono::seconds(3));
  busy.retry_after = "3600";  // capped: not waited for that long
  EXPECT_EQ(read_placement(busy).error.retry_after, std::chrono::seconds(60));
  busy.retry_after = "Wed, 21 Oct 2015 07:28:00 GMT";  // a date reads as none
  EXPECT_EQ(read_placement(busy).error.retry_after, std::chrono::milliseconds(0));
}

TEST(LookupPath, NamesTheUnreachableHostEscaped) {
  EXPECT_EQ(lookup_path("r-1", ""), "/api/rooms/r-1");
  EXPECT_EQ(lookup_path("r-1", "127.0.0.1:4000"), "/api/rooms/r-1?unreachable=127.0.0.1:4000");
  EXPECT_EQ(lookup_path("r", "[::1]:4000"), "/api/rooms/r?unreachable=%5B::1%5D:4000");
}

TEST(ReadMetrics, TheTextOnlyOnA200) {
  EXPECT_EQ(*read_metrics(answer(200, "x 1\n")).value, "x 1\n");
  EXPECT_FALSE(read_metrics(answer(404, "")));
  EXPECT_FALSE(read_metrics(no_answer(network::HttpFailure::timeout, "no answer")));
}

}  // namespace
}  // namespace loadgen
