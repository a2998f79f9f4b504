#include "loadgen/retry.h"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

namespace loadgen {
namespace {

namespace net = boost::asio;
using std::chrono::milliseconds;

TEST(Backoff, GrowsToItsCap) {
  Backoff backoff{milliseconds(250), milliseconds(1000), 2.0};
  EXPECT_EQ(backoff.delay(0), milliseconds(250));
  EXPECT_EQ(backoff.delay(1), milliseconds(500));
  EXPECT_EQ(backoff.delay(2), milliseconds(1000));
  EXPECT_EQ(backoff.delay(3), milliseconds(1000));
  EXPECT_EQ(backoff.delay(1000), milliseconds(1000));
  Backoff fixed{milliseconds(100), milliseconds(100), 2.0};
  EXPECT_EQ(fixed.delay(5), milliseconds(100));
}

// Runs with_retries on an io_context until it returns; `answers` are the
// successive attempts' results, the last one repeated.
struct Run {
  int result = -1;
  int attempts = 0;
};

Run run(std::vector<int> answers, RetryLimits limits) {
  net::io_context io;
  Run out;
  net::co_spawn(
      io,
      [&]() -> net::awaitable<void> {
        out.result = co_await with_retries<int>(
            [&]() -> net::awaitable<int> {
              auto index = std::min<std::size_t>(out.attempts, answers.size() - 1);
              ++out.attempts;
              co_return answers[index];
            },
            [](const int& answer) { return answer == 503; }, limits);
      },
      net::detached);
  io.run();
  return out;
}

RetryLimits quick() {
  RetryLimits limits;
  limits.backoff = {milliseconds(1), milliseconds(2), 2.0};
  limits.deadline = std::chrono::steady_clock::time_point::max();
  return limits;
}

TEST(WithRetries, AttemptsUntilTheAnswerIsFinal) {
  auto done = run({503, 503, 200}, quick());
  EXPECT_EQ(done.result, 200);
  EXPECT_EQ(done.attempts, 3);
}

TEST(WithRetries, AFinalFirstAnswerIsNotRetried) {
  auto done = run({404}, quick());
  EXPECT_EQ(done.result, 404);
  EXPECT_EQ(done.attempts, 1);
}

TEST(WithRetries, NoAttemptStartsAfterTheDeadline) {
  auto limits = quick();
  limits.deadline = std::chrono::steady_clock::now();  // already past when the first answer is in
  auto done = run({503, 200}, limits);
  EXPECT_EQ(done.result, 503);
  EXPECT_EQ(done.attempts, 1);
}

// The wait an answer asks for (Retry-After) counts when it is longer than
// the backoff: here it would end after the deadline, so no attempt follows.
TEST(WithRetries, WaitsAsLongAsTheAnswerAsks) {
  net::io_context io;
  int attempts = 0, result = 0;
  auto limits = quick();
  limits.deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  net::co_spawn(
      io,
      [&]() -> net::awaitable<void> {
        result = co_await with_retries<int>(
            [&]() -> net::awaitable<int> {
              ++attempts;
              co_return 429;
            },
            [](const int& answer) { return answer == 429; }, limits,
            [](const int&) { return std::chrono::milliseconds(60000); });
      },
      net::detached);
  io.run();
  EXPECT_EQ(result, 429);
  EXPECT_EQ(attempts, 1);
}

TEST(WithRetries, StopsWhenAskedTo) {
  auto limits = quick();
  int asked = 0;
  limits.stopping = [&] { return ++asked >= 2; };
  auto done = run({503}, limits);
  EXPECT_EQ(done.result, 503);
  EXPECT_EQ(done.attempts, 2);
}

}  // namespace
}  // namespace loadgen
