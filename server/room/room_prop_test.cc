// Exactly once, in order per sender: whatever the network drops (frames on
// their way to the server, acknowledgements on their way back), however
// often clients reconnect and re-send, and through a crash of the server
// (a new room loaded from the log), every message a client typed is
// delivered once, in the order its sender typed them. The log answers in the
// order it was asked, as Redis does on one connection.
#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <boost/json/parse.hpp>
#include <deque>
#include <memory>
#include <set>

#include "server/room/fake_message_log.h"
#include "server/room/room.h"

namespace chat {
namespace {

using testing::FakeMessageLog;

// Frames the server handed to one connection; the client reads them later,
// so a drop can lose the ones it had not read yet.
class Connection : public Member {
 public:
  explicit Connection(std::string user_id) : user_id_(std::move(user_id)) {}
  const std::string& user_id() const override { return user_id_; }
  bool wants_events() const override { return true; }
  void deliver(const Frame& frame, Delivery) override { unread.push_back(*frame); }
  std::deque<std::string> unread;

 private:
  std::string user_id_;
};

RoomLimits roomy_limits() {
  RoomLimits limits;
  limits.messages_per_second = 1e9;  // the property is about resends, not rates
  limits.messages_burst = 1e9;
  limits.history_messages_max = 1000;
  return limits;
}

RoomTime now() { return {std::chrono::system_clock::now(), std::chrono::steady_clock::now()}; }

// A v2 client: types messages in order, keeps what was not acknowledged, and
// sends it again after each reconnect.
struct Client {
  std::string user_id;
  int typed = 0;                     // messages typed so far: ids 0 .. typed-1
  std::deque<int> unacknowledged;    // in the order typed
  std::deque<int> on_the_wire;       // sent, not yet arrived at the server
  std::unique_ptr<Connection> connection;

  std::string id(int n) const { return user_id + "-" + std::to_string(n); }

  void read_one() {
    std::string frame = std::move(connection->unread.front());
    connection->unread.pop_front();
    auto event = boost::json::parse(frame).as_object();
    const auto* id_field = event.if_contains("id");
    if (id_field == nullptr || event.at("type") == "error") return;
    bool mine = event.at("type") == "ack" || event.at("userId").as_string() == user_id;
    if (!mine) return;
    std::string acknowledged(id_field->as_string());
    auto found = std::find_if(unacknowledged.begin(), unacknowledged.end(),
                              [&](int n) { return id(n) == acknowledged; });
    if (found != unacknowledged.end()) unacknowledged.erase(found);
  }
};

// Everything the room delivered, as one always-connected member saw it.
struct Watcher {
  std::unique_ptr<Connection> connection = std::make_unique<Connection>("watcher");
  std::vector<std::string> seen;  // message texts ("alice-3"), in order
  std::set<std::string> seen_set;

  void read_all() {
    while (!connection->unread.empty()) {
      auto event = boost::json::parse(connection->unread.front()).as_object();
      connection->unread.pop_front();
      if (event.at("type") == "message") add_event(std::string(event.at("msg").as_string()));
      // After a crash the new room's snapshot holds what was stored but
      // never delivered before the crash.
      if (event.at("type") == "snapshot") {
        for (const auto& message : event.at("messages").as_array()) {
          std::string text(message.at("msg").as_string());
          if (seen_set.insert(text).second) seen.push_back(text);
        }
      }
    }
  }
  // A message event is a delivery: the same message twice is a duplicate.
  void add_event(const std::string& text) {
    if (seen_set.insert(text).second) {
      seen.push_back(text);
    } else {
      duplicates.push_back(text);
    }
  }
  std::vector<std::string> duplicates;  // delivered as events twice
};

struct World {
  std::shared_ptr<FakeMessageLog> log = std::make_shared<FakeMessageLog>();
  std::shared_ptr<Room> room;
  std::vector<Client> clients;
  Watcher watcher;

  World(int senders) {
    open_room();
    for (int i = 0; i < senders; ++i) clients.push_back({"user" + std::to_string(i)});
  }
  void open_room() {
    room = std::make_shared<Room>("r", roomy_limits(), log);
    room->restore(log->stored["r"], now());
    watcher.connection = std::make_unique<Connection>("watcher");
    RC_ASSERT(room->join(*watcher.connection, now()) == JoinResult::joined);
  }

  void type(Client& c) {
    int n = c.typed++;
    c.unacknowledged.push_back(n);
    if (c.connection) c.on_the_wire.push_back(n);
  }
  void arrive(Client& c) {
    int n = c.on_the_wire.front();
    c.on_the_wire.pop_front();
    PostResult result = room->post(*c.connection, ClientMessage{c.id(n), c.id(n)}, now());
    RC_ASSERT(result == PostResult::accepted || result == PostResult::duplicate);
  }
  void drop(Client& c) {
    room->leave(*c.connection, now());
    c.connection.reset();  // unread acknowledgements are lost with it
    c.on_the_wire.clear();
  }
  void reconnect(Client& c) {
    c.connection = std::make_unique<Connection>(c.user_id);
    RC_ASSERT(room->join(*c.connection, now()) == JoinResult::joined);
    c.on_the_wire.assign(c.unacknowledged.begin(), c.unacknowledged.end());
  }
  // The server dies: the log had stored the first `stored` of the appends it
  // was asked for (it answers in order); the rest, and every connection, are
  // lost. The room is placed again and loaded from the log.
  void crash(std::size_t stored) {
    watcher.read_all();
    for (std::size_t i = 0; i < stored && i < log->appends.size(); ++i) {
      log->stored["r"].push_back(log->appends[i].message);
    }
    log->appends.clear();
    for (auto& c : clients) {
      c.connection.reset();
      c.on_the_wire.clear();
    }
    room.reset();
    open_room();
  }
};

RC_GTEST_PROP(RoomExactlyOnce, AnyDropsResendsAndCrashesDeliverEachMessageOnceInOrder, ()) {
  const int senders = *rc::gen::inRange(1, 4);
  const int messages_each = *rc::gen::inRange(1, 12);
  World world(senders);
  const auto steps = *rc::gen::container<std::vector<std::pair<int, int>>>(
      rc::gen::pair(rc::gen::inRange(0, 7), rc::gen::inRange(0, 1000)));
  for (auto [what, pick] : steps) {
    Client& c = world.clients[static_cast<std::size_t>(pick) % world.clients.size()];
    switch (what) {
      case 0:
        if (c.typed < messages_each) world.type(c);
        break;
      case 1:
        if (c.connection && !c.on_the_wire.empty()) world.arrive(c);
        break;
      case 2:
        if (!world.log->appends.empty()) world.log->answer(0, AppendResult::stored);
        break;
      case 3:
        if (c.connection && !c.connection->unread.empty()) c.read_one();
        break;
      case 4:
        if (c.connection) world.drop(c);
        break;
      case 5:
        if (!c.connection) world.reconnect(c);
        break;
      case 6:
        if (pick % 8 == 0) world.crash(static_cast<std::size_t>(pick / 8) % 4);
        break;
    }
    world.watcher.read_all();
  }
  // Then the network heals: everyone connects, types the rest, and every
  // frame arrives and is read, until nothing is left unacknowledged.
  for (int round = 0; round < 1000; ++round) {
    bool idle = true;
    for (auto& c : world.clients) {
      if (!c.connection) world.reconnect(c);
      while (c.typed < messages_each) world.type(c);
      while (!c.on_the_wire.empty()) world.arrive(c), idle = false;
    }
    if (!world.log->appends.empty()) idle = false;
    world.log->answer_all(AppendResult::stored);
    for (auto& c : world.clients) {
      while (!c.connection->unread.empty()) c.read_one();
      if (!c.unacknowledged.empty()) {
        idle = false;
        // Acknowledgements lost on the way: the client gives up waiting and
        // reconnects, which sends them again.
        world.drop(c);
      }
    }
    world.watcher.read_all();
    if (idle) break;
  }
  for (const auto& c : world.clients) RC_ASSERT(c.unacknowledged.empty());
  RC_ASSERT(world.watcher.duplicates.empty());
  for (const auto& c : world.clients) {
    std::vector<std::string> delivered;
    for (const auto& text : world.watcher.seen) {
      if (text.rfind(c.user_id + "-", 0) == 0) delivered.push_back(text);
    }
    std::vector<std::string> typed;
    for (int n = 0; n < messages_each; ++n) typed.push_back(c.id(n));
    RC_ASSERT(delivered == typed);
  }
}

}  // namespace
}  // namespace chat
