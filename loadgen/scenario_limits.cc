// limits: a room holds exactly its limit, refuses one more and a duplicate
// user; N rooms spread so that no host holds more than its share.
#include "loadgen/scenarios.h"

#include <map>

namespace loadgen {

namespace net = boost::asio;

namespace {

std::string describe(Bot& bot) {
  if (bot.state() == Bot::State::open) return "accepted";
  if (bot.close_code()) {
    return "closed " + std::to_string(bot.close_code()) + " '" + bot.close_reason() + "'";
  }
  return bot.close_reason().empty() ? "no answer" : bot.close_reason();
}

// One bot joins and the result is awaited.
net::awaitable<void> join_one(Engine& engine, Bot& bot, double timeout_s) {
  bot.join();
  co_await engine.wait_for([&bot] { return bot.settled(); }, timeout_s);
}

bool refused_with(Bot& bot, int code, const std::string& reason) {
  return bot.state() == Bot::State::closed && bot.close_code() == code &&
         bot.close_reason() == reason;
}

net::awaitable<void> check_room_limit(Engine& engine, Report& report) {
  const auto& config = engine.config();
  auto& room = engine.add_room("full");
  engine.create(room, engine.user_id("full-owner"));
  co_await engine.wait_for([&room] { return !room.id.empty() || room.create_failed; }, 60);
  if (room.id.empty()) {
    report.check("create a room", false, "the backend did not create the room");
    co_return;
  }
  auto& first = engine.add_bot(room, engine.user_id("full-0"));
  co_await join_one(engine, first, 20);

  // The same user id again, while the first is connected.
  auto& duplicate = engine.add_bot(room, engine.user_id("full-0"));
  duplicate.expect_close();
  co_await join_one(engine, duplicate, 20);
  report.check("duplicate user refused with 1008 'Duplicate user'",
               refused_with(duplicate, 1008, "Duplicate user"), describe(duplicate));

  auto begin = engine.bots().size();
  for (int u = 1; u < config.room_users_max; ++u) {
    engine.add_bot(room, engine.user_id("full-" + std::to_string(u)));
  }
  co_await ramp_up(engine, begin, 1.0, 60);
  std::size_t accepted = first.state() == Bot::State::open;
  std::string first_refusal;
  for (auto i = begin; i < engine.bots().size(); ++i) {
    auto& bot = *engine.bots()[i];
    if (bot.state() == Bot::State::open) {
      ++accepted;
    } else if (first_refusal.empty()) {
      first_refusal = "; " + bot.user() + " was " + describe(bot);
    }
  }
  report.figure("room_users_accepted", accepted);
  report.check("a room accepts exactly " + std::to_string(config.room_users_max) + " users",
               accepted == static_cast<std::size_t>(config.room_users_max),
               std::to_string(accepted) + " of " + std::to_string(config.room_users_max) +
                   " accepted" + first_refusal);

  auto& extra = engine.add_bot(room, engine.user_id("full-extra"));
  extra.expect_close();
  co_await join_one(engine, extra, 20);
  report.check("user " + std::to_string(config.room_users_max + 1) +
                   " refused with 1008 'Room is full'",
               refused_with(extra, 1008, "Room is full"), describe(extra));
  for (auto& bot : engine.bots()) bot->leave();
}

net::awaitable<void> check_spread(Engine& engine, Report& report) {
  const auto& config = engine.config();
  auto first_room = engine.rooms().size();
  auto first_bot = engine.bots().size();
  co_await create_rooms(engine, config.rooms, "spread");
  // One bot per room, so that the session server really holds it.
  for (auto r = first_room; r < engine.rooms().size(); ++r) {
    auto& room = *engine.rooms()[r];
    if (!room.id.empty()) engine.add_bot(room, engine.user_id(room.name + "-0"));
  }
  co_await ramp_up(engine, first_bot, 1.0, 60);
  std::map<std::string, int> rooms_per_host;
  std::size_t joined = 0;
  std::string refusal;
  // The room of the first part is on a host too: it counts.
  std::map<ScenarioRoom*, std::string> room_host;
  for (auto& bot : engine.bots()) {
    if (!bot->host().empty()) room_host[&bot->room()] = bot->host();
  }
  for (auto& [room, host] : room_host) ++rooms_per_host[host];
  for (auto i = first_bot; i < engine.bots().size(); ++i) {
    auto& bot = *engine.bots()[i];
    if (bot.state() == Bot::State::open) {
      ++joined;
    } else if (refusal.empty()) {
      refusal = "; " + bot.user() + " was " + describe(bot);
    }
  }
  int busiest = 0;
  std::string spread;
  for (auto& [host, rooms] : rooms_per_host) {
    busiest = std::max(busiest, rooms);
    spread += (spread.empty() ? "" : ", ") + host + ": " + std::to_string(rooms);
  }
  auto created = engine.rooms().size() - first_room;
  report.figure("rooms_per_host", spread);
  report.figure("distinct_hosts", rooms_per_host.size());
  report.check("every one of " + std::to_string(config.rooms) + " rooms created and joined",
               joined == static_cast<std::size_t>(config.rooms),
               std::to_string(joined) + " of " + std::to_string(created) + " joined" + refusal);
  report.check("no host holds more than " + std::to_string(config.rooms_per_server_max) +
                   " rooms",
               busiest <= config.rooms_per_server_max, spread);
  auto hosts_min = (config.rooms + config.rooms_per_server_max - 1) / config.rooms_per_server_max;
  report.check("at least " + std::to_string(hosts_min) + " distinct hosts",
               static_cast<int>(rooms_per_host.size()) >= hosts_min,
               std::to_string(rooms_per_host.size()) + " hosts");
  for (auto& bot : engine.bots()) bot->leave();
}

}  // namespace

net::awaitable<void> run_limits(Engine& engine, Report& report) {
  co_await check_room_limit(engine, report);
  if (engine.stopping()) co_return;
  co_await check_spread(engine, report);
  co_await engine.sleep(0.5);
}

}  // namespace loadgen
