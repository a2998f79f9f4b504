#include "server/backend/config.h"

#include <unistd.h>

#include <CLI/CLI.hpp>
#include <filesystem>
#include <thread>

#include "control/settings_flags.h"
#include "scheduler/fleets/host_list.h"
#include "scheduler/policy.h"
#include "server/common/tokens.h"
#include "logging/log_flags.h"

namespace chat {
namespace {

// Durations as typed on the command line (whole seconds, or ms where named),
// written back into the config once parsing is done.
struct PlacementDurations {
  int probe_timeout_ms = 0;
  int lease_ms = 0;
};

void add_placement_options(CLI::App& app, BackendConfig& c, PlacementDurations& s) {
  std::string policies;
  for (const auto& name : sched::policy_names()) policies += (policies.empty() ? "" : ", ") + name;
  app.add_option("--placement", c.placement,
                 "How rooms are placed: scheduler (ours: --policy over --fleet), or "
                 "hathora-rooms (the seed's: Hathora's rooms API is the room directory and packs "
                 "rooms into processes by its deployment's roomsPerProcess; the backend keeps "
                 "no state, so any number of them serve behind a load balancer; needs "
                 "HATHORA_APP_ID and HATHORA_TOKEN; POST /api/rooms waits up to "
                 "--server-start-timeout for the room's process)")
      ->envname("PLACEMENT")
      ->check(CLI::IsMember({"scheduler", "hathora-rooms"}));
  app.add_option("--fleet", c.fleet,
                 "Where session servers come from: static (SESSION_SERVER_HOST), local (processes "
                 "started here on demand), hathora (Hathora Cloud). Default: hathora when "
                 "HATHORA_APP_ID and HATHORA_TOKEN are set, else static")
      ->check(CLI::IsMember({"static", "local", "hathora"}));
  app.add_option("--policy", c.policy, "Placement policy: " + policies)
      ->check(CLI::IsMember(sched::policy_names()));
  app.add_option("--session-server-host", c.session_server_hosts,
                 "Static fleet: comma-separated host:port list")
      ->envname("SESSION_SERVER_HOST");
  app.add_option("--session-admin-hosts", c.session_admin_hosts,
                 "Static fleet: each server's admin listener (host:port, same order), where "
                 "its /status is polled; empty: its public port, with the admin token")
      ->envname("SESSION_ADMIN_HOSTS");
  app.add_option("--failover-probe-timeout-ms", s.probe_timeout_ms,
                 "How long a session server a client reports unreachable (GET "
                 "/api/rooms/:roomId?unreachable=) has to answer the probe before it is taken as "
                 "gone and its rooms placed again")
      ->check(CLI::Range(50, 60000));
  app.add_flag("--check-invariants", c.check_invariants,
               "Check the scheduler's whole state after every change and log what is broken "
               "(slow: for debugging)");
  app.add_option("--status-scheme", c.status_scheme,
                 "Scheme for polling session servers (default: http; https for hathora)")
      ->check(CLI::IsMember({"http", "https"}));
  app.add_option("--session-binary", c.session_binary, "Local fleet: the session server binary")
      ->envname("SESSION_BINARY");
  app.add_option("--session-arg", c.session_args,
                 "Local fleet: an argument for each session server (repeatable)");
  app.add_option("--session-log-dir", c.session_log_dir, "Local fleet: folder for their logs");
  app.add_option("--fleet-state", c.fleet_state_file,
                 "Local fleet without --redis: the file recording the session servers it runs, "
                 "which a restarted backend adopts (default: fleet-state.json in "
                 "--session-log-dir, when set)");
  app.add_flag("--stop-fleet-on-exit", c.stop_fleet_on_exit,
               "Stop the session servers this backend runs when it exits (SIGINT, SIGTERM); "
               "without it they keep running, with their rooms, for the next backend to adopt");
  app.add_option("--redis", c.redis_url,
                 "Replicated backends: redis://[user:password@]host[:port][/db] holding the room "
                 "directory, the fleet's members and the fleet lease, shared by every backend "
                 "(empty: this backend is the only one)")
      ->envname("REDIS_URL");
  app.add_option("--redis-prefix", c.redis_prefix,
                 "Prefix of every key the backends share in Redis");
  app.add_option("--replica-id", c.replica_id,
                 "This backend's name among the replicas, shown as the lease holder (default: "
                 "<hostname>-<pid>)");
  app.add_option("--lease-ms", s.lease_ms,
                 "Fleet lease time to live: a dead holder's lease is taken over by another "
                 "replica within this long (renewed every third of it)")
      ->check(CLI::Range(300, 600000));
  app.add_option("--hathora-app-id", c.hathora_app_id, "Hathora application id")
      ->envname("HATHORA_APP_ID");
  app.add_option("--hathora-token", c.hathora_token, "Hathora developer token")
      ->envname("HATHORA_TOKEN");
  app.add_option("--hathora-region", c.hathora_region, "Hathora region for new servers")
      ->envname("HATHORA_REGION");
  app.add_option("--hathora-api-url", c.hathora_api_url, "Hathora API base URL");
}

void add_admission_options(CLI::App& app, BackendConfig& c) {
  ApiLimits& l = c.limits;
  auto per_minute = CLI::Range(0.0, 1e9);
  app.add_option("--logins-per-ip-per-minute", l.logins_per_ip_per_minute,
                 "Logins a minute from one client address (bursts as large); 0: no limit")
      ->check(per_minute);
  app.add_option("--logins-per-user-per-minute", l.logins_per_user_per_minute,
                 "Logins a minute as one user id; 0: no limit")
      ->check(per_minute);
  app.add_option("--room-creations-per-ip-per-minute", l.room_creations_per_ip_per_minute,
                 "POST /api/rooms a minute from one client address; 0: no limit")
      ->check(per_minute);
  app.add_option("--room-creations-per-user-per-minute", l.room_creations_per_user_per_minute,
                 "POST /api/rooms a minute by one user; 0: no limit")
      ->check(per_minute);
  app.add_option("--room-lookups-per-ip-per-minute", l.room_lookups_per_ip_per_minute,
                 "GET /api/rooms/:roomId a minute from one client address; 0: no limit")
      ->check(per_minute);
  app.add_option("--room-lookups-per-user-per-minute", l.room_lookups_per_user_per_minute,
                 "GET /api/rooms/:roomId a minute by one user; 0: no limit")
      ->check(per_minute);
  app.add_option("--unjoined-rooms-per-user-max", l.unjoined_rooms_per_user_max,
                 "Rooms a user may have created that nobody joined yet; 0: no limit")
      ->check(CLI::Range(0, 1000000));
  add_admission_flags(app, c.admission_flags);
}

// Fills in what depends on other settings; the first contradiction found, if any.
std::optional<std::string> settle(BackendConfig& c, const char* argv0) {
  auto keys = token_keys(c.jwt_secret, c.jwt_keys_file, "the session servers");
  if (auto* problem = std::get_if<std::string>(&keys)) return *problem;
  c.token_keys = std::make_shared<TokenKeys>(std::get<jwt::Keys>(std::move(keys)));
  auto admission = admission_options(c.admission_flags);
  if (auto* error = std::get_if<std::string>(&admission)) return *error;
  c.admission = std::get<AdmissionOptions>(admission);
  if (c.placement == "hathora-rooms") {
    if (!c.fleet.empty() && c.fleet != "hathora") {
      return "--placement hathora-rooms places rooms on Hathora's processes: drop --fleet " +
             c.fleet;
    }
    if (c.hathora_app_id.empty() || c.hathora_token.empty()) {
      return "--placement hathora-rooms needs HATHORA_APP_ID and HATHORA_TOKEN";
    }
    c.fleet = "hathora";
  }
  if (c.fleet.empty()) {
    c.fleet = !c.hathora_app_id.empty() && !c.hathora_token.empty() ? "hathora" : "static";
  }
  if (c.status_scheme.empty()) c.status_scheme = c.fleet == "hathora" ? "https" : "http";
  if (c.fleet == "hathora" && (c.hathora_app_id.empty() || c.hathora_token.empty())) {
    return "the hathora fleet needs HATHORA_APP_ID and HATHORA_TOKEN";
  }
  if (c.control.min_servers > c.control.max_servers) {
    return "--min-servers is above --max-servers";
  }
  if (c.fleet == "static") {
    auto hosts = sched::parse_host_list(c.session_server_hosts);
    if (!hosts) return "SESSION_SERVER_HOST: " + hosts.error();
    c.static_hosts = std::move(hosts).value();
    if (!c.session_admin_hosts.empty()) {
      auto admin_hosts = sched::parse_host_list(c.session_admin_hosts);
      if (!admin_hosts) return "SESSION_ADMIN_HOSTS: " + admin_hosts.error();
      if (admin_hosts->size() != c.static_hosts.size()) {
        return "SESSION_ADMIN_HOSTS lists " + std::to_string(admin_hosts->size()) + " hosts for " +
               std::to_string(c.static_hosts.size()) +
               " session servers: give one admin host:port for each, in the same order";
      }
      c.static_admin_hosts = std::move(admin_hosts).value();
    }
  }
  if (!c.redis_url.empty()) {
    auto url = redis::RedisUrl::parse(c.redis_url);
    if (!url) return "--redis: " + url.error();
    c.redis = std::move(url).value();
  }
  if (c.replica_id.empty()) {
    char name[256] = {};
    gethostname(name, sizeof name - 1);
    c.replica_id = std::string(name[0] ? name : "backend") + "-" + std::to_string(getpid());
  }
  if (c.replica_id.find_first_of(" \t\n") != std::string::npos) {
    return "--replica-id must not contain spaces";
  }
  if (c.fleet == "local" && !c.redis && c.fleet_state_file.empty() && !c.session_log_dir.empty()) {
    c.fleet_state_file = c.session_log_dir + "/fleet-state.json";
  }
  if (c.fleet == "local" && c.session_binary.empty()) {
    // Beside us in Bazel's output tree: bazel-bin/server/{backend,session}/...
    std::error_code ec;
    auto self = std::filesystem::canonical("/proc/self/exe", ec);
    auto beside = self.parent_path().parent_path() / "session" / "session";
    if (ec || !std::filesystem::exists(beside)) {
      return std::string("the local fleet needs the session server: pass --session-binary (") +
             argv0 + " could not find it beside itself)";
    }
    c.session_binary = beside.string();
  }
  return std::nullopt;
}

}  // namespace

ParsedConfig<BackendConfig> parse_backend_config(int argc, char** argv) {
  BackendConfig config;
  CLI::App app{"Backend: login, room creation and room lookup for the chat (stateless)."};
  app.option_defaults()->always_capture_default();
  app.add_option("--address", config.address, "Address to listen on");
  app.add_option("--port", config.port, "Port to listen on")->envname("PORT");
  app.add_option("--admin-address", config.admin_address,
                 "Address of the operators' listener (metrics, fleet, service discovery); keep "
                 "it off the internet");
  app.add_option("--admin-port", config.admin_port,
                 "Port of the operators' listener (0: any free port, printed at start)");
  app.add_option("--admin-token", config.admin_token,
                 "Bearer secret for operators' requests, here and to session servers (empty: "
                 "none; keep the admin listeners on loopback then)")
      ->envname("ADMIN_TOKEN");
  app.add_option("--jwt-secret", config.jwt_secret, "HS256 secret shared with session servers")
      ->envname("JWT_SECRET");
  app.add_option("--jwt-keys-file", config.jwt_keys_file,
                 "Instead of JWT_SECRET: a file (mode 0600) of keys shared with session servers, "
                 "one a line, \"<key id> <secret>\", the signing key first; read again on "
                 "SIGHUP (rotating the secret: docs/DEPLOY.md)")
      ->envname("JWT_KEYS_FILE");
  app.add_option("--static-dir", config.static_dir,
                 "Folder of the web client's build, served at / (empty: none)")
      ->envname("STATIC_DIR");
  app.add_option("--threads", config.threads, "I/O threads (0: one per core)")
      ->check(CLI::Range(0, 256));
  app.add_option("--body-bytes-max", config.body_bytes_max, "Largest request body accepted")
      ->check(CLI::Range(256, 1 << 20));
  int http_timeout = static_cast<int>(config.http_timeout.count());
  app.add_option("--http-timeout", http_timeout, "Seconds a client has to send its HTTP request")
      ->check(CLI::Range(1, 3600));
  int user_hours = static_cast<int>(config.user_token_lifetime.count() / 3600);
  app.add_option("--user-token-hours", user_hours, "Lifetime of a login token, in hours")
      ->check(CLI::Range(1, 24 * 365));
  int session_seconds = static_cast<int>(config.session_token_lifetime.count());
  app.add_option("--session-token-seconds", session_seconds,
                 "Lifetime of a token to connect to a room, in seconds")
      ->check(CLI::Range(10, 86400));
  PlacementDurations seconds{static_cast<int>(config.failover_probe_timeout.count()),
                             static_cast<int>(config.lease_ttl.count())};
  add_placement_options(app, config, seconds);
  core::add_settings_flags(app, config.control);
  add_admission_options(app, config);
  add_trace_recording_flags(app, config.record_trace);
  logging::add_log_flags(app, config.log);
  if (auto exit_now = parse_command_line(app, argc, argv)) return *exit_now;
  if (config.threads == 0) {
    config.threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  }
  config.user_token_lifetime = std::chrono::hours(user_hours);
  config.session_token_lifetime = std::chrono::seconds(session_seconds);
  config.failover_probe_timeout = std::chrono::milliseconds(seconds.probe_timeout_ms);
  config.lease_ttl = std::chrono::milliseconds(seconds.lease_ms);
  config.http_timeout = std::chrono::seconds(http_timeout);
  if (auto contradiction = settle(config, argv[0])) return ExitNow{2, "backend: " + *contradiction};
  return config;
}

}  // namespace chat
