#include "server/session/session_hub.h"

#include <gtest/gtest.h>

#include <atomic>
#include <functional>
#include <thread>
#include <vector>

namespace chat {
namespace {

// Like a WebSocket session, a fake takes itself off the hub's
// list in its destructor.
class FakeSession : public DrainableSession {
 public:
  explicit FakeSession(SessionHub& hub, bool* destroyed = nullptr)
      : hub_(hub), destroyed_(destroyed) {}
  ~FakeSession() {
    hub_.remove(this);
    if (destroyed_) *destroyed_ = true;
  }
  std::size_t queued_bytes() const override { return queued; }
  std::size_t queued = 0;

  void close_for(CloseReason reason) override {
    ++close_requests;
    last_reason = reason;
    if (on_close) on_close();
  }

  int close_requests = 0;
  CloseReason last_reason = CloseReason::shutting_down;
  std::function<void()> on_close;

 private:
  SessionHub& hub_;
  bool* destroyed_;
};

class FakeMember : public Member {
 public:
  explicit FakeMember(std::string user_id) : user_id_(std::move(user_id)) {}
  const std::string& user_id() const override { return user_id_; }
  bool wants_events() const override { return true; }
  void deliver(const Frame&, Delivery) override {}

 private:
  std::string user_id_;
};

SessionConfig small_config() {
  SessionConfig config;
  config.jwt_secret = "s";
  config.rooms_max = 2;
  config.empty_room_ttl = std::chrono::seconds(60);
  return config;
}

RoomTime at(int seconds) {
  return {std::chrono::system_clock::time_point(std::chrono::seconds(seconds)),
          std::chrono::steady_clock::time_point(std::chrono::seconds(seconds))};
}

TEST(SessionHub, KnowsTheLiveSessions) {
  SessionHub hub(small_config());
  auto a = std::make_shared<FakeSession>(hub);
  auto b = std::make_shared<FakeSession>(hub);
  hub.add(a);
  hub.add(b);
  EXPECT_EQ(hub.session_count(), 2u);
  a.reset();  // its destructor removes it
  EXPECT_EQ(hub.session_count(), 1u);
  hub.close_all(CloseReason::room_moving);
  EXPECT_EQ(b->close_requests, 1);
  EXPECT_EQ(b->last_reason, CloseReason::room_moving);
}

TEST(SessionHub, HoldsSessionsWeakly) {
  SessionHub hub(small_config());
  bool destroyed = false;
  auto a = std::make_shared<FakeSession>(hub, &destroyed);
  hub.add(a);
  std::weak_ptr<FakeSession> watch = a;
  a.reset();
  EXPECT_TRUE(destroyed) << "the hub must not keep a session alive";
  EXPECT_TRUE(watch.expired());
  EXPECT_EQ(hub.session_count(), 0u);
}

// At SIGTERM a session's last handler may finish on another thread while the
// hub asks it to close: the hub then holds its last reference. The session's
// destructor takes itself off the list, which takes the hub's lock, so that
// reference must be dropped outside the lock (under it, this test hangs).
TEST(SessionHub, ClosingMayDropASessionsLastReference) {
  SessionHub hub(small_config());
  bool destroyed = false;
  auto owner = std::make_shared<FakeSession>(hub, &destroyed);
  hub.add(owner);
  owner->on_close = [&owner] { owner.reset(); };  // its last handler finishes
  hub.close_all(CloseReason::shutting_down);
  EXPECT_TRUE(destroyed);
  EXPECT_EQ(hub.session_count(), 0u);
}

// Sessions come and go on I/O threads (each joining and leaving a room) while
// SIGTERM asks them all to close and /status reads the rooms: every session
// leaves the list, whichever thread drops its last reference. test.sh also
// runs this under ThreadSanitizer.
TEST(SessionHub, SessionsComeAndGoWhileTheHubClosesThemAndReadsTheRooms) {
  SessionHub hub(small_config());
  std::atomic<bool> done{false};
  std::vector<std::thread> io_threads;
  for (int t = 0; t < 4; ++t) {
    io_threads.emplace_back([&hub, t] {
      FakeMember member("u" + std::to_string(t));
      for (int round = 0; round < 1000; ++round) {
        auto session = std::make_shared<FakeSession>(hub);
        hub.add(session);
        auto admission = hub.rooms().join("r" + std::to_string(t % 2), member, at(round));
        ASSERT_EQ(admission.result, JoinResult::joined);
        admission.room->leave(member, at(round));
        session.reset();  // the closer may hold the last reference now
      }
    });
  }
  std::thread closer([&hub, &done] {
    while (!done) {
      hub.close_all(CloseReason::shutting_down);
      EXPECT_LE(hub.read_rooms(at(0).steady).size(), 2u);
      hub.sweep_rooms(at(0).steady);
    }
  });
  for (auto& thread : io_threads) thread.join();
  done = true;
  closer.join();
  EXPECT_EQ(hub.session_count(), 0u);
}

TEST(SessionHub, SendQueueGaugesSumTheLiveSessionsAndNameTheFullest) {
  SessionHub hub(small_config());
  auto a = std::make_shared<FakeSession>(hub);
  auto b = std::make_shared<FakeSession>(hub);
  hub.add(a);
  hub.add(b);
  a->queued = 100;
  b->queued = 4000;
  hub.read_send_queues();
  EXPECT_EQ(hub.session_metrics().send_queue_bytes.Value(), 4100);
  EXPECT_EQ(hub.session_metrics().send_queue_bytes_largest.Value(), 4000);
  b.reset();  // gone: no longer counted
  hub.read_send_queues();
  EXPECT_EQ(hub.session_metrics().send_queue_bytes.Value(), 100);
  EXPECT_EQ(hub.session_metrics().send_queue_bytes_largest.Value(), 100);
}

TEST(SessionHub, DrainsOnRequest) {
  SessionHub hub(small_config());
  EXPECT_FALSE(hub.draining());
  hub.start_draining();
  EXPECT_TRUE(hub.draining());
}

TEST(SessionHub, RoomsFollowTheConfigAndTheGaugesFollowTheRooms) {
  SessionHub hub(small_config());
  FakeMember a("a"), b("b"), c("c");
  auto r1 = hub.rooms().join("r1", a, at(0));
  ASSERT_EQ(r1.result, JoinResult::joined);
  ASSERT_EQ(hub.rooms().join("r1", b, at(0)).result, JoinResult::joined);
  ASSERT_EQ(hub.rooms().join("r2", c, at(0)).result, JoinResult::joined);
  EXPECT_EQ(hub.rooms().join("r3", a, at(0)).result, JoinResult::server_full)
      << "rooms_max comes from the config";
  auto rooms = hub.read_rooms(at(1).steady);
  ASSERT_EQ(rooms.size(), 2u);
  EXPECT_EQ(hub.session_metrics().rooms.Value(), 2);
  EXPECT_EQ(hub.session_metrics().users.Value(), 3);
  r1.room->leave(a, at(1));
  r1.room->leave(b, at(1));
  hub.sweep_rooms(at(30).steady);
  EXPECT_EQ(hub.rooms().room_count(), 2u) << "kept for the grace period";
  hub.sweep_rooms(at(62).steady);
  EXPECT_EQ(hub.rooms().room_count(), 1u);
  EXPECT_EQ(hub.session_metrics().rooms.Value(), 1);
}

}  // namespace
}  // namespace chat
