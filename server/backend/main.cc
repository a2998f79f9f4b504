// Backend: the stateless half of the chat. It logs users in (JWT), places
// new rooms on session servers through the scheduler (starting servers when
// the fleet is full), or, the seed's way, through Hathora's rooms API
// (--placement hathora-rooms), and tells clients which session server holds
// a room; it also serves the web client. Compatible with the seed's backend
// (docs/PROTOCOL.md).
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <iostream>

#include "scheduler/fleets/hathora_fleet.h"
#include "scheduler/fleets/local_fleet.h"
#include "scheduler/fleets/static_fleet.h"
#include "server/backend/admin_routes.h"
#include "server/backend/api_routes.h"
#include "server/backend/config.h"
#include "server/backend/hathora_rooms_placement.h"
#include "server/backend/recording_placement.h"
#include "server/backend/scheduler_placement.h"
#include "server/common/http_server.h"
#include "server/common/operator_endpoints.h"
#include "server/common/process.h"
#include "server/common/token_keys_reload.h"
#include "server/control/control_redis.h"
#include "logging/log.h"

namespace {

using namespace chat;
namespace net = boost::asio;

// The fleet the config names.
std::unique_ptr<sched::ManagedFleet> make_fleet(const BackendConfig& config, net::io_context& io) {
  if (config.fleet == "local") {
    sched::LocalFleetOptions options;
    options.session_binary = config.session_binary;
    options.address = config.address;
    options.session_args = config.session_args;
    options.session_args.push_back("--rooms-max=" + std::to_string(config.control.rooms_per_server));
    options.log_dir = config.session_log_dir;
    options.start_timeout = config.control.server_start_timeout;
    options.jwt_secret = config.jwt_secret;
    options.jwt_keys_file = config.jwt_keys_file;
    options.admin_token = config.admin_token;
    options.state_file = config.fleet_state_file;
    return std::make_unique<sched::LocalFleet>(io, options);
  }
  if (config.fleet == "hathora") {
    sched::HathoraOptions options;
    options.app_id = config.hathora_app_id;
    options.token = config.hathora_token;
    options.region = config.hathora_region;
    options.api_url = config.hathora_api_url;
    options.start_timeout = config.control.server_start_timeout;
    return std::make_unique<sched::HathoraFleet>(io, options);
  }
  return std::make_unique<sched::StaticFleet>(config.static_hosts, config.static_admin_hosts);
}

// Our placement: the scheduler over a fleet, sharing state in Redis when
// replicated. Members in the order they depend on one another.
struct ScheduledPlacement {
  std::unique_ptr<sched::ManagedFleet> fleet;
  std::shared_ptr<control::ControlRedis> control_store;
  std::unique_ptr<SchedulerPlacement> placement;
};

ScheduledPlacement make_scheduled_placement(const BackendConfig& config, net::io_context& io,
                                            metrics::Metrics& metrics) {
  ScheduledPlacement scheduled;
  scheduled.fleet = make_fleet(config, io);
  core::ControlOptions decisions = core::control_options(config.control);
  decisions.scheduler.policy = config.policy;
  decisions.scheduler.autoscaler =
      scheduled.fleet->autoscaler_config(decisions.scheduler.autoscaler);
  PlacementOptions placement_options;
  placement_options.tick_interval = config.control.poll_interval;
  // A drain waits for clients to close and history to be stored: as long as a start may take.
  placement_options.session_drain_timeout = config.control.server_start_timeout;
  placement_options.failover_probe_timeout = config.failover_probe_timeout;
  placement_options.status.scheme = config.status_scheme;
  placement_options.status.admin_token = config.admin_token;
  placement_options.check_invariants = config.check_invariants;
  if (config.redis) {
    scheduled.control_store = control::ControlRedis::create(
        io.get_executor(), control::ControlRedisOptions{*config.redis, config.redis_prefix});
    scheduled.control_store->start();
    placement_options.replicas = {scheduled.control_store, config.replica_id, config.lease_ttl};
  }
  scheduled.placement = std::make_unique<SchedulerPlacement>(io, std::move(decisions), *scheduled.fleet,
                                                             metrics, placement_options);
  return scheduled;
}

HathoraRoomsOptions hathora_rooms_options(const BackendConfig& config) {
  HathoraRoomsOptions options;
  options.api.app_id = config.hathora_app_id;
  options.api.token = config.hathora_token;
  options.api.region = config.hathora_region;
  options.api.api_url = config.hathora_api_url;
  // As long as a session server may take to start: Hathora may start a process for the room.
  options.create_wait_max = config.control.server_start_timeout;
  return options;
}

}  // namespace

int main(int argc, char** argv) {
  auto parsed = parse_backend_config(argc, argv);
  if (auto* exit_now = std::get_if<ExitNow>(&parsed)) return report(*exit_now);
  const BackendConfig& config = std::get<BackendConfig>(parsed);
  logging::configure("backend", config.log);
  std::uint64_t open_files_max = raise_open_files_limit();
  net::io_context io(config.threads);

  metrics::Metrics metrics;
  ScheduledPlacement scheduled;
  std::unique_ptr<HathoraRoomsPlacement> hathora_rooms;
  if (config.placement == "hathora-rooms") {
    hathora_rooms =
        std::make_unique<HathoraRoomsPlacement>(io, hathora_rooms_options(config), metrics);
  } else {
    scheduled = make_scheduled_placement(config, io, metrics);
  }
  RoomPlacement& placement = hathora_rooms ? static_cast<RoomPlacement&>(*hathora_rooms)
                                           : static_cast<RoomPlacement&>(*scheduled.placement);
  std::string recording_error;
  // A creation may wait for a server's start before it is recorded.
  auto recorder = start_trace_recording(config.record_trace, config.token_keys->get()->front().secret,
                                        config.control.server_start_timeout + std::chrono::seconds(5),
                                        metrics.registry(), recording_error);
  if (!recording_error.empty()) return logging::error(recording_error), 1;
  RecordingPlacement recording_placement(placement, recorder);

  web::StaticFiles files(config.static_dir);
  if (!config.static_dir.empty() && !files.enabled()) {
    logging::warning("--static-dir " + config.static_dir +
                     " is not a folder; the web client will not be served");
  }
  TokenPolicy tokens{config.token_keys, config.user_token_lifetime, config.session_token_lifetime};
  TokenKeysReload keys_reload(io, config.jwt_keys_file, config.token_keys, "backend");
  ApiRoutes routes(tokens, recorder ? static_cast<RoomPlacement&>(recording_placement) : placement,
                   std::move(files), metrics,
                   ApiOptions{config.user_id_chars_max, config.limits, config.admission});

  web::ServerOptions options;
  options.address = config.address;
  options.port = config.port;
  options.body_bytes_max = config.body_bytes_max;
  options.request_timeout = config.http_timeout;
  options.connections_max = connections_within(open_files_max);
  auto& dropped = web::dropped_connections(metrics);
  options.on_dropped = web::count_dropped(dropped, "public");
  web::HttpServer server(io, options, routes);
  AdminRoutes admin_routes(placement, metrics, config.admin_token);
  web::HttpServer admin_server(
      io, web::operator_listener_options(config.admin_address, config.admin_port, dropped),
      admin_routes);
  try {
    server.start();
    admin_server.start();
  } catch (const std::exception& e) {
    logging::error(e.what());
    return 1;
  }
  if (scheduled.placement) {
    scheduled.placement->start();
    logging::info("listening on http://" + config.address + ":" + std::to_string(server.port()) +
                  " (fleet " + config.fleet + ", policy " + config.policy + ", " +
                  std::to_string(config.control.rooms_per_server) + " rooms a server, " +
                  std::to_string(scheduled.placement->autoscaler().min_servers) + " to " +
                  std::to_string(scheduled.placement->autoscaler().max_servers) + " servers)");
  } else {
    logging::info("listening on http://" + config.address + ":" + std::to_string(server.port()) +
                  " (placement hathora-rooms: Hathora application " + config.hathora_app_id +
                  " in " + config.hathora_region + " is the room directory; no state here)");
    if (config.redis) logging::warning("--redis is not used with --placement hathora-rooms");
  }
  logging::info("admin on http://" + config.admin_address + ":" +
                std::to_string(admin_server.port()) +
                " (/metrics, /api/fleet, /sd/session-servers, "
                "POST /api/fleet/servers/:serverId/drain)");

  if (config.redis && scheduled.placement) {
    logging::info("replica " + config.replica_id + ", sharing the room directory, the fleet " +
                  "and its lease in " + config.redis->to_string());
  }

  net::signal_set signals(io, SIGINT, SIGTERM);
  net::steady_timer give_up(io);
  signals.async_wait([&](boost::system::error_code, int) {
    keys_reload.stop();
    server.stop_accepting();
    admin_server.stop_accepting();
    // The lease is given back first, so another replica takes over at once;
    // Redis has a second to answer.
    if (!scheduled.placement) return io.stop();  // nothing held: Hathora holds it all
    scheduled.placement->stop([&io] { io.stop(); });
    give_up.expires_after(std::chrono::seconds(1));
    give_up.async_wait([&io](boost::system::error_code) { io.stop(); });
  });
  run_io_threads(io, config.threads, "backend");
  if (scheduled.control_store) scheduled.control_store->stop();
  if (!scheduled.fleet) {
    // Hathora's rooms and processes are Hathora's to run and stop.
  } else if (config.stop_fleet_on_exit) {
    scheduled.fleet->stop_all();
  } else {
    // Their rooms go on; the next backend adopts them (from the record or Redis).
    scheduled.fleet->leave_running();
  }
  logging::info("stopped");
  return 0;
}
