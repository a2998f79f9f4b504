#include "sim/explore_config.h"

#include <algorithm>
#include <sstream>

#include "scheduler/policy.h"
#include "sim/random.h"

namespace sim::explore {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

bool coin(Rng& rng, double p) { return uniform01(rng) < p; }

double between(Rng& rng, double low, double high) { return low + (high - low) * uniform01(rng); }

// A fault kind is off in some runs altogether, so that the others are seen
// alone too: a failure with fewer kinds at once is easier to read.
double sometimes(Rng& rng, double p_on, double high) {
  return coin(rng, p_on) ? between(rng, 0, high) : 0.0;
}

void draw_fleet(Rng& rng, ExploreConfig& config) {
  const double kind = uniform01(rng);
  config.fleet = kind < 0.45   ? FleetKind::local
                 : kind < 0.75 ? FleetKind::cloud
                               : FleetKind::static_hosts;
  core::FleetCapabilities& fleet = config.control.fleet;
  if (config.fleet == FleetKind::static_hosts) {
    fleet.restarts_in_place = true;
    config.static_servers = static_cast<int>(uniform_int(rng, 2, 4));
    return;
  }
  fleet.can_start = true;
  fleet.can_stop = true;
  fleet.members_shared = true;
  fleet.failed_adoption_means_exited = config.fleet == FleetKind::local;
}

void draw_scheduler(Rng& rng, ExploreConfig& config) {
  sched::SchedulerConfig& scheduler = config.control.scheduler;
  const std::vector<std::string> policies = sched::policy_names();
  scheduler.policy = policies[uniform_int(rng, 0, static_cast<std::int64_t>(policies.size()) - 1)];
  scheduler.room_capacity = static_cast<int>(uniform_int(rng, 1, 4));
  scheduler.join_deadline = seconds(uniform_int(rng, 5, 30));
  scheduler.empty_room_grace = milliseconds(coin(rng, 0.5) ? 0 : uniform_int(rng, 0, 5'000));
  scheduler.failed_polls_before_gone = static_cast<int>(uniform_int(rng, 2, 4));
  scheduler.retry_after = seconds(uniform_int(rng, 1, 5));
  sched::AutoscalerConfig& autoscaler = scheduler.autoscaler;
  if (config.fleet == FleetKind::static_hosts) {
    // A static list pins the fleet's size (StaticFleet::autoscaler_config).
    autoscaler.min_servers = autoscaler.max_servers = config.static_servers;
  } else {
    autoscaler.min_servers = static_cast<int>(uniform_int(rng, 0, 2));
    autoscaler.max_servers =
        static_cast<int>(uniform_int(rng, std::max(1, autoscaler.min_servers), 5));
  }
  autoscaler.spare_room_slots = static_cast<int>(uniform_int(rng, 0, 3));
  autoscaler.idle_before_stop = seconds(uniform_int(rng, 5, 60));
  autoscaler.start_timeout = seconds(uniform_int(rng, 10, 30));
  autoscaler.defrag_max_rooms = coin(rng, 0.5) ? 0 : static_cast<int>(uniform_int(rng, 1, 2));
  autoscaler.defrag_interval = seconds(uniform_int(rng, 10, 60));
  config.control.start_wait_max = seconds(uniform_int(rng, 5, 20));
  config.control.probe_interval_min = milliseconds(500);
  config.control.placement_attempts = static_cast<int>(uniform_int(rng, 1, 3));
}

void draw_timings(Rng& rng, ExploreConfig& config) {
  ExecutorTimings& executor = config.executor;
  executor.tick_interval_ms = uniform_int(rng, 500, 1'000);
  executor.lease_ttl_ms = uniform_int(rng, 2'000, 5'000);
  executor.latency_ms_max = uniform_int(rng, 5, 50);
  ServerTimings& servers = config.servers;
  servers.start_delay_ms_min = uniform_int(rng, 500, 2'000);
  servers.start_delay_ms_max = servers.start_delay_ms_min + uniform_int(rng, 0, 8'000);
  servers.drain_confirm_ms = uniform_int(rng, 100, 2'000);
  servers.empty_room_ttl_ms = uniform_int(rng, 0, 20'000);
  servers.restart_delay_ms_max = uniform_int(rng, 1'000, 10'000);
}

void draw_clients(Rng& rng, ExploreConfig& config) {
  ClientSettings& clients = config.clients;
  clients.clients = static_cast<int>(uniform_int(rng, 3, 20));
  clients.create_share = between(rng, 0.2, 0.6);
  clients.think_ms_mean = uniform_int(rng, 1'000, 10'000);
  clients.stay_ms_mean = uniform_int(rng, 10'000, 120'000);
  clients.reconnect_delay_ms = uniform_int(rng, 200, 2'000);
  clients.unjoined_rooms_max = coin(rng, 0.5) ? 0 : static_cast<int>(uniform_int(rng, 1, 3));
  clients.operator_drains_per_minute = sometimes(rng, 0.3, 0.5);
}

void draw_faults(Rng& rng, ExploreConfig& config) {
  FaultRates& faults = config.faults;
  faults.start_failure_share = sometimes(rng, 0.5, 0.3);
  faults.crashes_per_server_minute = sometimes(rng, 0.6, 0.1);
  faults.call_loss_share = sometimes(rng, 0.6, 0.05);
  faults.call_late_share = sometimes(rng, 0.5, 0.03);
  const bool store = config.control.replicated;
  faults.store_outages_per_minute = store ? sometimes(rng, 0.5, 0.3) : 0;
  faults.store_outage_ms_max = uniform_int(rng, 1'000, 10'000);
  faults.pauses_per_replica_minute = store ? sometimes(rng, 0.5, 0.5) : 0;
  faults.pause_ms_max = uniform_int(rng, 1, 4) * config.executor.lease_ttl_ms;
}

// Long enough, after the last fault, for every slow path to finish: a
// pause and an outage ending, servers given up or declared gone, unjoined
// rooms freed, clients back in their rooms after their retries.
std::int64_t quiet_ms(const ExploreConfig& config) {
  const sched::SchedulerConfig& scheduler = config.control.scheduler;
  return 60'000 + config.faults.pause_ms_max + config.faults.store_outage_ms_max +
         2 * scheduler.join_deadline.count() + scheduler.autoscaler.start_timeout.count() +
         config.servers.start_delay_ms_max + config.servers.restart_delay_ms_max;
}

}  // namespace

ExploreConfig draw_config(std::uint64_t seed, std::int64_t busy_ms) {
  Rng rng(derive_seed(seed, "config"));
  ExploreConfig config;
  config.seed = seed;
  config.busy_ms = busy_ms;
  config.replicas = static_cast<int>(uniform_int(rng, 1, 3));
  // One replica with a store is a deployment too (a backend alone on Redis).
  config.control.replicated = config.replicas > 1 || coin(rng, 0.3);
  draw_fleet(rng, config);
  draw_scheduler(rng, config);
  draw_timings(rng, config);
  draw_clients(rng, config);
  draw_faults(rng, config);
  config.quiet_ms = quiet_ms(config);
  config.convergence_window_ms = config.control.start_wait_max.count() + 5'000;
  return config;
}

std::string describe(const ExploreConfig& c) {
  const sched::SchedulerConfig& s = c.control.scheduler;
  const FaultRates& f = c.faults;
  std::ostringstream out;
  const char* fleet = c.fleet == FleetKind::local   ? "local"
                      : c.fleet == FleetKind::cloud ? "cloud"
                                                    : "static";
  out << c.replicas << " replica(s)" << (c.control.replicated ? " sharing a store" : "") << ", "
      << fleet << " fleet, policy " << s.policy << ", " << s.room_capacity
      << " rooms/server, servers " << s.autoscaler.min_servers << ".." << s.autoscaler.max_servers
      << ", spare " << s.autoscaler.spare_room_slots << ", defrag "
      << s.autoscaler.defrag_max_rooms << ", join deadline " << s.join_deadline.count()
      << " ms, failed polls " << s.failed_polls_before_gone << ", lease "
      << c.executor.lease_ttl_ms << " ms, " << c.clients.clients
      << " clients; faults: start failures " << f.start_failure_share << ", crashes/server-min "
      << f.crashes_per_server_minute << ", calls lost " << f.call_loss_share << ", late "
      << f.call_late_share << ", store outages/min " << f.store_outages_per_minute
      << " (<= " << f.store_outage_ms_max << " ms), pauses/min " << f.pauses_per_replica_minute
      << " (<= " << f.pause_ms_max << " ms)";
  return out.str();
}

}  // namespace sim::explore
