// Retrying a call as a coroutine: attempt, and while the answer says "again"
// (a 503 while a fleet scales, a room whose server is starting), wait a
// growing delay and attempt again, until a deadline or a stop.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <algorithm>
#include <chrono>
#include <functional>

namespace loadgen {

// first, first * factor, ... capped at max.
struct Backoff {
  std::chrono::milliseconds first{250};
  std::chrono::milliseconds max{2000};
  double factor = 2.0;

  std::chrono::milliseconds delay(int retries_before) const;
};

struct RetryLimits {
  Backoff backoff;
  // No attempt starts after it: the last answer is returned instead.
  std::chrono::steady_clock::time_point deadline;
  std::function<bool()> stopping = [] { return false; };
};

// `asked`: the wait an answer asks for (a 503's or 429's Retry-After), if
// longer than the backoff's.
template <typename T>
boost::asio::awaitable<T> with_retries(
    std::function<boost::asio::awaitable<T>()> attempt, std::function<bool(const T&)> again,
    RetryLimits limits, std::function<std::chrono::milliseconds(const T&)> asked = {}) {
  boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor);
  for (int retries = 0;; ++retries) {
    T result = co_await attempt();
    if (!again(result) || limits.stopping()) co_return result;
    auto delay = limits.backoff.delay(retries);
    if (asked) delay = std::max(delay, asked(result));
    if (std::chrono::steady_clock::now() + delay > limits.deadline) co_return result;
    timer.expires_after(delay);
    boost::system::error_code ignored;  // only cancellation, and then we attempt once more
    co_await timer.async_wait(boost::asio::redirect_error(boost::asio::use_awaitable, ignored));
  }
}

}  // namespace loadgen
