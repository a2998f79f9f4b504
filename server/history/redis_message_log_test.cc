#include "server/history/redis_message_log.h"

#include <gtest/gtest.h>
#include <prometheus/registry.h>

#include <algorithm>
#include <atomic>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <future>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <sstream>
#include <thread>
#include <vector>

#include "server/redis/testing/redis_server.h"

namespace chat::history {
namespace {

using namespace std::chrono_literals;
using redis::testing::RedisServer;

// Far beyond what anything here takes on a loaded machine: tests wait for
// conditions up to this, never for fixed times.
constexpr auto generous = 30s;

bool wait_for(const std::function<bool()>& condition, std::chrono::milliseconds limit = generous) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (!condition()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(5ms);
  }
  return true;
}

LoggedMessage message(std::string user, std::string client_id, std::string text) {
  return LoggedMessage{std::move(user), std::move(client_id), std::move(text),
                       "2024-05-01T12:00:00.000Z"};
}

// Results as they arrive, by a test's own name for each request.
class Completions {
 public:
  std::function<void(AppendResult)> append(std::string name) {
    return [this, name](AppendResult result) {
      std::lock_guard lock(mutex_);
      appends_[name].push_back(result);
      order_.push_back(name);
      changed_.notify_all();
    };
  }
  std::function<void(LoadResult)> load(std::string name) {
    return [this, name](LoadResult result) {
      std::lock_guard lock(mutex_);
      loads_[name].push_back(std::move(result));
      order_.push_back(name);
      changed_.notify_all();
    };
  }
  // Waits until `count` completions arrived in all.
  bool wait(std::size_t count) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, generous, [&] { return order_.size() >= count; });
  }
  std::vector<AppendResult> appends(const std::string& name) {
    std::lock_guard lock(mutex_);
    return appends_[name];
  }
  std::vector<LoadResult> loads(const std::string& name) {
    std::lock_guard lock(mutex_);
    return loads_[name];
  }
  std::vector<std::string> order() {
    std::lock_guard lock(mutex_);
    return order_;
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  std::map<std::string, std::vector<AppendResult>> appends_;
  std::map<std::string, std::vector<LoadResult>> loads_;
  std::vector<std::string> order_;
};

class RedisMessageLogTest : public ::testing::Test {
 protected:
  RedisMessageLogTest() {
    // Two io threads: completions and the callers' threads really differ.
    for (int i = 0; i < 2; ++i) threads_.emplace_back([this] { io_.run(); });
  }

  ~RedisMessageLogTest() override {
    log_.reset();
    work_.reset();
    for (auto& thread : threads_) thread.join();
  }

  RedisMessageLogOptions options() {
    RedisMessageLogOptions options;
    options.url = redis_.url();
    return options;
  }

  RedisMessageLog& start(RedisMessageLogOptions options) {
    log_ = std::make_unique<RedisMessageLog>(io_.get_executor(), std::move(options), registry_);
    return *log_;
  }

  RedisMessageLog& start_up(RedisMessageLogOptions options) {
    auto& log = start(std::move(options));
    EXPECT_TRUE(wait_for([&] { return log.up(); })) << "never connected to " << redis_.port();
    return log;
  }

  AppendResult append_and_wait(RedisMessageLog& log, const std::string& room, LoggedMessage m) {
    std::promise<AppendResult> result;
    auto future = result.get_future();
    log.append(room, std::move(m), [&result](AppendResult r) { result.set_value(r); });
    EXPECT_EQ(future.wait_for(generous), std::future_status::ready);
    return future.get();
  }

  LoadResult load_and_wait(RedisMessageLog& log, const std::string& room, std::size_t count) {
    std::promise<LoadResult> result;
    auto future = result.get_future();
    log.load(room, count, [&result](LoadResult r) { result.set_value(std::move(r)); });
    EXPECT_EQ(future.wait_for(generous), std::future_status::ready);
    return future.get();
  }

  // A series' value as the registry has it now.
  double metric(const std::string& name, const std::string& result = "") {
    for (const auto& family : registry_.Collect()) {
      if (family.name != name) continue;
      for (const auto& sample : family.metric) {
        bool matches = result.empty();
        for (const auto& label : sample.label) {
          matches = matches || (label.name == "result" && label.value == result);
        }
        if (!matches) continue;
        if (family.type == prometheus::MetricType::Counter) return sample.counter.value;
        if (family.type == prometheus::MetricType::Gauge) return sample.gauge.value;
        if (family.type == prometheus::MetricType::Histogram) {
          return static_cast<double>(sample.histogram.sample_count);
        }
      }
    }
    ADD_FAILURE() << "no series " << name << " " << result;
    return -1;
  }

  // The ids of Redis's clients other than the one asking.
  std::set<std::string> log_connections() {
    std::set<std::string> ids;
    std::istringstream lines(redis_.command({"CLIENT", "LIST"}));
    for (std::string line; std::getline(lines, line);) {
      if (line.find("cmd=client|list") != std::string::npos) continue;
      auto id = line.substr(0, line.find(' '));
      if (id.starts_with("id=")) ids.insert(id);
    }
    return ids;
  }

  RedisServer redis_;
  boost::asio::io_context io_;
  std::optional<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> work_{
      io_.get_executor()};
  std::vector<std::thread> threads_;
  prometheus::Registry registry_;
  std::unique_ptr<RedisMessageLog> log_;
};

TEST_F(RedisMessageLogTest, StoresAndLoadsOldestFirst) {
  auto& log = start_up(options());
  const std::string unicode =
      "h\xC3\xA9llo \xF0\x9F\x91\x8B \xE4\xB8\x96\xE7\x95\x8C";  // héllo 👋 世界
  EXPECT_EQ(append_and_wait(log, "room-1", message("alice", "", unicode)), AppendResult::stored);
  EXPECT_EQ(append_and_wait(log, "room-1", message("bob", "k3f9x-17", "second")),
            AppendResult::stored);

  auto loaded = load_and_wait(log, "room-1", 10);
  ASSERT_TRUE(loaded.ok);
  ASSERT_EQ(loaded.messages.size(), 2u);
  EXPECT_EQ(loaded.messages[0].user_id, "alice");
  EXPECT_EQ(loaded.messages[0].client_id, "");
  EXPECT_EQ(loaded.messages[0].text, unicode);
  EXPECT_EQ(loaded.messages[0].ts, "2024-05-01T12:00:00.000Z");
  EXPECT_EQ(loaded.messages[1].user_id, "bob");
  EXPECT_EQ(loaded.messages[1].client_id, "k3f9x-17");
  EXPECT_EQ(loaded.messages[1].text, "second");

  auto newest = load_and_wait(log, "room-1", 1);
  ASSERT_TRUE(newest.ok);
  ASSERT_EQ(newest.messages.size(), 1u);
  EXPECT_EQ(newest.messages[0].text, "second") << "a count keeps the most recent";

  auto none = load_and_wait(log, "room-never-used", 10);
  EXPECT_TRUE(none.ok);
  EXPECT_TRUE(none.messages.empty());
  EXPECT_TRUE(load_and_wait(log, "room-1", 0).ok);

  EXPECT_EQ(redis_.command({"XLEN", "chat:room:room-1:log"}), "2") << "the key PROTOCOL.md names";
  EXPECT_EQ(metric("chat_history_appends_total", "stored"), 2);
  EXPECT_EQ(metric("chat_history_loads_total", "ok"), 4);
  EXPECT_EQ(metric("chat_history_append_seconds"), 2);
  EXPECT_EQ(metric("chat_history_store_up"), 1);
}

TEST_F(RedisMessageLogTest, ThousandAppendsCompleteAndLoadInCallOrderPerRoom) {
  auto& log = start_up(options());
  constexpr int threads = 4, rooms_per_thread = 2, per_room = 125;  // 1000 in all
  std::mutex mutex;
  std::map<std::string, std::vector<int>> completed;  // room -> sequence numbers as completed
  std::atomic<int> stored{0}, done{0};
  std::vector<std::thread> callers;
  for (int t = 0; t < threads; ++t) {
    callers.emplace_back([&, t] {
      for (int i = 0; i < per_room; ++i) {
        for (int r = 0; r < rooms_per_thread; ++r) {
          auto room = "room-" + std::to_string(t) + "-" + std::to_string(r);
          // As a room calls it: with its lock held.
          std::lock_guard lock(mutex);
          log.append(room,
                     message("u" + std::to_string(t), "id-" + std::to_string(i), std::to_string(i)),
                     [&, room, i](AppendResult result) {
                       std::lock_guard lock(mutex);
                       completed[room].push_back(i);
                       if (result == AppendResult::stored) ++stored;
                       ++done;
                     });
        }
      }
    });
  }
  for (auto& caller : callers) caller.join();
  ASSERT_TRUE(wait_for([&] { return done == threads * rooms_per_thread * per_room; }));
  EXPECT_EQ(stored, 1000);
  for (int t = 0; t < threads; ++t) {
    for (int r = 0; r < rooms_per_thread; ++r) {
      auto room = "room-" + std::to_string(t) + "-" + std::to_string(r);
      std::vector<int> expected(per_room);
      for (int i = 0; i < per_room; ++i) expected[i] = i;
      {
        std::lock_guard lock(mutex);
        EXPECT_EQ(completed[room], expected) << room << " completed out of order";
      }
      auto loaded = load_and_wait(log, room, 1000);
      ASSERT_TRUE(loaded.ok);
      std::vector<int> texts;
      for (const auto& m : loaded.messages) texts.push_back(std::stoi(m.text));
      EXPECT_EQ(texts, expected) << room << " stored out of order";
    }
  }
}

TEST_F(RedisMessageLogTest, KeepsAboutMaxEntriesARoom) {
  auto options = this->options();
  options.max_entries = 100;
  auto& log = start_up(options);
  Completions completions;
  for (int i = 0; i < 1000; ++i) {
    log.append("busy", message("u", "", std::to_string(i)), completions.append("a"));
  }
  ASSERT_TRUE(completions.wait(1000));
  for (auto result : completions.appends("a")) ASSERT_EQ(result, AppendResult::stored);
  // MAXLEN ~ trims whole stream nodes (100 entries each by default): at
  // least 100 are kept, and far fewer than 1000.
  auto length = std::stoi(redis_.command({"XLEN", "chat:room:busy:log"}));
  EXPECT_GE(length, 100);
  EXPECT_LE(length, 300);
  auto loaded = load_and_wait(log, "busy", 1000);
  ASSERT_TRUE(loaded.ok);
  ASSERT_EQ(loaded.messages.size(), static_cast<std::size_t>(length));
  EXPECT_EQ(loaded.messages.back().text, "999");
}

TEST_F(RedisMessageLogTest, KeyExpiresRetentionAfterTheLastMessage) {
  auto options = this->options();
  options.retention = std::chrono::hours(1);
  auto& log = start_up(options);
  ASSERT_EQ(append_and_wait(log, "r", message("u", "", "x")), AppendResult::stored);
  // The EXPIRE follows the XADD on the log's connection; this test asks on
  // another, which may come first.
  ASSERT_TRUE(wait_for([&] { return redis_.command({"TTL", "chat:room:r:log"}) != "-1"; }));
  auto ttl = std::stoi(redis_.command({"TTL", "chat:room:r:log"}));
  EXPECT_GT(ttl, 3600 - 60);
  EXPECT_LE(ttl, 3600);
}

TEST_F(RedisMessageLogTest, RedisKilledFailsThenRestartedStoresAgain) {
  ::testing::internal::CaptureStdout();
  auto& log = start_up(options());
  ASSERT_EQ(append_and_wait(log, "r", message("u", "", "before")), AppendResult::stored);

  redis_.kill();
  // Noticed without any traffic: the socket is always read.
  ASSERT_TRUE(wait_for([&] { return !log.up(); }));
  EXPECT_EQ(append_and_wait(log, "r", message("u", "", "while down")), AppendResult::failed);
  EXPECT_EQ(metric("chat_history_store_up"), 0);
  EXPECT_GE(metric("chat_history_appends_total", "failed"), 1);
  EXPECT_FALSE(load_and_wait(log, "r", 10).ok);
  EXPECT_GE(metric("chat_history_loads_total", "failed"), 1);

  redis_.restart();
  ASSERT_TRUE(wait_for([&] { return log.up(); })) << "no reconnect after the restart";
  EXPECT_EQ(metric("chat_history_store_up"), 1);
  EXPECT_EQ(append_and_wait(log, "r", message("u", "", "after")), AppendResult::stored);
  auto loaded = load_and_wait(log, "r", 10);
  ASSERT_TRUE(loaded.ok);
  ASSERT_EQ(loaded.messages.size(), 1u) << "a restarted Redis (no persistence) starts empty";
  EXPECT_EQ(loaded.messages[0].text, "after");

  log_.reset();
  auto said = ::testing::internal::GetCapturedStdout();
  auto url = redis_.url().to_string();
  EXPECT_NE(said.find("history store " + url + " up\n"), std::string::npos) << said;
  EXPECT_NE(said.find("history store " + url + " down ("), std::string::npos) << said;
  EXPECT_NE(said.find("); chat goes on from memory\n"), std::string::npos) << said;
  EXPECT_NE(said.find("history store " + url + " up again\n"), std::string::npos) << said;
  // Once a change, not once a retry or a failed append.
  auto count = [&](const std::string& what) {
    std::size_t n = 0;
    for (auto at = said.find(what); at != std::string::npos; at = said.find(what, at + 1)) ++n;
    return n;
  };
  EXPECT_EQ(count(" down ("), 1u) << said;
  EXPECT_EQ(count(" up again"), 1u) << said;
}

// A frozen Redis reads nothing, so the socket's buffers fill and hiredis
// waits to write; killed then, its socket is reset under a pending write.
TEST_F(RedisMessageLogTest, SurvivesRedisDyingWithWritesWaiting) {
  auto& log = start_up(options());
  ASSERT_EQ(append_and_wait(log, "r", message("u", "", "x")), AppendResult::stored);
  redis_.freeze();
  std::atomic<int> completed{0};
  const LoggedMessage big = message("u", "", std::string(64 * 1024, 'x'));
  constexpr int made = 600;  // about 40 MB: more than loopback's socket buffers hold
  for (int i = 0; i < made; ++i) log.append("r", big, [&](AppendResult) { ++completed; });
  // They time out (500 ms) while Redis is frozen: by then all were written
  // as far as the buffers let them be.
  ASSERT_TRUE(wait_for([&] { return completed == made; }));
  redis_.kill();
  ASSERT_TRUE(wait_for([&] { return !log.up(); }));
  EXPECT_EQ(append_and_wait(log, "r", message("u", "", "after")), AppendResult::failed);
}

TEST_F(RedisMessageLogTest, StartsWhileRedisIsDownAndConnectsWhenItComes) {
  redis_.kill();
  auto& log = start(options());
  EXPECT_EQ(append_and_wait(log, "r", message("u", "", "x")), AppendResult::failed);
  EXPECT_FALSE(log.up());
  redis_.restart();
  ASSERT_TRUE(wait_for([&] { return log.up(); }));
  EXPECT_EQ(append_and_wait(log, "r", message("u", "", "y")), AppendResult::stored);
}

TEST_F(RedisMessageLogTest, ConnectsByNameTryingEachAddress) {
  // localhost may name ::1 before 127.0.0.1, where this Redis listens.
  auto options = this->options();
  options.url = *redis::RedisUrl::parse("redis://localhost:" + std::to_string(redis_.port()));
  auto& log = start_up(options);
  EXPECT_EQ(append_and_wait(log, "r", message("u", "", "x")), AppendResult::stored);
}

TEST_F(RedisMessageLogTest, UsesTheDatabaseTheUrlNames) {
  auto options = this->options();
  options.url.database = 3;
  auto& log = start_up(options);
  EXPECT_EQ(append_and_wait(log, "r", message("u", "", "x")), AppendResult::stored);
  EXPECT_NE(redis_.command({"INFO", "keyspace"}).find("db3:keys=1,"), std::string::npos);
  EXPECT_EQ(redis_.command({"EXISTS", "chat:room:r:log"}), "0") << "not in database 0";
}

TEST_F(RedisMessageLogTest, SlowRedisTimesOutOnceAndTheLateReplyIsIgnored) {
  auto options = this->options();
  options.timeout = 200ms;
  auto& log = start_up(options);
  Completions completions;
  // Writes from every client wait 2 s; reads do not.
  ASSERT_EQ(redis_.command({"CLIENT", "PAUSE", "2000", "WRITE"}), "OK");
  auto started = std::chrono::steady_clock::now();
  log.append("r", message("u", "", "slow"), completions.append("slow"));
  log.append("r", message("u", "", "slow too"), completions.append("slow too"));
  ASSERT_TRUE(completions.wait(2));
  auto waited = std::chrono::steady_clock::now() - started;
  EXPECT_EQ(completions.appends("slow"), std::vector{AppendResult::timed_out});
  EXPECT_EQ(completions.appends("slow too"), std::vector{AppendResult::timed_out});
  EXPECT_EQ(completions.order(), (std::vector<std::string>{"slow", "slow too"}));
  EXPECT_GE(waited, options.timeout);

  // Redis stores them once the pause ends (XLEN is a read: not paused), and
  // answers: those late answers come before the reply to this later append,
  // on the same connection.
  ASSERT_TRUE(wait_for([&] { return redis_.command({"XLEN", "chat:room:r:log"}) == "2"; }));
  EXPECT_EQ(append_and_wait(log, "r", message("u", "", "after")), AppendResult::stored);
  EXPECT_EQ(redis_.command({"XLEN", "chat:room:r:log"}), "3");
  EXPECT_EQ(completions.appends("slow").size(), 1u) << "done called again by the late reply";
  EXPECT_EQ(completions.appends("slow too").size(), 1u);
  EXPECT_EQ(metric("chat_history_appends_total", "timed_out"), 2);
  EXPECT_EQ(metric("chat_history_appends_total", "stored"), 1);
  EXPECT_EQ(metric("chat_history_store_up"), 1) << "slow is not down";
}

TEST_F(RedisMessageLogTest, ATimedOutAppendNeverCompletesAfterALaterOne) {
  auto options = this->options();
  options.timeout = 300ms;
  auto& log = start_up(options);
  Completions completions;
  ASSERT_EQ(redis_.command({"CLIENT", "PAUSE", "1000", "WRITE"}), "OK");
  // A load is a read: Redis would answer it at once, but it waits behind
  // the paused append on the pipeline, and completes after it in any case.
  log.append("r", message("u", "", "paused"), completions.append("append"));
  log.load("r", 10, completions.load("load"));
  ASSERT_TRUE(completions.wait(2));
  EXPECT_EQ(completions.order(), (std::vector<std::string>{"append", "load"}));
  EXPECT_EQ(completions.appends("append"), std::vector{AppendResult::timed_out});
}

TEST_F(RedisMessageLogTest, FailsAtOnceBeyondTheUnansweredBound) {
  auto options = this->options();
  options.timeout = 300ms;
  options.unanswered_max = 10;  // five appends: XADD and EXPIRE each
  auto& log = start_up(options);
  Completions completions;
  ASSERT_EQ(redis_.command({"CLIENT", "PAUSE", "5000", "WRITE"}), "OK");
  for (int i = 0; i < 20; ++i) log.append("r", message("u", "", "x"), completions.append("a"));
  ASSERT_TRUE(completions.wait(20));
  auto results = completions.appends("a");
  EXPECT_EQ(std::count(results.begin(), results.end(), AppendResult::timed_out), 5);
  EXPECT_EQ(std::count(results.begin(), results.end(), AppendResult::failed), 15);
}

TEST_F(RedisMessageLogTest, AConnectionSilentTooLongIsMadeAgain) {
  ::testing::internal::CaptureStdout();
  auto options = this->options();
  options.timeout = 100ms;
  options.silence_max = 500ms;
  auto& log = start_up(options);
  auto first = log_connections();
  ASSERT_EQ(first.size(), 1u);
  Completions completions;
  ASSERT_EQ(redis_.command({"CLIENT", "PAUSE", "5000", "WRITE"}), "OK");
  log.append("r", message("u", "", "x"), completions.append("a"));
  ASSERT_TRUE(completions.wait(1));
  EXPECT_EQ(completions.appends("a"), std::vector{AppendResult::timed_out});
  // Redis sees the log's connection replaced by a new one.
  ASSERT_TRUE(wait_for([&] {
    auto now = log_connections();
    return now.size() == 1 && now != first;
  }));
  ASSERT_TRUE(wait_for([&] { return log.up(); }));
  log_.reset();
  auto said = ::testing::internal::GetCapturedStdout();
  EXPECT_NE(said.find("down (no answer for 500 ms)"), std::string::npos) << said;
  EXPECT_NE(said.find("up again"), std::string::npos) << said;
}

// A frozen Redis still completes TCP connections (the kernel does): up is
// when it answers PING, so the store stays down until it does.
TEST_F(RedisMessageLogTest, AFrozenRedisIsDownUntilItAnswers) {
  auto options = this->options();
  options.timeout = 100ms;
  options.silence_max = 300ms;
  auto& log = start_up(options);
  redis_.freeze();
  EXPECT_EQ(append_and_wait(log, "r", message("u", "", "x")), AppendResult::timed_out);
  ASSERT_TRUE(wait_for([&] { return !log.up(); })) << "the silent connection was not dropped";
  EXPECT_EQ(metric("chat_history_store_up"), 0);
  redis_.thaw();
  ASSERT_TRUE(wait_for([&] { return log.up(); }));
  EXPECT_EQ(append_and_wait(log, "r", message("u", "", "y")), AppendResult::stored);
}

TEST_F(RedisMessageLogTest, DestroyedWithRequestsInFlightCompletesEachOnce) {
  auto options = this->options();
  options.timeout = 20s;  // nothing times out here: every request fails with the log
  auto& log = start_up(options);
  Completions completions;
  // Some wait in Redis (paused), some in hiredis, some not yet on the strand.
  ASSERT_EQ(redis_.command({"CLIENT", "PAUSE", "20000", "WRITE"}), "OK");
  for (int i = 0; i < 50; ++i) log.append("r", message("u", "", "x"), completions.append("a"));
  for (int i = 0; i < 200; ++i) {
    log.append("r" + std::to_string(i % 3), message("u", "", "y"), completions.append("b"));
    if (i % 20 == 0) log.load("r", 5, completions.load("load"));
  }
  log_.reset();
  ASSERT_TRUE(completions.wait(260));
  for (auto result : completions.appends("a")) EXPECT_EQ(result, AppendResult::failed);
  for (auto result : completions.appends("b")) EXPECT_EQ(result, AppendResult::failed);
  for (const auto& result : completions.loads("load")) EXPECT_FALSE(result.ok);
  EXPECT_EQ(completions.appends("a").size(), 50u);
  EXPECT_EQ(completions.appends("b").size(), 200u);
  EXPECT_EQ(completions.loads("load").size(), 10u);
  EXPECT_EQ(metric("chat_history_store_up"), 0);
}

TEST_F(RedisMessageLogTest, DestroyedRightAfterStartCompletesEachOnce) {
  Completions completions;
  auto& log = start(options());
  for (int i = 0; i < 100; ++i) log.append("r", message("u", "", "x"), completions.append("a"));
  log_.reset();
  ASSERT_TRUE(completions.wait(100));
  EXPECT_EQ(completions.appends("a").size(), 100u);
  for (auto result : completions.appends("a")) EXPECT_NE(result, AppendResult::timed_out);
}

TEST(RedisMessageLogAuth, GivesThePasswordAndSaysWhenItIsRefused) {
  RedisServer redis("s3cret");
  boost::asio::io_context io;
  auto work = boost::asio::make_work_guard(io);
  std::thread runner([&io] { io.run(); });
  prometheus::Registry registry;
  auto append = [](RedisMessageLog& log) {
    std::promise<AppendResult> result;
    log.append("r", message("u", "", "x"), [&result](AppendResult r) { result.set_value(r); });
    auto future = result.get_future();
    EXPECT_EQ(future.wait_for(generous), std::future_status::ready);
    return future.get();
  };
  {
    RedisMessageLogOptions options;
    options.url = *redis::RedisUrl::parse("redis://:s3cret@127.0.0.1:" + std::to_string(redis.port()));
    RedisMessageLog log(io.get_executor(), options, registry);
    ASSERT_TRUE(wait_for([&] { return log.up(); }));
    EXPECT_EQ(append(log), AppendResult::stored);
  }
  ::testing::internal::CaptureStdout();
  {
    prometheus::Registry other;
    RedisMessageLogOptions options;
    options.url = *redis::RedisUrl::parse("redis://:wrong@127.0.0.1:" + std::to_string(redis.port()));
    RedisMessageLog log(io.get_executor(), options, other);
    EXPECT_EQ(append(log), AppendResult::failed);
    // Refused (AUTH, then PING), closed, connected again and refused again:
    // by then the first refusal was read and said.
    auto error_replies = [&] {
      auto info = redis.command({"INFO", "stats"});
      auto at = info.find("total_error_replies:");
      return at == std::string::npos ? 0 : std::stoi(info.substr(at + 20));
    };
    ASSERT_TRUE(wait_for([&] { return error_replies() >= 3; }));
    EXPECT_FALSE(log.up()) << "up means Redis answers";
  }
  auto said = ::testing::internal::GetCapturedStdout();
  EXPECT_NE(said.find("refused the password (AUTH)"), std::string::npos) << said;
  EXPECT_NE(said.find("down (Redis answered PING with NOAUTH"), std::string::npos) << said;
  EXPECT_EQ(said.find("wrong"), std::string::npos) << "never the password: " << said;
  work.reset();
  runner.join();
}

}  // namespace
}  // namespace chat::history
