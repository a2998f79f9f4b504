// autoscale: rooms are added one by one (each joined by a bot, so it counts
// as used) and the fleet must grow; then every bot leaves and the fleet must
// shrink within --idle-wait seconds. The fleet is read from the backend's
// /metrics (--fleet-metric) when it is there, else counted as the distinct
// hosts that room look-ups named (which can only show growth).
#include <set>

#include "loadgen/scenarios.h"

namespace loadgen {

namespace net = boost::asio;

namespace {

net::awaitable<std::optional<double>> read_fleet(Engine& engine) {
  auto text = co_await engine.backend_metrics();
  if (!text) co_return std::nullopt;
  co_return metric_value(*text, engine.config().fleet_metric);
}

// Where the fleet figure was looked for, for the report.
std::string metrics_source(const Config& config) {
  return config.admin_target ? config.admin_target->origin() + "/metrics"
                             : "no --admin-target given";
}

std::string show(std::optional<double> value) {
  return value ? std::to_string(static_cast<long long>(*value)) : "absent";
}

}  // namespace

net::awaitable<void> run_autoscale(Engine& engine, Report& report) {
  const auto& config = engine.config();
  auto fleet_start = co_await read_fleet(engine);
  auto fleet_peak = fleet_start;
  std::set<std::string> hosts;
  std::size_t hosts_after_first = 0;
  auto interval = config.rooms > 1 ? config.ramp_s / config.rooms : 0.0;
  for (int r = 0; r < config.rooms && !engine.stopping(); ++r) {
    auto& room = engine.add_room("scale" + std::to_string(r));
    engine.create(room, engine.user_id(room.name + "-owner"));
    auto& bot = engine.add_bot(room, engine.user_id(room.name + "-0"));
    bot.join();
    co_await engine.wait_for([&bot] { return bot.settled(); }, 90);
    if (!bot.host().empty()) hosts.insert(bot.host());
    if (r == 0) hosts_after_first = hosts.size();
    auto fleet = co_await read_fleet(engine);
    if (!fleet_start) fleet_start = fleet;  // a backend may expose it only once in use
    if (fleet && (!fleet_peak || *fleet > *fleet_peak)) fleet_peak = fleet;
    co_await engine.sleep(interval);
  }
  std::size_t joined = 0;
  for (auto& bot : engine.bots()) joined += bot->state() == Bot::State::open;
  report.figure("rooms_joined", joined);
  report.figure("distinct_hosts", hosts.size());
  report.figure("fleet_metric", config.fleet_metric);
  report.figure("fleet_at_start", show(fleet_start));
  report.figure("fleet_peak", show(fleet_peak));
  report.check("every room created and joined", joined == static_cast<std::size_t>(config.rooms),
               std::to_string(joined) + " of " + std::to_string(config.rooms));
  if (fleet_start && fleet_peak) {
    report.check("the fleet grows as rooms fill (" + config.fleet_metric + ")",
                 *fleet_peak > *fleet_start,
                 "from " + show(fleet_start) + " to " + show(fleet_peak));
  } else {
    report.check("the fleet grows as rooms fill (distinct hosts in look-ups)",
                 hosts.size() > hosts_after_first,
                 "from " + std::to_string(hosts_after_first) + " host(s) after the first room to " +
                     std::to_string(hosts.size()) + "; " + config.fleet_metric +
                     " was not readable (" + metrics_source(config) + ")");
  }
  engine.close_all();
  if (!fleet_peak) {
    report.skip("the fleet shrinks once idle",
                config.fleet_metric + " was not readable (" + metrics_source(config) +
                    "), and look-ups cannot show a shrinking fleet");
    co_return;
  }
  auto end = now_us() + static_cast<std::uint64_t>(config.idle_wait_s * 1e6);
  auto fleet_now = fleet_peak;
  while (now_us() < end && !engine.stopping()) {
    fleet_now = co_await read_fleet(engine);
    if (fleet_now && *fleet_now < *fleet_peak) break;
    co_await engine.sleep(1.0);
  }
  report.figure("fleet_after_idle", show(fleet_now));
  report.check("the fleet shrinks within " + std::to_string(static_cast<int>(config.idle_wait_s)) +
                   " s once idle",
               fleet_now && *fleet_now < *fleet_peak,
               "from " + show(fleet_peak) + " to " + show(fleet_now));
}

}  // namespace loadgen
