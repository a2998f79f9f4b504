// The session server's settings: a plain struct with the seed's defaults,
// filled from flags and the environment in one place (--help lists them).
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <variant>

#include "server/common/admission.h"
#include "logging/log.h"
#include "server/common/command_line.h"
#include "server/common/tokens.h"
#include "server/common/trace_recording.h"
#include "server/redis/redis_url.h"
#include "server/room/limits.h"

namespace chat {

struct SessionConfig {
  std::string address = "127.0.0.1";
  unsigned short port = 8000;  // env PORT
  std::string jwt_secret;      // env JWT_SECRET; or:
  std::string jwt_keys_file;   // env JWT_KEYS_FILE: keys with ids, for rotation
  // The keys from either, reloaded on SIGHUP from the keys file.
  std::shared_ptr<TokenKeys> token_keys;
  // The "host:port" that session tokens must name: where the backend sends
  // clients. Required: the request's Host header (the seed's check) is the
  // client's to forge.
  std::string advertised_host;  // env ADVERTISED_HOST
  // Operators' listener: /status (for the backend), /metrics, /healthz.
  std::string admin_address = "127.0.0.1";
  unsigned short admin_port = 0;  // 0: any free port, printed at start
  // When set, operator endpoints answer only `Authorization: Bearer <it>`,
  // and also answer it on the public port (where a cloud exposes only one).
  std::string admin_token;  // env ADMIN_TOKEN
  // WebSocket connections held at once; 0: derived at start from the open
  // files limit (each connection is a descriptor).
  std::size_t connections_max = 0;
  // One event loop: a delivery costs least on one thread, and rooms scale
  // by adding session servers (processes), not threads.
  int threads = 1;
  std::size_t rooms_max = 10;
  RoomLimits room_limits;
  std::chrono::seconds empty_room_ttl{60};  // keep an emptied room for reconnects
  // A reservation (POST /rooms/:roomId/reserve) nobody joins holds its slot
  // this long, unless the request names its own time (the backend's join
  // deadline).
  std::chrono::seconds reservation_ttl{60};
  std::size_t frame_bytes_max = 16 * 1024;     // larger frames close the socket (1009)
  std::size_t send_queue_bytes_max = 1 << 20;  // per connection; over it: dropped as too slow
  std::chrono::seconds idle_timeout{60};       // pings keep a live peer; a dead one is dropped
  std::chrono::seconds http_timeout{30};       // to send a whole HTTP request (or upgrade)
  bool tcp_nodelay = true;                     // see ServerOptions::tcp_nodelay
  // How long events wait for more to the same client before they are
  // written: 0 writes at the end of each turn of the event loop. More waiting
  // means fewer writes (less CPU a delivery) and later deliveries. 0.5 ms:
  // as cheap under overload as 1 ms, and p99 at the design point stays
  // under 5 ms (README).
  std::chrono::microseconds cork_delay{500};
  std::chrono::seconds shutdown_grace{5};      // SIGTERM: time for close handshakes
  // Admission control: WebSocket upgrades a minute from one client address
  // (or IPv6 /64) and as one user, up to that many at once; 0: no limit.
  double connections_per_ip_per_minute = 120;
  double connections_per_user_per_minute = 60;
  AdmissionFlags admission_flags;
  AdmissionOptions admission;  // the flags above, parsed
  // Rooms' history in Redis (docs/PROTOCOL.md, History): unset, nothing is
  // stored and a room placed again starts empty (the seed's behaviour).
  std::optional<redis::RedisUrl> redis;             // --redis / env REDIS_URL
  std::chrono::milliseconds history_timeout{500};     // slower than this: chat goes on from memory
  std::chrono::seconds history_retention{24 * 3600};  // after a room's last message
  TraceRecordingFlags record_trace;  // joins, leaves, message sizes, for //trace:merge
  logging::Options log;              // --log-level, --log-format
};

// Parses flags over the environment over the defaults. Prints nothing: the
// settings, or why not to start (--help; a setting missing or wrong, saying
// which and how to fix it), which main prints.
ParsedConfig<SessionConfig> parse_session_config(int argc, const char* const* argv);

}  // namespace chat
