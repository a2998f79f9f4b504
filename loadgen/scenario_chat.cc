// chat: --rooms rooms of --users bots each, connected over --ramp seconds,
// then --rate messages per second per bot for --duration seconds.
#include "loadgen/scenarios.h"

#include <algorithm>
#include <cmath>

namespace loadgen {

namespace net = boost::asio;

// Creates the rooms (one owner login each) and waits for the answers. A
// worker process numbers its rooms from --room-first, so that user ids stay
// those of a single process.
net::awaitable<bool> create_rooms(Engine& engine, int count, const std::string& prefix) {
  for (int r = 0; r < count; ++r) {
    auto name = prefix + std::to_string(engine.config().room_first + r);
    auto& room = engine.add_room(name);
    engine.create(room, engine.user_id(name + "-owner"));
  }
  co_return co_await engine.wait_for(
      [&engine] {
        for (auto& room : engine.rooms()) {
          if (room->id.empty() && !room->create_failed) return false;
        }
        return true;
      },
      120);
}

// Starts joins evenly over ramp_s, then waits until every bot is open or refused.
net::awaitable<bool> ramp_up(Engine& engine, std::size_t first, double ramp_s,
                             double settle_timeout_s) {
  auto& bots = engine.bots();
  auto count = bots.size() - first;
  auto start = now_us();
  std::size_t next = first;
  while (next < bots.size() && !engine.stopping()) {
    auto elapsed = static_cast<double>(now_us() - start) / 1e6;
    auto due = ramp_s <= 0 ? bots.size()
                           : first + static_cast<std::size_t>(std::ceil(
                                         static_cast<double>(count) * elapsed / ramp_s));
    // Bounded in flight: the backend is not the thing under test during the ramp.
    while (next < bots.size() && next < due) bots[next++]->join();
    co_await engine.sleep(0.01);
  }
  co_return co_await engine.wait_for(
      [&engine, first] {
        auto& all = engine.bots();
        for (std::size_t i = first; i < all.size(); ++i) {
          if (!all[i]->settled()) return false;
        }
        return true;
      },
      settle_timeout_s);
}

void add_room_create_figures(Engine& engine, Report& report) {
  std::vector<std::uint64_t> create_us;
  for (auto& room : engine.rooms()) {
    if (!room->id.empty()) create_us.push_back(room->create_us);
  }
  std::sort(create_us.begin(), create_us.end());
  report.figure("room_create_p50_ms", nearest_rank_ms(create_us, 0.50));
  report.figure("room_create_p99_ms", nearest_rank_ms(create_us, 0.99));
  report.figure("room_create_max_ms", create_us.empty() ? 0.0 : create_us.back() / 1000.0);
  boost::json::array raw_us;  // for merging with other processes' reports
  for (auto us : create_us) raw_us.push_back(us);
  report.raw["room_create_us"] = std::move(raw_us);
}

void add_delivery_checks(Report& report, const DeliveryCounts& counts, bool acks) {
  report.figure("deliveries_checked", counts.delivered);
  report.figure("deliveries_missing", counts.missing());
  report.figure("deliveries_late_or_duplicate", counts.late + counts.duplicates);
  report.check("every message delivered to every member", counts.missing() == 0,
               std::to_string(counts.missing()) + " missing of " +
                   std::to_string(counts.delivered + counts.missing()) + " expected");
  if (acks) {
    report.figure("deliveries_late", counts.late);
    report.figure("deliveries_duplicate", counts.duplicates);
    report.figure("deliveries_outside_window", counts.outside_window);
    report.figure("messages_acknowledged", counts.acknowledged);
    report.figure("messages_refused", counts.refused);
    report.figure("messages_lost", counts.lost);
    report.check("no acknowledged message lost", counts.lost == 0,
                 std::to_string(counts.lost) +
                     " acknowledged messages never reached some member");
    report.check("each delivered in each sender's order", counts.late == 0,
                 std::to_string(counts.late) + " arrived after a later message of their sender");
    report.check("none delivered twice to a member", counts.duplicates == 0,
                 std::to_string(counts.duplicates) + " duplicate deliveries");
  } else {
    report.check("each delivered once and in order", counts.late + counts.duplicates == 0,
                 std::to_string(counts.late + counts.duplicates) +
                     " late or duplicate deliveries");
  }
  report.check("no unknown messages", counts.unknown_sender == 0,
               std::to_string(counts.unknown_sender) +
                   " messages claiming a sender or sequence never sent");
}

net::awaitable<void> run_chat(Engine& engine, Report& report) {
  const auto& config = engine.config();
  if (!co_await create_rooms(engine, config.rooms, "r")) co_return;
  std::size_t rooms_created = 0;
  for (auto& room : engine.rooms()) rooms_created += !room->id.empty();
  report.figure("rooms_created", rooms_created);
  add_room_create_figures(engine, report);
  report.check("every room created", rooms_created == engine.rooms().size(),
               std::to_string(rooms_created) + " of " + std::to_string(engine.rooms().size()));

  for (auto& room : engine.rooms()) {
    for (int u = 0; u < config.users; ++u) {
      engine.add_bot(*room, engine.user_id(room->name + "-" + std::to_string(u)));
    }
  }
  auto rss_before = rss_bytes();
  co_await ramp_up(engine, 0, config.ramp_s, 60);
  auto connected = engine.stats().bots_connected;
  auto rss_after = rss_bytes();
  report.figure("bots", engine.bots().size());
  report.figure("bots_connected_after_ramp", connected);
  report.figure("rss_mb", static_cast<double>(rss_after) / 1e6);
  report.figure("memory_per_bot_kb",
                connected ? static_cast<double>(rss_after - std::min(rss_after, rss_before)) /
                                static_cast<double>(connected) / 1024
                          : 0.0);
  report.check("every bot connected", connected == engine.bots().size(),
               std::to_string(connected) + " of " + std::to_string(engine.bots().size()));

  if (!co_await engine.start_barrier()) co_return;
  auto send_start = now_us();
  engine.start_sending(config.rate, config.message_bytes);
  co_await engine.sleep(config.duration_s);
  auto seconds = static_cast<double>(now_us() - send_start) / 1e6;
  auto counts = co_await engine.drain_and_count(config.drain_s);
  report.figure("send_seconds", seconds);
  report.figure("messages_per_second",
                static_cast<double>(engine.stats().messages_sent) / std::max(seconds, 1e-3));
  report.figure("deliveries_per_second",
                static_cast<double>(engine.stats().deliveries) / std::max(seconds, 1e-3));
  report.check("still connected at the end", engine.stats().bots_connected == connected,
               std::to_string(engine.stats().bots_connected) + " of " +
                   std::to_string(connected));
  add_delivery_checks(report, counts, config.acks());
  engine.close_all();
  co_await engine.sleep(0.5);
}

}  // namespace loadgen
