#include "loadgen/config.h"

#include <CLI/CLI.hpp>
#include <iostream>
#include <random>

namespace loadgen {

namespace {

// Each worker holds up to ~20,000 sockets: 64 of them are more than a box has.
constexpr int kProcessesMax = 64;

// An origin: an http(s) URL without a path (`flag` names it in the message).
std::optional<std::string> check_target(const std::string& text, network::Url& target,
                                        const std::string& flag = "--target") {
  auto starts_with = [&](std::string_view prefix) { return text.rfind(prefix, 0) == 0; };
  if (!starts_with("http://") && !starts_with("https://")) {
    return flag + " must start with http:// or https:// (got '" + text + "')";
  }
  auto url = network::Url::parse(text);
  if (!url) return flag + ": " + url.error();
  if (url->target != "/") {
    return flag + " is an origin, without a path (got '" + text + "')";
  }
  target = url.value();
  return std::nullopt;
}

// --processes and the worker settings: what can be split over processes.
void check_processes(Config& config, std::vector<std::string>& problems) {
  if (config.processes < 1 || config.processes > kProcessesMax) {
    problems.push_back("--processes must be within 1.." + std::to_string(kProcessesMax));
    return;
  }
  if (config.processes > 1) {
    if (config.scenario != "chat" && config.scenario != "failover") {
      problems.push_back(
          "--processes works with --scenario chat and failover only: limits and autoscale judge "
          "the whole fleet from one process's look-ups, and replay plays one trace in order");
    }
    if (config.rooms < config.processes) {
      problems.push_back("--processes " + std::to_string(config.processes) + " needs at least " +
                         std::to_string(config.processes) +
                         " --rooms: a room never spans two processes, so each needs one");
    }
    if (config.is_worker()) problems.push_back("a worker process does not start workers");
  }
  if (config.is_worker() &&
      (config.worker_count < 1 || config.worker_index >= config.worker_count ||
       config.room_first < 0)) {
    problems.push_back("--worker-index must be below --worker-count, --room-first not negative");
  }
  int per_process = config.source_addresses_per_process();
  int last = config.source_address_first + config.processes * per_process - 1;
  if (config.source_address_first < 1 || last > 254) {
    problems.push_back("source addresses 127.0.0." + std::to_string(config.source_address_first) +
                       ".. for " + std::to_string(config.processes) + " processes of " +
                       std::to_string(per_process) +
                       " addresses each go past 127.0.0.254: lower --source-addresses, "
                       "--source-address-first or --processes");
  }
  if (config.metrics_port && config.metrics_port + config.processes - 1 > 65535) {
    problems.push_back("--metrics-port + --processes - 1 must be a port (each worker serves on "
                       "--metrics-port + its index)");
  }
}

}  // namespace

std::vector<std::string> validate(Config& config) {
  std::vector<std::string> problems;
  if (config.target_url.empty()) {
    problems.push_back("--target is required: the backend to load, e.g. http://127.0.0.1:8080");
  } else if (auto problem = check_target(config.target_url, config.target)) {
    problems.push_back(*problem);
  }
  if (!config.admin_target_url.empty()) {
    network::Url admin;
    if (auto problem = check_target(config.admin_target_url, admin, "--admin-target")) {
      problems.push_back(*problem);
    } else {
      config.admin_target = admin;
    }
  }
  if (config.scenario != "chat" && config.scenario != "limits" && config.scenario != "autoscale" &&
      config.scenario != "replay" && config.scenario != "failover") {
    problems.push_back("--scenario must be one of chat, limits, autoscale, replay, failover (got '" +
                       config.scenario + "')");
  }
  if (config.compat && config.protocol != "v2" && config.protocol != "compat") {
    problems.push_back("--compat is --protocol compat: it cannot go with --protocol " +
                       config.protocol);
  } else if (config.compat) {
    config.protocol = "compat";
  }
  if (config.protocol != "v2" && config.protocol != "v1" && config.protocol != "compat") {
    problems.push_back("--protocol must be one of v2, v1, compat (got '" + config.protocol + "')");
  }
  config.compat = config.protocol == "compat";
  if (config.scenario == "failover") {
    if (config.fault_command.empty()) {
      problems.push_back("--scenario=failover needs --fault-command, e.g. "
                         "--fault-command 'scripts/kill-busiest-server.sh http://127.0.0.1:8081'");
    }
    if (config.protocol != "v2") {
      problems.push_back("--scenario=failover needs --protocol v2: only v2 clients re-send what "
                         "a failed server did not acknowledge");
    }
    if (config.fault_at_s < 0 || config.fault_at_s >= config.duration_s) {
      problems.push_back("--fault-at must be within 0 and --duration (" +
                         std::to_string(config.duration_s) + " s): the fault comes while bots chat");
    }
    if (config.failover_goal_s <= 0) problems.push_back("--failover-goal must be positive");
  }
  if (config.scenario == "replay" && config.trace_file.empty()) {
    problems.push_back("--scenario=replay needs --trace FILE");
  }
  if (config.rooms < 1) problems.push_back("--rooms must be at least 1");
  if (config.users < 1) problems.push_back("--users must be at least 1");
  if (config.rate < 0) problems.push_back("--rate must not be negative");
  if (config.duration_s < 0) problems.push_back("--duration must not be negative");
  if (config.ramp_s < 0) problems.push_back("--ramp must not be negative");
  if (config.speed <= 0) problems.push_back("--speed must be positive");
  if (config.room_users_max < 1) problems.push_back("--room-users-max must be at least 1");
  if (config.rooms_per_server_max < 1) {
    problems.push_back("--rooms-per-server-max must be at least 1");
  }
  if (config.timeout_s <= 0) problems.push_back("--timeout must be positive");
  if (config.message_bytes < 0 || config.message_bytes > 100000) {
    problems.push_back("--message-bytes must be within 0..100000");
  }
  if (config.source_addresses == 0 || config.source_addresses > 250) {
    problems.push_back("--source-addresses must be within 1..250 (or -1: automatic)");
  }
  if (config.http_connections < 1) problems.push_back("--http-connections must be at least 1");
  check_processes(config, problems);
  if (config.p99_ms_max && *config.p99_ms_max <= 0) {
    problems.push_back("--p99-ms-max must be positive");
  }
  if (config.error_rate_max && (*config.error_rate_max < 0 || *config.error_rate_max > 1)) {
    problems.push_back("--error-rate-max is a fraction within 0..1");
  }
  if (config.run_id.size() > 12 ||
      config.run_id.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789") !=
          std::string::npos) {
    problems.push_back("--run-id is at most 12 lowercase letters or digits");
  }
  if (config.run_id.empty()) {
    std::random_device random;
    const char* digits = "0123456789abcdefghijklmnopqrstuvwxyz";
    for (int i = 0; i < 6; ++i) config.run_id += digits[random() % 36];
  }
  return problems;
}

ParsedConfig parse_config(int argc, char** argv) {
  Config config;
  CLI::App app{
      "Load generator for the chat: bots log in, create and join rooms, chat over WebSocket, "
      "and check that every message reaches every member once, in order. It talks to the "
      "deployment named by --target only."};
  app.option_defaults()->always_capture_default();
  app.add_option("--admin-target", config.admin_target_url,
                 "The backend's operators' listener, e.g. http://127.0.0.1:8081: where the "
                 "optional fleet checks read its /metrics");
  app.add_option("--admin-token", config.admin_token,
                 "Bearer secret of that listener, when it has one")
      ->envname("ADMIN_TOKEN");
  app.add_option("--target", config.target_url, "Backend origin, e.g. http://127.0.0.1:8080")
      ->required();
  app.add_option("--scenario", config.scenario, "chat | limits | autoscale | replay | failover")
      ->required();
  app.add_option("--protocol", config.protocol,
                 "v2: scalable-chat.events.v2 (message ids, acknowledgements, re-sends and "
                 "reconnects); v1: scalable-chat.events.v1; compat: the seed's whole snapshots");
  app.add_flag("--compat", config.compat, "Short for --protocol compat");
  app.add_option("--ca-file", config.ca_file, "Extra CA certificate (PEM) for https/wss");
  app.add_option("--rooms", config.rooms, "Rooms to create");
  app.add_option("--users", config.users, "Users per room (chat)");
  app.add_option("--rate", config.rate, "Messages per second per user");
  app.add_option("--duration", config.duration_s, "Seconds of steady load (chat)");
  app.add_option("--ramp", config.ramp_s, "Seconds to connect every bot / create every room");
  app.add_option("--message-bytes", config.message_bytes, "Pad each message to this size");
  app.add_option("--drain", config.drain_s, "Seconds to wait for in-flight deliveries");
  app.add_option("--room-users-max", config.room_users_max, "Users a room must hold (limits)");
  app.add_option("--rooms-per-server-max", config.rooms_per_server_max,
                 "Rooms a session server may hold (limits)");
  app.add_option("--idle-wait", config.idle_wait_s,
                 "Seconds to wait for the fleet to shrink once idle (autoscale)");
  app.add_option("--fleet-metric", config.fleet_metric,
                 "Backend /metrics series counting session servers, name or name{label=\"v\"} "
                 "(autoscale, read at --admin-target); without it, distinct hosts in room "
                 "look-ups are counted");
  app.add_option("--fault-at", config.fault_at_s,
                 "Seconds into the steady phase at which the fault command runs (failover)");
  app.add_option("--fault-command", config.fault_command,
                 "Shell command (/bin/sh -c) that causes the fault, e.g. killing a session "
                 "server (failover)");
  app.add_option("--failover-goal", config.failover_goal_s,
                 "Seconds within which a disconnected bot should be back in its room (failover)");
  app.add_option("--trace", config.trace_file, "Trace file to replay (replay)");
  app.add_option("--speed", config.speed, "Time compression of the replay (10: 10x faster)");
  app.add_option("--timeout", config.timeout_s, "Seconds the whole run may take");
  app.add_option("--report", config.report_file, "Write the report as JSON to this file");
  app.add_option("--metrics-port", config.metrics_port,
                 "Serve Prometheus /metrics on 127.0.0.1:PORT (0: off)")
      ->check(CLI::Range(0, 65535));
  app.add_option("--p99-ms-max", config.p99_ms_max, "Fail when p99 delivery latency is above");
  app.add_option("--error-rate-max", config.error_rate_max,
                 "Fail when errors / operations is above this fraction");
  app.add_option("--source-addresses", config.source_addresses,
                 "Loopback source addresses (127.0.0.2, ...) for WebSockets to a loopback "
                 "host (-1: enough for the bot count)");
  app.add_option("--source-address-first", config.source_address_first,
                 "The first loopback source address: 127.0.0.<this> (to keep several loadgens "
                 "on one box apart)");
  app.add_option("--processes", config.processes,
                 "Worker processes to start (chat, failover): each takes a slice of the rooms "
                 "and its own source addresses, past one process's open-files limit; one "
                 "merged report and verdict");
  // Set by the parent of --processes in its workers; not for people.
  app.add_option("--worker-index", config.worker_index)->group("");
  app.add_option("--worker-count", config.worker_count)->group("");
  app.add_option("--room-first", config.room_first)->group("");
  app.add_option("--http-connections", config.http_connections,
                 "Keep-alive connections to the backend");
  app.add_option("--run-id", config.run_id, "Prefix of user ids (default: random)");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return {std::nullopt, app.exit(e)};  // prints the help, or what CLI11 refused
  }
  auto problems = validate(config);
  if (!problems.empty()) {
    for (auto& problem : problems) std::cerr << "loadgen: " << problem << "\n";
    std::cerr << "Run with --help for every flag.\n";
    return {std::nullopt, 2};
  }
  return {std::move(config), 0};
}

}  // namespace loadgen
