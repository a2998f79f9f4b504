// The room directory, the fleet's members and the lease against a real
// redis-server on a loopback port: compare-and-set moves, fenced writes
// refused for a stale holder, a lease taken over once its holder is gone.
#include <gtest/gtest.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <future>
#include <thread>

#include "server/control/directory.h"
#include "server/control/fleet_members.h"
#include "server/control/lease.h"
#include "server/redis/testing/redis_server.h"

namespace chat::control {
namespace {

using namespace std::chrono_literals;

template <typename T>
T wait_for(std::future<T>& future) {
  // Generous: a condition, not a timing.
  EXPECT_EQ(future.wait_for(30s), std::future_status::ready);
  return future.get();
}

class ControlTest : public ::testing::Test {
 protected:
  void SetUp() override {
    thread_ = std::thread([this] { io_.run(); });
    ControlRedisOptions options;
    options.url = redis_server_.url();
    options.key_prefix = "test:";
    redis_ = ControlRedis::create(io_.get_executor(), options);
    redis_->start();
    for (int i = 0; i < 300 && !redis_->up(); ++i) std::this_thread::sleep_for(20ms);
    ASSERT_TRUE(redis_->up());
  }
  void TearDown() override {
    redis_->stop();
    work_.reset();
    io_.stop();
    thread_.join();
  }

  DirectoryRead find(RoomDirectory& directory, const std::string& room) {
    std::promise<DirectoryRead> promise;
    auto future = promise.get_future();
    directory.find(room, [&promise](DirectoryRead read) { promise.set_value(std::move(read)); });
    return wait_for(future);
  }

  redis::testing::RedisServer redis_server_;
  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_{
      io_.get_executor()};
  std::thread thread_;
  std::shared_ptr<ControlRedis> redis_;
};

TEST_F(ControlTest, DirectoryPlacesMovesByCompareAndSetAndFrees) {
  RoomDirectory directory(redis_);
  EXPECT_TRUE(std::holds_alternative<NoEntry>(find(directory, "r1")));
  std::promise<bool> placed;
  auto placed_future = placed.get_future();
  directory.place("r1", {"s1", "127.0.0.1:8000"}, 0ms, [&](bool ok) { placed.set_value(ok); });
  EXPECT_TRUE(wait_for(placed_future));
  EXPECT_EQ(std::get<RoomEntry>(find(directory, "r1")), (RoomEntry{"s1", "127.0.0.1:8000"}));
  EXPECT_EQ(redis_server_.command({"GET", "test:room:r1:server"}), "s1 127.0.0.1:8000");

  // Two replicas move r1 off s1 at once: the first wins, the second learns where it went.
  std::promise<MoveResult> first, second;
  auto first_future = first.get_future(), second_future = second.get_future();
  directory.move("r1", "s1", {"s2", "h2:1"}, 0ms, [&](MoveResult r) { first.set_value(r); });
  directory.move("r1", "s1", {"s3", "h3:1"}, 60000ms, [&](MoveResult r) { second.set_value(r); });
  EXPECT_TRUE(wait_for(first_future).moved);
  auto refused = wait_for(second_future);
  EXPECT_FALSE(refused.moved);
  ASSERT_TRUE(refused.current.has_value());
  EXPECT_EQ(*refused.current, (RoomEntry{"s2", "h2:1"}));

  directory.free("r1", "s1");  // not where it is: kept
  EXPECT_TRUE(std::holds_alternative<RoomEntry>(find(directory, "r1")));
  directory.free("r1", "s2");
  EXPECT_TRUE(std::holds_alternative<NoEntry>(find(directory, "r1")));
}

TEST_F(ControlTest, DirectoryDownIsToldNotHidden) {
  RoomDirectory directory(redis_);
  redis_server_.kill();
  EXPECT_TRUE(std::holds_alternative<DirectoryDown>(find(directory, "r1")));
}

struct LeaseEvents {
  std::mutex mutex;
  std::vector<std::uint64_t> gained;
  int lost = 0;
};

std::shared_ptr<FleetLease> make_lease(std::shared_ptr<ControlRedis> redis, std::string holder,
                                       LeaseEvents& events) {
  LeaseOptions options{std::move(holder), 600ms, 100ms};
  return FleetLease::create(
      std::move(redis), options,
      [&events](std::uint64_t token) {
        std::lock_guard lock(events.mutex);
        events.gained.push_back(token);
      },
      [&events] {
        std::lock_guard lock(events.mutex);
        ++events.lost;
      });
}

bool eventually(const std::function<bool()>& condition) {
  for (int i = 0; i < 1500; ++i) {
    if (condition()) return true;
    std::this_thread::sleep_for(20ms);
  }
  return false;
}

WriteResult add_member(FleetMembers& members, const Member& member, std::uint64_t token) {
  std::promise<WriteResult> promise;
  auto future = promise.get_future();
  members.add(member, token, [&promise](WriteResult r) { promise.set_value(r); });
  return wait_for(future);
}

TEST_F(ControlTest, OneHolderAtATimeAndAStaleHoldersWritesAreFenced) {
  LeaseEvents a_events, b_events;
  auto a = make_lease(redis_, "a", a_events);
  a->start();
  ASSERT_TRUE(eventually([&] { return a->held(); }));
  auto b = make_lease(redis_, "b", b_events);
  b->start();
  ASSERT_TRUE(eventually([&] { return b->state().holder == "a"; }));
  EXPECT_FALSE(b->held());
  const std::uint64_t a_token = a->state().token;
  EXPECT_EQ(b->state().token, a_token) << "the holder's token is shown";

  FleetMembers members(redis_);
  Member server{"local-1-8000", "127.0.0.1:8000", "127.0.0.1:9000", 1234};
  EXPECT_EQ(add_member(members, server, a_token), WriteResult::written);

  // a gives the lease up; b takes it with a newer token, and a's late writes bounce.
  std::promise<void> released;
  auto released_future = released.get_future();
  a->release([&released] { released.set_value(); });
  wait_for(released_future);
  ASSERT_TRUE(eventually([&] { return b->held(); }));
  EXPECT_GT(b->state().token, a_token);
  EXPECT_EQ(add_member(members, {"local-2-8001", "127.0.0.1:8001", "", 0}, a_token),
            WriteResult::fenced);
  EXPECT_EQ(add_member(members, {"local-2-8001", "127.0.0.1:8001", "", 0}, b->state().token),
            WriteResult::written);

  std::promise<std::optional<std::vector<Member>>> read;
  auto read_future = read.get_future();
  members.read([&read](auto list) { read.set_value(std::move(list)); });
  auto list = wait_for(read_future);
  ASSERT_TRUE(list.has_value());
  ASSERT_EQ(list->size(), 2u);
  EXPECT_TRUE(std::find(list->begin(), list->end(), server) != list->end());
  b->release({});
}

TEST_F(ControlTest, ALeaseWhoseHolderDiedIsTakenOverWhenItExpires) {
  // A holder that died without a word: its lease is there, nobody renews it.
  redis_server_.command({"SET", "test:fleet:fence", "41"});
  redis_server_.command({"SET", "test:fleet:lease", "ghost 41", "PX", "800"});
  LeaseEvents events;
  auto lease = make_lease(redis_, "heir", events);
  lease->start();
  ASSERT_TRUE(eventually([&] { return lease->state().holder == "ghost"; }));
  EXPECT_FALSE(lease->held());
  ASSERT_TRUE(eventually([&] { return lease->held(); }));
  EXPECT_EQ(lease->state().token, 42u);
  {
    std::lock_guard lock(events.mutex);
    EXPECT_EQ(events.gained, std::vector<std::uint64_t>{42});
  }
  // Someone else's lease replaces it behind its back: it notices and says so.
  redis_server_.command({"SET", "test:fleet:lease", "usurper 43", "PX", "60000"});
  ASSERT_TRUE(eventually([&] {
    std::lock_guard lock(events.mutex);
    return events.lost == 1;
  }));
  EXPECT_FALSE(lease->held());
  lease->release({});
}

}  // namespace
}  // namespace chat::control
