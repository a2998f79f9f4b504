#include "server/common/http_util.h"

#include <gtest/gtest.h>

#include <boost/beast/http/field.hpp>
#include <boost/json/parse.hpp>

namespace chat::web {
namespace {

namespace http = boost::beast::http;

Request with_authorization(std::string value) {
  Request request{http::verb::get, "/api/rooms/r", 11};
  request.set(http::field::authorization, value);
  return request;
}

TEST(QueryParameter, FindsDecodesAndTellsAbsentFromEmpty) {
  EXPECT_EQ(query_parameter("/?token=abc", "token"), "abc");
  EXPECT_EQ(query_parameter("/?a=1&token=x%2By+z&b=2", "token"), "x+y z");
  EXPECT_EQ(query_parameter("/?token=", "token"), "");
  EXPECT_EQ(query_parameter("/?token", "token"), "");
  EXPECT_EQ(query_parameter("/?tokens=1", "token"), std::nullopt);
  EXPECT_EQ(query_parameter("/?xtoken=1", "token"), std::nullopt);
  EXPECT_EQ(query_parameter("/token=1", "token"), std::nullopt);
  EXPECT_EQ(query_parameter("/", "token"), std::nullopt);
  EXPECT_EQ(query_parameter("/?token=%zz", "token"), std::nullopt);  // badly encoded
  EXPECT_EQ(query_parameter("/?token=1&token=2", "token"), "1");     // the first one
}

TEST(TargetPath, DropsTheQuery) {
  EXPECT_EQ(target_path("/api/rooms/r?x=1"), "/api/rooms/r");
  EXPECT_EQ(target_path("/"), "/");
  EXPECT_EQ(target_path("?x"), "");
}

TEST(BearerToken, TakesTheTokenWhateverTheSchemesCase) {
  EXPECT_EQ(bearer_token(with_authorization("Bearer abc.def")), "abc.def");
  EXPECT_EQ(bearer_token(with_authorization("bearer abc")), "abc");
  EXPECT_EQ(bearer_token(with_authorization("BEARER   abc  ")), "abc");
}

TEST(BearerToken, RefusesOtherSchemesAndEmptyTokens) {
  EXPECT_EQ(bearer_token(Request{http::verb::get, "/", 11}), std::nullopt);
  for (const char* value :
       {"", "Bearer", "Bearer ", "Bearer    ", "Basic YWxpY2U6cHc=", "Bearerabc", "Token abc"}) {
    EXPECT_EQ(bearer_token(with_authorization(value)), std::nullopt) << value;
  }
}

TEST(JsonResponse, EchoesVersionAndKeepAliveOfTheRequest) {
  Request request{http::verb::get, "/", 10};
  request.keep_alive(false);
  ReplyTo reply_to(request);
  auto response = error_response(reply_to, http::status::bad_request, "no");
  EXPECT_EQ(response.version(), 10u);
  EXPECT_FALSE(response.keep_alive());
  EXPECT_EQ(response.body(), R"({"error":"no"})");
  EXPECT_EQ(response[http::field::content_type], "application/json");
}

// Found by fuzz/backend_routes_fuzzer.cc: "No such API route: <path>" put
// the path's raw bytes into the JSON body, which then was not UTF-8.
TEST(ErrorResponse, IsValidUtf8WhateverTheMessageQuotes) {
  auto response = error_response(Request{http::verb::get, "/", 11}, http::status::not_found,
                                 "No such API route: /api/rooms\x99\xC3\xA9\xED\xA0\x80!");
  EXPECT_EQ(response.body(),
            "{\"error\":\"No such API route: /api/rooms\xEF\xBF\xBD\xC3\xA9"
            "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD!\"}");
  boost::system::error_code ec;
  boost::json::parse(response.body(), ec);  // strict: refuses invalid UTF-8
  EXPECT_FALSE(ec) << ec.message();
}

TEST(TooManyRequests, Is429WithRetryAfterAndAJsonError) {
  auto response = too_many_requests(Request{http::verb::get, "/", 11}, std::chrono::seconds(7),
                                    "Too many logins; try again in 7 s");
  EXPECT_EQ(response.result(), http::status::too_many_requests);
  EXPECT_EQ(response[http::field::retry_after], "7");
  EXPECT_EQ(response.body(), R"({"error":"Too many logins; try again in 7 s"})");
}

TEST(ForwardedFor, JoinsEveryHeaderInOrder) {
  Request request{http::verb::get, "/", 11};
  EXPECT_EQ(forwarded_for(request), "");
  request.insert("X-Forwarded-For", "1.1.1.1, 2.2.2.2");
  request.insert("X-Forwarded-For", "3.3.3.3");
  EXPECT_EQ(forwarded_for(request), "1.1.1.1, 2.2.2.2,3.3.3.3");
  EXPECT_EQ(peer_address(request), "");
  request.set(peer_address_field, "192.0.2.1");
  EXPECT_EQ(peer_address(request), "192.0.2.1");
}

}  // namespace
}  // namespace chat::web
