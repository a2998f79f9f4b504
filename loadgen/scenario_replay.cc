// replay: a trace (trace/FORMAT.md, read by //trace) played back in time,
// --speed times faster.
// Each trace user in each room is a bot; the delivery rule is the same as in
// chat, for members while they are joined.
#include <algorithm>
#include <climits>
#include <fstream>
#include <map>

#include "loadgen/scenarios.h"
#include "trace/reader.h"

namespace loadgen {

namespace net = boost::asio;

net::awaitable<void> run_replay(Engine& engine, Report& report) {
  const auto& config = engine.config();
  std::ifstream in(config.trace_file);
  if (!in) {
    report.check("read the trace", false, "cannot open " + config.trace_file);
    co_return;
  }
  const trace::Trace recorded = trace::read_all(in);
  report.figure("trace_events", recorded.events.size());
  if (recorded.bad_lines > 0) {
    report.check("read the trace", false,
                 std::to_string(recorded.bad_lines) +
                     " bad lines, first: " + recorded.errors.front().describe());
    co_return;
  }
  std::map<std::string, ScenarioRoom*> rooms;
  std::map<std::pair<ScenarioRoom*, std::string>, Bot*> members;
  std::map<std::string, std::string> users;  // trace name -> user id (short, unique)
  auto user_of = [&](const std::string& name) {
    auto [it, added] = users.try_emplace(name);
    if (added) it->second = engine.user_id("u" + std::to_string(users.size() - 1));
    return it->second;
  };
  auto room_of = [&](const std::string& name) {
    auto& room = rooms[name];
    if (!room) room = &engine.add_room(name);
    return room;
  };
  std::uint64_t skipped_messages = 0;
  auto start = now_us();
  for (const trace::Event& event : recorded.events) {
    auto due = start +
               static_cast<std::uint64_t>(static_cast<double>(event.time_ms) * 1000 / config.speed);
    if (due > now_us() && !co_await engine.sleep(static_cast<double>(due - now_us()) / 1e6)) {
      break;
    }
    auto* room = room_of(event.room);
    auto key = std::make_pair(room, event.user);
    switch (event.kind) {
      case trace::EventKind::create:
        if (room->id.empty() && !room->create_failed) engine.create(*room, user_of(event.user));
        break;
      case trace::EventKind::join: {
        auto& bot = members[key];
        if (!bot) bot = &engine.add_bot(*room, user_of(event.user));
        if (bot->state() == Bot::State::idle || bot->state() == Bot::State::closed) bot->join();
        break;
      }
      case trace::EventKind::leave:
        if (auto it = members.find(key); it != members.end()) it->second->leave();
        break;
      case trace::EventKind::message:
        if (auto it = members.find(key);
            it != members.end() && it->second->state() == Bot::State::open) {
          // Sizes past INT_MAX are past any server's frame limit anyway.
          it->second->send_message(static_cast<int>(std::min<std::uint32_t>(event.bytes, INT_MAX)));
        } else {
          ++skipped_messages;  // the trace's user had not joined (yet) here
        }
        break;
    }
  }
  auto counts = co_await engine.drain_and_count(config.drain_s);
  report.figure("rooms", rooms.size());
  report.figure("bots", engine.bots().size());
  report.figure("messages_skipped_not_joined", skipped_messages);
  std::size_t refused = 0;
  for (auto& bot : engine.bots()) {
    refused +=
        bot->state() == Bot::State::closed && bot->close_code() != 0 && bot->close_code() != 1000;
  }
  report.check("every join accepted", refused == 0,
               std::to_string(refused) + " joins refused by a session server");
  add_delivery_checks(report, counts, config.acks());
  engine.close_all();
  co_await engine.sleep(0.5);
}

}  // namespace loadgen
