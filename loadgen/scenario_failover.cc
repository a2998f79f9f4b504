// failover: bots chat as in `chat` (protocol v2); --fault-at seconds into
// the steady phase, --fault-command runs (say, killing the busiest session
// server). Every bot that loses its connection must come back to its room,
// and nothing its sender was told is stored may be lost, delivered twice,
// or missing from the history a returning bot is shown.
#include <algorithm>
#include <cmath>
#include <iostream>
#include <map>
#include <memory>
#include <sstream>

#include "loadgen/scenarios.h"
#include "loadgen/shell_command.h"

namespace loadgen {

namespace net = boost::asio;

namespace {

// A fault command that hangs must not hold the run.
constexpr auto kFaultCommandTimeout = std::chrono::seconds(120);
// Bots still on their way back after the steady phase get this long (a bot
// itself gives up after 60 s from its loss).
constexpr double kRejoinWaitS = 65;
// At least this share of the disconnected bots back within --failover-goal.
constexpr double kQuickShareMin = 0.99;

// Each line of the command's output on stderr, so that it sits with the run's log.
void log_output(const std::string& output) {
  std::istringstream lines(output);
  for (std::string line; std::getline(lines, line);) std::cerr << "fault-command: " << line << "\n";
}

// Runs the fault command and reports how it went.
net::awaitable<bool> run_fault(Engine& engine, Report& report) {
  const auto& command_text = engine.config().fault_command;
  std::cerr << "loadgen: fault: running /bin/sh -c '" << command_text << "'\n";
  ShellCommand command(command_text, kFaultCommandTimeout);
  co_await engine.wait_for([&command] { return command.done(); },
                           static_cast<double>(kFaultCommandTimeout.count()) + 5);
  if (!command.done()) co_return false;  // the run is stopping; the command is killed
  const auto& result = command.result();
  log_output(result.output);
  std::cerr << "loadgen: fault: the command " << command.describe() << "\n";
  report.figure("fault_command", command_text);
  report.figure("fault_command_exit_code", result.exit_code);
  report.figure("fault_command_seconds", result.seconds);
  auto output = result.output.substr(0, 2000);
  while (!output.empty() && (output.back() == '\n' || output.back() == '\r')) output.pop_back();
  report.check("the fault command succeeded", command.succeeded(),
               command.describe() + (output.empty() ? "" : "; output: " + output));
  co_return true;
}

struct Outage {
  std::uint64_t lost_us = 0;
  std::uint64_t back_us = 0;
};

void add_failover_checks(Engine& engine, Report& report, std::uint64_t fault_us,
                         const std::map<const Bot*, Outage>& back) {
  const auto& config = engine.config();
  std::size_t disconnected = 0, not_back = 0;
  std::vector<std::uint64_t> durations_us;
  for (const auto& bot : engine.bots()) {
    if (bot->last_outage_start_us() < fault_us) continue;
    ++disconnected;
    auto found = back.find(bot.get());
    if (found != back.end()) {
      durations_us.push_back(found->second.back_us - found->second.lost_us);
    }
    if (bot->state() != Bot::State::open) ++not_back;
  }
  std::sort(durations_us.begin(), durations_us.end());
  auto goal_us = static_cast<std::uint64_t>(config.failover_goal_s * 1e6);
  auto quick = static_cast<std::size_t>(
      std::upper_bound(durations_us.begin(), durations_us.end(), goal_us) - durations_us.begin());
  double quick_share = disconnected ? static_cast<double>(quick) / disconnected : 0;
  std::ostringstream goal;
  goal << config.failover_goal_s;
  report.figure("bots_disconnected", disconnected);
  report.figure("bots_back", durations_us.size());
  report.figure("bots_not_back", not_back);
  report.figure("reconnect_p50_ms", nearest_rank_ms(durations_us, 0.50));
  report.figure("reconnect_p99_ms", nearest_rank_ms(durations_us, 0.99));
  report.figure("reconnect_max_ms", durations_us.empty() ? 0.0 : durations_us.back() / 1000.0);
  report.figure("failover_goal_s", config.failover_goal_s);
  report.figure("bots_back_within_goal", quick);
  report.figure("bots_back_within_goal_share", quick_share);
  boost::json::array raw_us;  // for merging with other processes' reports
  for (auto us : durations_us) raw_us.push_back(us);
  report.raw["reconnect_us"] = std::move(raw_us);
  // One worker process among several may hold no room of the server hit.
  report.check("the fault disconnected at least one bot", disconnected > 0,
               disconnected ? std::to_string(disconnected) + " bots lost their connection"
                            : "no bot lost its connection: the fault tested nothing (did it hit "
                              "a server holding these rooms?)");
  report.checks.back().combine = Check::Combine::any;
  auto quick_check =
      std::to_string(static_cast<int>(kQuickShareMin * 100)) + "% back within " + goal.str() + " s";
  if (disconnected == 0) {
    report.skip("every disconnected bot back in its room", "no bot was disconnected");
    report.skip(quick_check, "no bot was disconnected");
    report.checks.back().combine = Check::Combine::share;
    report.checks.back().share_min = kQuickShareMin;
    return;
  }
  report.check("every disconnected bot back in its room", not_back == 0,
               std::to_string(not_back) + " of " + std::to_string(disconnected) + " not back");
  report.check_share(quick_check, quick, disconnected, kQuickShareMin,
                     std::to_string(quick) + " of " + std::to_string(disconnected));
}

void add_history_check(Report& report, const DeliveryCounts& counts) {
  report.figure("history_snapshots_checked", counts.history_checked);
  report.figure("history_missing", counts.history_missing);
  const char* name = "history kept: snapshots after the fault hold what was acknowledged before it";
  if (counts.history_checked == 0) {
    return report.skip(name, "no bot came back with a snapshot to check");
  }
  report.check(name, counts.history_missing == 0,
               std::to_string(counts.history_missing) +
                   " acknowledged messages missing (the worst snapshot of each room, summed), " +
                   std::to_string(counts.history_checked) + " snapshots checked");
}

}  // namespace

net::awaitable<void> run_failover(Engine& engine, Report& report) {
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
  co_await ramp_up(engine, 0, config.ramp_s, 60);
  auto connected = engine.stats().bots_connected;
  report.figure("bots", engine.bots().size());
  report.figure("bots_connected_after_ramp", connected);
  report.check("every bot connected", connected == engine.bots().size(),
               std::to_string(connected) + " of " + std::to_string(engine.bots().size()));

  // The first way back of each bot after the fault is the one measured.
  // Shared with the listener, which the engine keeps if this run ends early.
  struct Measured {
    std::map<const Bot*, Outage> back;
    std::uint64_t fault_us = UINT64_MAX;
  };
  auto measured = std::make_shared<Measured>();
  engine.reconnect_listener = [measured](Bot& bot, std::uint64_t lost_us, std::uint64_t back_us) {
    if (lost_us >= measured->fault_us) measured->back.try_emplace(&bot, Outage{lost_us, back_us});
  };
  if (!co_await engine.start_barrier()) co_return;
  auto send_start = now_us();
  engine.start_sending(config.rate, config.message_bytes);
  if (!co_await engine.sleep(config.fault_at_s)) co_return;
  for (auto& room : engine.rooms()) room->checker.mark_fault(room->history_window);
  engine.expect_disconnects();
  auto fault_us = measured->fault_us = now_us();
  // Among worker processes one runs the command; the others, released at the
  // same moment, mark the fault at the same time and count what it did to them.
  if (config.runs_fault()) {
    report.figure("fault_at_s", static_cast<double>(fault_us - send_start) / 1e6);
    if (!co_await run_fault(engine, report)) co_return;
  }
  auto sent_s = static_cast<double>(now_us() - send_start) / 1e6;
  co_await engine.sleep(std::max(0.0, config.duration_s - sent_s));
  engine.stop_sending();
  co_await engine.wait_for([&engine] { return engine.stats().bots_reconnecting == 0; },
                           kRejoinWaitS);
  auto counts = co_await engine.drain_and_count(config.drain_s);
  engine.reconnect_listener = nullptr;

  add_failover_checks(engine, report, fault_us, measured->back);
  add_delivery_checks(report, counts, true);
  add_history_check(report, counts);
  engine.close_all();
  co_await engine.sleep(0.5);
}

}  // namespace loadgen
