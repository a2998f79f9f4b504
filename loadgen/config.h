// What the load generator is told to do: one plain struct, filled from flags
// in one place (parse_config), checked by validate() so tests need no argv.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace loadgen {

// A parsed http(s) URL: where the backend answers.
struct Target {
  bool tls = false;
  std::string host;  // name or address, without brackets
  std::string port;  // always set (80/443 by default)
  // "host:port" as sent in the Host header (port omitted when default).
  std::string authority() const;
};

// Parses "http://host[:port]" or "https://host[:port]" (a trailing "/" allowed).
std::optional<Target> parse_target(const std::string& url, std::string* error);

struct Config {
  std::string target_url;
  Target target;
  std::string scenario;  // chat | limits | autoscale | replay
  bool compat = false;   // whole snapshots instead of the event subprotocol
  std::string ca_file;

  int rooms = 10;
  int users = 10;             // per room (chat)
  double rate = 1.0;          // messages per second per user
  double duration_s = 30;     // steady phase (chat)
  double ramp_s = 10;         // to connect every bot (chat), to create rooms (autoscale)
  int message_bytes = 0;      // pad messages to this size (0: just the header)
  double drain_s = 5;         // waiting for in-flight deliveries at the end

  int room_users_max = 100;
  int rooms_per_server_max = 10;

  double idle_wait_s = 120;
  std::string fleet_metric = "chat_scheduler_servers{state=\"ready\"}";

  std::string trace_file;
  double speed = 1.0;

  double timeout_s = 900;
  std::string report_file;
  int metrics_port = 0;
  std::optional<double> p99_ms_max;
  std::optional<double> error_rate_max;

  int source_addresses = -1;  // loopback source addresses 127.0.0.2..; -1: auto
  int http_connections = 16;
  std::string run_id;         // prefix of every user id (default: random)
};

// Every problem with the flags, each phrased so the user can fix it.
std::vector<std::string> validate(Config& config);

// Fills Config from argv; prints help or the problems and exits on error.
Config parse_config(int argc, char** argv);

}  // namespace loadgen
