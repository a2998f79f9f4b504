#include "server/session/config.h"

#include <CLI/CLI.hpp>

#include "server/common/tokens.h"
#include "logging/log_flags.h"

namespace chat {

ParsedConfig<SessionConfig> parse_session_config(int argc, const char* const* argv) {
  SessionConfig config;
  CLI::App app{"Session server: holds chat rooms in memory and fans messages out over WebSocket."};
  app.option_defaults()->always_capture_default();
  app.add_option("--address", config.address, "Address to listen on");
  app.add_option("--port", config.port, "Port to listen on")->envname("PORT");
  app.add_option("--jwt-secret", config.jwt_secret, "HS256 secret shared with the backend")
      ->envname("JWT_SECRET");
  app.add_option("--jwt-keys-file", config.jwt_keys_file,
                 "Instead of JWT_SECRET: the backend's file of keys (mode 0600), one a line, "
                 "\"<key id> <secret>\", the signing key first; read again on SIGHUP")
      ->envname("JWT_KEYS_FILE");
  app.add_option("--advertised-host", config.advertised_host,
                 "host:port that session tokens must name: where the backend sends clients "
                 "(required)")
      ->envname("ADVERTISED_HOST");
  app.add_option("--admin-address", config.admin_address,
                 "Address of the operators' listener (/status, /metrics); keep it off the "
                 "internet");
  app.add_option("--admin-port", config.admin_port,
                 "Port of the operators' listener (0: any free port, printed at start)");
  app.add_option("--admin-token", config.admin_token,
                 "Bearer secret operators' requests must carry; when set, they are also "
                 "answered on the public port")
      ->envname("ADMIN_TOKEN");
  app.add_option("--connections-max", config.connections_max,
                 "WebSocket connections held at once (0: the open files limit, less a reserve)");
  app.add_option("--threads", config.threads,
                 "I/O threads (more only for more rooms than one core delivers: see README)")
      ->check(CLI::Range(1, 256));
  app.add_option("--rooms-max", config.rooms_max, "Rooms this server holds at most")
      ->check(CLI::Range(1, 100000));
  app.add_option("--users-per-room-max", config.room_limits.users_max, "Users a room holds at most")
      ->check(CLI::Range(1, 100000));
  app.add_option("--message-chars-max", config.room_limits.message_chars_max,
                 "Longest chat message, in characters")
      ->check(CLI::Range(1, 100000));
  app.add_option("--history-messages", config.room_limits.history_messages_max,
                 "Messages kept per room and sent in snapshots")
      ->check(CLI::Range(0, 100000));
  app.add_option("--messages-per-second", config.room_limits.messages_per_second,
                 "Steady message rate allowed per user (0: unlimited)")
      ->check(CLI::Range(0.0, 1e6));
  app.add_option("--messages-burst", config.room_limits.messages_burst,
                 "Burst allowed above the rate")
      ->check(CLI::Range(1.0, 1e6));
  app.add_option("--refused-messages-per-minute", config.room_limits.refused_messages_per_minute,
                 "Allowance of refused messages (empty, binary, too long, too fast), refilled at "
                 "this many a minute; one past it closes with 1008 (0: never)")
      ->check(CLI::Range(0.0, 1e6));
  int empty_room_ttl = static_cast<int>(config.empty_room_ttl.count());
  int reservation_ttl = static_cast<int>(config.reservation_ttl.count());
  app.add_option("--reservation-ttl", reservation_ttl,
                 "Seconds a room reserved by a backend (POST /rooms/:roomId/reserve) keeps its "
                 "slot if nobody joins it, unless the request says otherwise")
      ->check(CLI::Range(1, 86400));
  app.add_option("--empty-room-ttl", empty_room_ttl, "Seconds an emptied room is kept")
      ->check(CLI::Range(0, 86400));
  app.add_option("--frame-bytes-max", config.frame_bytes_max, "Largest WebSocket frame read")
      ->check(CLI::Range(1024, 16 * 1024 * 1024));
  app.add_option("--send-queue-bytes-max", config.send_queue_bytes_max,
                 "Bytes queued for one slow client before it is dropped")
      ->check(CLI::Range(64 * 1024, 1 << 30));
  int idle_timeout = static_cast<int>(config.idle_timeout.count());
  app.add_option("--idle-timeout", idle_timeout, "Seconds of silence (pings unanswered) tolerated")
      ->check(CLI::Range(2, 3600));
  app.add_option("--tcp-nodelay", config.tcp_nodelay,
                 "Send small frames at once (true) or let Nagle batch them (false)");
  int cork_us = static_cast<int>(config.cork_delay.count());
  app.add_option("--cork-us", cork_us,
                 "Microseconds events wait for more to the same client before they are "
                 "written (0: at the end of each turn of the event loop); trades latency for "
                 "CPU a delivery")
      ->check(CLI::Range(0, 100000));
  int http_timeout = static_cast<int>(config.http_timeout.count());
  app.add_option("--http-timeout", http_timeout, "Seconds a client has to send its HTTP request")
      ->check(CLI::Range(1, 3600));
  int shutdown_grace = static_cast<int>(config.shutdown_grace.count());
  app.add_option("--shutdown-grace", shutdown_grace, "Seconds given to close handshakes on SIGTERM")
      ->check(CLI::Range(0, 600));
  app.add_option("--connections-per-ip-per-minute", config.connections_per_ip_per_minute,
                 "WebSocket connections a minute from one client address (bursts as large); "
                 "0: no limit")
      ->check(CLI::Range(0.0, 1e9));
  app.add_option("--connections-per-user-per-minute", config.connections_per_user_per_minute,
                 "WebSocket connections a minute as one user; 0: no limit")
      ->check(CLI::Range(0.0, 1e9));
  std::string redis_url;
  app.add_option("--redis", redis_url,
                 "Store rooms' history in this Redis (redis://host:port[/db]), so a room placed "
                 "again after a crash or a move keeps it; unset: nothing is stored")
      ->envname("REDIS_URL");
  int history_timeout_ms = static_cast<int>(config.history_timeout.count());
  app.add_option("--history-timeout", history_timeout_ms,
                 "Milliseconds Redis has to store a message before it is delivered from memory "
                 "anyway (and counted as unstored)")
      ->check(CLI::Range(10, 60000));
  int history_retention = static_cast<int>(config.history_retention.count());
  app.add_option("--history-retention", history_retention,
                 "Seconds a room's stored history is kept after its last message")
      ->check(CLI::Range(1, 365 * 86400));
  add_admission_flags(app, config.admission_flags);
  add_trace_recording_flags(app, config.record_trace);
  logging::add_log_flags(app, config.log);
  if (auto exit_now = parse_command_line(app, argc, argv)) return *exit_now;
  auto keys = token_keys(config.jwt_secret, config.jwt_keys_file, "the backend and you");
  if (auto* problem = std::get_if<std::string>(&keys)) return ExitNow{2, "session: " + *problem + "\n"};
  config.token_keys = std::make_shared<TokenKeys>(std::get<jwt::Keys>(std::move(keys)));
  if (config.advertised_host.empty()) {
    return ExitNow{2,
                   "session: --advertised-host is not set. Set it (or ADVERTISED_HOST) to the "
                   "host:port the backend gives clients for this server, e.g. "
                   "--advertised-host 127.0.0.1:" +
                       std::to_string(config.port) +
                       ": session tokens name it, and a request's Host header cannot be "
                       "trusted.\n"};
  }
  auto admission = admission_options(config.admission_flags);
  if (auto* error = std::get_if<std::string>(&admission)) {
    return ExitNow{2, "session: " + *error + "\n"};
  }
  config.admission = std::get<AdmissionOptions>(admission);
  if (!redis_url.empty()) {
    auto redis = redis::RedisUrl::parse(redis_url);
    if (!redis) return ExitNow{2, "session: --redis (REDIS_URL): " + redis.error() + "\n"};
    config.redis = std::move(*redis);
  }
  config.history_timeout = std::chrono::milliseconds(history_timeout_ms);
  config.history_retention = std::chrono::seconds(history_retention);
  config.empty_room_ttl = std::chrono::seconds(empty_room_ttl);
  config.reservation_ttl = std::chrono::seconds(reservation_ttl);
  config.idle_timeout = std::chrono::seconds(idle_timeout);
  config.shutdown_grace = std::chrono::seconds(shutdown_grace);
  config.http_timeout = std::chrono::seconds(http_timeout);
  config.cork_delay = std::chrono::microseconds(cork_us);
  return config;
}

}  // namespace chat
