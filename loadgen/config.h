// What the load generator is told to do: one plain struct, filled from flags
// in one place (parse_config), checked by validate() so tests need no argv.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "network/url.h"

namespace loadgen {

struct Config {
  std::string target_url;
  network::Url target;   // target_url parsed by validate(): the backend's origin
  // The backend's operators' listener, where its /metrics is (optional checks).
  std::string admin_target_url;
  std::optional<network::Url> admin_target;  // admin_target_url parsed by validate()
  std::string admin_token;                   // env ADMIN_TOKEN: its bearer secret
  std::string scenario;  // chat | limits | autoscale | replay | failover
  // v2 (acknowledgements, resend, reconnect), v1 (events), compat (the
  // seed's whole snapshots); --compat is short for --protocol compat.
  std::string protocol = "v2";
  bool compat = false;  // set by validate() from protocol
  bool acks() const { return protocol == "v2"; }
  std::string ca_file;

  int rooms = 10;
  int users = 10;          // per room (chat)
  double rate = 1.0;       // messages per second per user
  double duration_s = 30;  // steady phase (chat)
  double ramp_s = 10;      // to connect every bot (chat), to create rooms (autoscale)
  int message_bytes = 0;   // pad messages to this size (0: just the header)
  double drain_s = 5;      // waiting for in-flight deliveries at the end

  int room_users_max = 100;
  int rooms_per_server_max = 10;

  double idle_wait_s = 120;
  std::string fleet_metric = "chat_scheduler_servers{state=\"ready\"}";

  double fault_at_s = 10;       // failover: seconds into the steady phase
  std::string fault_command;    // failover: run with /bin/sh -c
  double failover_goal_s = 3;   // failover: a bot back in its room within this counts as quick

  std::string trace_file;
  double speed = 1.0;

  double timeout_s = 900;
  std::string report_file;
  int metrics_port = 0;
  std::optional<double> p99_ms_max;
  std::optional<double> error_rate_max;

  int source_addresses = -1;  // loopback source addresses 127.0.0.2..; -1: auto
  int source_address_first = 2;  // the first of them: 127.0.0.<this>
  // Automatic: 8 addresses hold ~220,000 connections, more than 20,000 fds
  // allow; a worker of --processes needs one of its own for its ~20,000.
  int source_addresses_per_process() const {
    return source_addresses > 0 ? source_addresses : (processes > 1 ? 1 : 8);
  }

  // --processes N: this process starts N workers of itself, each with a
  // slice of the rooms (a room never spans two), and merges their reports.
  int processes = 1;
  // Set by that parent in each worker: its index among `worker_count`, its
  // first room's number (rooms are named r<number> across the workers).
  int worker_index = -1;
  int worker_count = 0;
  int room_first = 0;
  bool is_worker() const { return worker_index >= 0; }
  // The failover's fault command runs in one process only.
  bool runs_fault() const { return worker_index <= 0; }
  int http_connections = 16;
  std::string run_id;  // prefix of every user id (default: random)
};

// Every problem with the flags, each phrased so the user can fix it.
std::vector<std::string> validate(Config& config);

// Config from argv, or the exit code after --help was printed (0) or the
// problems were (2): main decides to exit, not the parser.
struct ParsedConfig {
  std::optional<Config> config;
  int exit_code = 0;
};
ParsedConfig parse_config(int argc, char** argv);

}  // namespace loadgen
