// Session server: holds chat rooms in memory and fans each message out to
// the room's WebSocket connections. Every member of a room is sent here by
// the backend, so no broker and no server-to-server traffic are needed.
// Compatible with the seed's session server (docs/PROTOCOL.md).
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <iostream>
#include <memory>

#include "server/common/http_server.h"
#include "server/common/operator_endpoints.h"
#include "server/common/process.h"
#include "server/common/token_keys_reload.h"
#include "server/history/redis_message_log.h"
#include "server/session/admin_routes.h"
#include "server/session/config.h"
#include "server/session/room_drain.h"
#include "server/session/session_hub.h"
#include "server/session/session_routes.h"
#include "logging/log.h"

namespace {

namespace net = boost::asio;
using namespace chat;

// Drops rooms that have stayed empty past their grace period, every second.
void schedule_sweep(net::steady_timer& timer, SessionHub& hub) {
  timer.expires_after(std::chrono::seconds(1));
  timer.async_wait([&timer, &hub](boost::system::error_code ec) {
    if (ec) return;
    hub.sweep_rooms(std::chrono::steady_clock::now());
    schedule_sweep(timer, hub);
  });
}

// The rooms' history in Redis when --redis is set (docs/PROTOCOL.md).
MessageLogFactory history_store(const SessionConfig& config, net::io_context& io) {
  if (!config.redis) return {};
  return [&config, &io](prometheus::Registry& registry) -> std::shared_ptr<MessageLog> {
    history::RedisMessageLogOptions options;
    options.url = *config.redis;
    options.timeout = config.history_timeout;
    options.retention = config.history_retention;
    // Whatever the room remembers ids of, it loads back after a crash.
    options.max_entries = config.room_limits.remembered_ids_max;
    return std::make_shared<history::RedisMessageLog>(io.get_executor(), options, registry);
  };
}

}  // namespace

int main(int argc, char** argv) {
  auto parsed = parse_session_config(argc, argv);
  if (const auto* exit_now = std::get_if<ExitNow>(&parsed)) return report(*exit_now);
  auto& settings = std::get<SessionConfig>(parsed);
  logging::configure("session", settings.log);
  // Descriptors: a few for connections still in their handshake (short), the
  // rest for WebSockets (see SessionRoutes::check_upgrade).
  const std::size_t descriptors = connections_within(raise_open_files_limit());
  const std::size_t handshakes_max = std::min<std::size_t>(256, descriptors / 4);
  if (settings.connections_max == 0) settings.connections_max = descriptors - handshakes_max;
  // Declared first, so destroyed last: handlers still pending when it goes
  // own the sessions that are still open.
  net::io_context io(settings.threads);
  const SessionConfig& config = settings;  // the hub keeps its own copy; this one outlives it
  auto hub = std::make_shared<SessionHub>(settings, history_store(config, io));
  std::string recording_error;
  hub->record_trace_to(start_trace_recording(config.record_trace, config.token_keys->get()->front().secret,
                                             std::chrono::seconds(1), hub->metrics().registry(),
                                             recording_error));
  if (!recording_error.empty()) return logging::error(recording_error), 1;
  SessionRoutes routes(hub);

  web::ServerOptions options;
  options.address = config.address;
  options.port = config.port;
  options.request_timeout = config.http_timeout;
  options.tcp_nodelay = config.tcp_nodelay;
  options.connections_max = handshakes_max;
  auto& dropped = web::dropped_connections(hub->metrics());
  options.on_dropped = web::count_dropped(dropped, "public");
  web::HttpServer server(io, options, routes);
  AdminRoutes admin_routes(hub, io.get_executor());
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
  logging::info("listening on " + config.address + ":" + std::to_string(server.port()) + " as " +
                config.advertised_host + " (" + std::to_string(config.threads) + " threads, " +
                std::to_string(config.rooms_max) + " rooms of " +
                std::to_string(config.room_limits.users_max) + " users)");
  logging::info("admin on http://" + config.admin_address + ":" +
                std::to_string(admin_server.port()) + " (/status, /metrics, POST /drain)");
  if (config.redis) {
    logging::info("history in " + config.redis->to_string());
  } else {
    logging::info("no --redis: history is kept in memory only");
  }

  net::steady_timer sweep_timer(io);
  schedule_sweep(sweep_timer, *hub);

  // SIGTERM/SIGINT: stop accepting, let the history be stored, ask every
  // client to go away, and give the close handshakes a bounded time before
  // stopping. Sessions still open then are destroyed with the io_context;
  // they hold the hub, so what they use outlives them.
  TokenKeysReload keys_reload(io, config.jwt_keys_file, config.token_keys, "session");
  net::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](boost::system::error_code ec, int signal) {
    if (ec) return;
    keys_reload.stop();
    logging::info("signal " + std::to_string(signal) + ", draining " +
                  std::to_string(hub->session_count()) + " connections");
    server.stop_accepting();
    admin_server.stop_accepting();
    sweep_timer.cancel();
    DrainDeadlines deadlines{config.history_timeout + std::chrono::seconds(1),
                             std::chrono::duration_cast<std::chrono::milliseconds>(
                                 config.shutdown_grace)};
    drain_rooms(io.get_executor(), hub, CloseReason::shutting_down, deadlines,
                [&io](const DrainOutcome&) { io.stop(); });
    // A second signal stops at once.
    signals.async_wait([&](boost::system::error_code, int) { io.stop(); });
  });

  run_io_threads(io, config.threads, "session");
  logging::info("stopped");
  return 0;
}
