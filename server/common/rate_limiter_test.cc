#include "server/common/rate_limiter.h"

#include <gtest/gtest.h>

namespace chat {
namespace {

using Clock = RateLimiter::Clock;
using std::chrono::seconds;

const Clock::time_point t0 = Clock::time_point{} + std::chrono::hours(1);

TEST(TokenBucket, SaysHowLongUntilTheNextToken) {
  TokenBucket bucket(0.5, 1);  // one every 2 s
  EXPECT_TRUE(bucket.try_take(t0));
  EXPECT_FALSE(bucket.try_take(t0));
  EXPECT_DOUBLE_EQ(bucket.time_to_token(t0).count(), 2.0);
  EXPECT_DOUBLE_EQ(bucket.time_to_token(t0 + seconds(1)).count(), 1.0);
  EXPECT_FALSE(bucket.full(t0 + seconds(1)));
  EXPECT_TRUE(bucket.full(t0 + seconds(2)));
  EXPECT_TRUE(bucket.try_take(t0 + seconds(2)));
}

TEST(RateLimiter, AdmitsTheBurstThenRefusesWithRetryAfter) {
  RateLimiter limiter(3, 100);  // 3 a minute: one every 20 s
  for (int i = 0; i < 3; ++i) EXPECT_EQ(limiter.take("a", t0), std::nullopt) << i;
  EXPECT_EQ(limiter.take("a", t0), seconds(20));
  EXPECT_EQ(limiter.take("a", t0 + seconds(5)), seconds(15));
  EXPECT_EQ(limiter.take("a", t0 + seconds(20)), std::nullopt);
}

TEST(RateLimiter, CountsEachKeyOnItsOwn) {
  RateLimiter limiter(1, 100);
  EXPECT_EQ(limiter.take("a", t0), std::nullopt);
  EXPECT_NE(limiter.take("a", t0), std::nullopt);
  EXPECT_EQ(limiter.take("b", t0), std::nullopt);
}

TEST(RateLimiter, ZeroMeansNoLimitAndNoTable) {
  RateLimiter limiter(0, 100);
  EXPECT_FALSE(limiter.enabled());
  for (int i = 0; i < 1000; ++i) EXPECT_EQ(limiter.take("a", t0), std::nullopt);
  EXPECT_EQ(limiter.size(), 0u);
}

TEST(RateLimiter, ForgetsKeysWhoseBucketsRefilled) {
  RateLimiter limiter(60, 1000);  // refills in a minute
  for (int i = 0; i < 100; ++i) limiter.take("key" + std::to_string(i), t0);
  EXPECT_EQ(limiter.size(), 100u);
  // A minute on, every bucket is full again: each new call drops two of them.
  for (int i = 0; i < 50; ++i) limiter.take("late" + std::to_string(i % 2), t0 + seconds(61));
  EXPECT_EQ(limiter.size(), 2u);
  EXPECT_EQ(limiter.evicted_early(), 0u);
}

TEST(RateLimiter, HoldsAtMostKeysMaxAndForgetsTheLeastRecentFirst) {
  RateLimiter limiter(1, 3);
  EXPECT_EQ(limiter.take("a", t0), std::nullopt);
  EXPECT_EQ(limiter.take("b", t0), std::nullopt);
  EXPECT_EQ(limiter.take("c", t0), std::nullopt);
  EXPECT_NE(limiter.take("a", t0), std::nullopt);  // a is now the most recent
  EXPECT_EQ(limiter.take("d", t0), std::nullopt);  // b goes
  EXPECT_EQ(limiter.size(), 3u);
  EXPECT_EQ(limiter.evicted_early(), 1u);
  EXPECT_NE(limiter.take("a", t0), std::nullopt);  // a was kept, still spent
  EXPECT_NE(limiter.take("c", t0), std::nullopt);
  EXPECT_EQ(limiter.take("b", t0), std::nullopt);  // b was forgotten: a fresh bucket
}

}  // namespace
}  // namespace chat
