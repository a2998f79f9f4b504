#include "loadgen/config.h"

#include <CLI/CLI.hpp>
#include <iostream>
#include <random>

namespace loadgen {

namespace {

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
