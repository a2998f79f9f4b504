// What a person is told when Hathora's rooms API fails: a wait that may
// mend it (503 with Retry-After), or an operator's problem (502).
#include "server/backend/hathora_rooms_placement.h"

#include <gtest/gtest.h>

namespace chat {
namespace {

using sched::hathora::CallAnswer;
using sched::hathora::Outcome;

CallAnswer answer(Outcome outcome, std::string detail, int retry_after_s = 0) {
  return CallAnswer{outcome, std::move(detail), std::chrono::seconds(retry_after_s)};
}

TEST(HathoraFailure, PassingTroubleIsA503WithRetryAfter) {
  auto limited = hathora_failure("create the room", answer(Outcome::rate_limited, "HTTP 429", 7));
  ASSERT_TRUE(std::holds_alternative<NoServerNow>(limited));
  EXPECT_EQ(std::get<NoServerNow>(limited).retry_after, std::chrono::seconds(7));
  EXPECT_NE(std::get<NoServerNow>(limited).reason.find("try again in 7 s"), std::string::npos);

  auto failing =
      hathora_failure("create the room", answer(Outcome::server_error, "HTTP 500: database down"));
  ASSERT_TRUE(std::holds_alternative<NoServerNow>(failing));
  const auto& reason = std::get<NoServerNow>(failing).reason;
  EXPECT_EQ(reason,
            "Hathora failed to create the room (HTTP 500: database down); try again in 2 s");
  EXPECT_EQ(std::get<NoServerNow>(failing).retry_after, std::chrono::seconds(2));

  auto silent = hathora_failure("find the room", answer(Outcome::unreachable, "timed out"));
  ASSERT_TRUE(std::holds_alternative<NoServerNow>(silent));
  EXPECT_NE(std::get<NoServerNow>(silent).reason.find("did not answer"), std::string::npos);
  EXPECT_GE(std::get<NoServerNow>(silent).retry_after, std::chrono::seconds(1));
}

TEST(HathoraFailure, ARateLimitWithoutRetryAfterStillWaitsASecond) {
  auto limited = hathora_failure("find the room", answer(Outcome::rate_limited, "HTTP 429"));
  EXPECT_EQ(std::get<NoServerNow>(limited).retry_after, std::chrono::seconds(1));
}

TEST(HathoraFailure, WhatOnlyAnOperatorCanMendIsA502) {
  auto unauthorized =
      hathora_failure("create the room", answer(Outcome::unauthorized, "HTTP 401: Invalid token"));
  ASSERT_TRUE(std::holds_alternative<PlacementFailed>(unauthorized));
  const auto& reason = std::get<PlacementFailed>(unauthorized).reason;
  EXPECT_NE(reason.find("credentials"), std::string::npos) << reason;
  EXPECT_NE(reason.find("HTTP 401: Invalid token"), std::string::npos) << reason;
  EXPECT_NE(reason.find("HATHORA_TOKEN"), std::string::npos) << reason;

  for (Outcome outcome : {Outcome::refused, Outcome::not_found}) {
    auto refused = hathora_failure("create the room", answer(outcome, "HTTP 422: bad region"));
    ASSERT_TRUE(std::holds_alternative<PlacementFailed>(refused));
    EXPECT_NE(std::get<PlacementFailed>(refused).reason.find("--hathora-region"),
              std::string::npos);
  }
}

}  // namespace
}  // namespace chat
