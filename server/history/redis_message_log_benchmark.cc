// Appends a second through one RedisMessageLog against a local redis-server
// the benchmark starts: batches of appends in flight at once (pipelined on
// the one connection), each batch waited for, as rooms under load would.
//   bazel run //server/history:redis_message_log_benchmark
#include <benchmark/benchmark.h>
#include <prometheus/registry.h>

#include <atomic>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>

#include "server/history/redis_message_log.h"
#include "server/redis/testing/redis_server.h"

namespace chat::history {
namespace {

void BM_PipelinedAppends(benchmark::State& state) {
  const auto batch = static_cast<int>(state.range(0));
  const auto text_bytes = static_cast<std::size_t>(state.range(1));
  redis::testing::RedisServer redis;
  boost::asio::io_context io;
  auto work = boost::asio::make_work_guard(io);
  std::thread runner([&io] { io.run(); });
  prometheus::Registry registry;
  {
    RedisMessageLogOptions options;
    options.url = redis.url();
    options.timeout = std::chrono::seconds(10);  // measure throughput, not timeouts
    RedisMessageLog log(io.get_executor(), options, registry);
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (!log.up()) {
      if (std::chrono::steady_clock::now() > deadline) {
        state.SkipWithError("no connection to redis-server");
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }

    LoggedMessage message{"user-1", "k3f9x-1", std::string(text_bytes, 'x'),
                          "2024-05-01T12:00:00.000Z"};
    std::mutex mutex;
    std::condition_variable all_done;
    int outstanding = 0;
    std::atomic<int> not_stored{0};
    int round = 0;
    for (auto _ : state) {
      {
        std::lock_guard lock(mutex);
        outstanding = batch;
      }
      for (int i = 0; i < batch; ++i) {
        // Ten rooms, as one server holds.
        log.append("bench-" + std::to_string((round + i) % 10), message, [&](AppendResult result) {
          if (result != AppendResult::stored) ++not_stored;
          std::lock_guard lock(mutex);
          if (--outstanding == 0) all_done.notify_one();
        });
      }
      std::unique_lock lock(mutex);
      all_done.wait(lock, [&] { return outstanding == 0; });
      ++round;
    }
    state.SetItemsProcessed(state.iterations() * batch);
    if (not_stored > 0) state.SkipWithError("some appends were not stored");
  }
  work.reset();
  runner.join();
}
BENCHMARK(BM_PipelinedAppends)
    ->Args({1, 100})
    ->Args({100, 100})
    ->Args({1000, 100})
    ->Args({1000, 2000})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

}  // namespace
}  // namespace chat::history
