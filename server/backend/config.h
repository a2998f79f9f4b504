// The backend's settings: a plain struct with the seed's defaults, filled
// from flags and the environment in one place (--help lists them).
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "control/settings.h"
#include "server/common/admission.h"
#include "logging/log.h"
#include "server/common/command_line.h"
#include "server/common/tokens.h"
#include "server/common/trace_recording.h"
#include "server/redis/redis_url.h"

namespace chat {

// Admission control of the public API: events a minute for each client
// address (or IPv6 /64) and for each user, up to that many at once (a token
// bucket); 0: no limit. Generous: a person never meets them, a flood does.
struct ApiLimits {
  double logins_per_ip_per_minute = 60;
  double logins_per_user_per_minute = 30;  // the user id logged in as
  double room_creations_per_ip_per_minute = 60;
  double room_creations_per_user_per_minute = 30;
  double room_lookups_per_ip_per_minute = 600;
  double room_lookups_per_user_per_minute = 300;
  // Rooms a user created that nobody has joined yet (each holds a slot on a
  // session server until its join deadline); 0: no limit.
  int unjoined_rooms_per_user_max = 5;
};

struct BackendConfig {
  std::string address = "127.0.0.1";
  unsigned short port = 8080;               // env PORT
  std::string admin_address = "127.0.0.1";  // operators only: metrics, fleet, discovery
  unsigned short admin_port = 0;            // 0: any free port, printed at start
  // Operators' secret (env ADMIN_TOKEN): required on this backend's admin
  // listener when set, and sent to session servers' operator endpoints.
  std::string admin_token;
  std::string jwt_secret;     // env JWT_SECRET; or:
  std::string jwt_keys_file;  // env JWT_KEYS_FILE: keys with ids, for rotation
  // The keys from either, shared with whoever checks tokens, reloaded on
  // SIGHUP from the keys file.
  std::shared_ptr<TokenKeys> token_keys;
  std::string static_dir;  // env STATIC_DIR: the web client
  int threads = 0;  // 0: one per core
  std::size_t body_bytes_max = 4 * 1024;
  std::chrono::seconds http_timeout{30};  // to send a whole request (a slow one is dropped)
  std::size_t user_id_chars_max = 32;
  std::chrono::seconds user_token_lifetime{24 * 3600};
  std::chrono::seconds session_token_lifetime{300};
  ApiLimits limits;
  AdmissionFlags admission_flags;
  AdmissionOptions admission;  // the flags above, parsed

  // Placement: "scheduler" (ours: a policy over a fleet, below), or
  // "hathora-rooms" (the seed's: Hathora's rooms API is the directory and
  // packs rooms into processes; no state here, no fleet, no Redis needed).
  std::string placement = "scheduler";  // env PLACEMENT
  std::string fleet;  // static | local | hathora; default: hathora when its env is set, else static
  std::string policy = "random";                        // the seed's
  std::string session_server_hosts = "localhost:8000";  // static fleet, env SESSION_SERVER_HOST
  std::vector<std::string> static_hosts;                // the list above, parsed
  std::string session_admin_hosts;              // env SESSION_ADMIN_HOSTS: their admin listeners
  std::vector<std::string> static_admin_hosts;  // the list above, parsed (same order)
  // Placement, autoscaling and failover (--rooms-per-server, --min-servers,
  // ...): the table the simulator shares (control/settings.h).
  core::ControlSettings control;
  // A server a client reports unreachable is probed at once, given this long.
  std::chrono::milliseconds failover_probe_timeout{500};
  bool check_invariants = false;
  std::string status_scheme;   // http, or https for hathora

  // Replicated backends (README, "Replicas, restarts and the lease"): the
  // room directory, the fleet's members and the fleet lease in this Redis.
  // Unset: this backend is the only one (its table is the directory).
  std::string redis_url;                   // env REDIS_URL
  std::optional<redis::RedisUrl> redis;  // the above, parsed
  std::string redis_prefix = "chat:";      // of every key the backends share
  std::string replica_id;                  // default: <hostname>-<pid>
  std::chrono::milliseconds lease_ttl{3000};
  // On exit (SIGINT, SIGTERM) stop the session servers this backend runs;
  // otherwise they keep running for the next backend to adopt.
  bool stop_fleet_on_exit = false;

  // local fleet
  std::string session_binary;             // default: the session server built beside us
  std::vector<std::string> session_args;  // e.g. --session-arg=--threads=1
  std::string session_log_dir;
  // Where the local fleet records its servers (without --redis); default:
  // fleet-state.json in the session log folder, if there is one.
  std::string fleet_state_file;

  // hathora fleet (the seed's env)
  std::string hathora_app_id;  // env HATHORA_APP_ID
  std::string hathora_token;   // env HATHORA_TOKEN
  std::string hathora_region = "Washington_DC";
  std::string hathora_api_url = "https://api.hathora.dev";

  TraceRecordingFlags record_trace;  // room creations, for //trace:merge
  logging::Options log;              // --log-level, --log-format
};

// The settings, or why to stop (--help, a bad flag, a contradiction).
ParsedConfig<BackendConfig> parse_backend_config(int argc, char** argv);

}  // namespace chat
