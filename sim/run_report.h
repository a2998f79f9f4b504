// What one simulated run measured: the numbers every output format prints.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sim {

enum class CreateRefusal : std::uint8_t {
  no_capacity,     // every server full and the fleet at max_servers
  duplicate_room,  // the trace creates the same room twice
  count
};
enum class JoinRefusal : std::uint8_t {
  unknown_room,     // the scheduler no longer knows it (freed, or dropped after a crash)
  create_refused,   // the room's creation was refused
  no_capacity,      // the room's server is gone and no slot is free anywhere
  server_down,      // sent to a server that has crashed
  room_full,        // the room already has users_per_room_max users
  server_full,      // the server already holds rooms_per_server_max rooms
  already_in_room,  // the user joins again without leaving first
  count
};

std::string_view to_string(CreateRefusal reason);
std::string_view to_string(JoinRefusal reason);

// What the users of a crashed server do (sim/README.md, "Failover").
enum class Failover : std::uint8_t {
  leave,  // they are lost and leave (the default, as before failover existed)
  polls,  // they reconnect; the server is gone only after --failed-polls polls
  probe,  // they reconnect and report the host; a failed probe marks it gone at once
};
std::string_view to_string(Failover failover);
// nullopt for a name that is none of the above.
std::optional<Failover> failover_from_string(std::string_view name);

enum class FailureKind : std::uint8_t { none, crash, liveness, correctness };
std::string_view to_string(FailureKind kind);

struct Failure {
  FailureKind kind = FailureKind::none;
  std::int64_t time_ms = 0;
  std::string what;
};

// Servers in use against the lower bound, per sample interval (the highest
// value seen in it), for the plot.
struct Sample {
  std::int64_t time_ms = 0;
  int servers = 0;
  int lower_bound = 0;
};

struct RunReport {
  std::uint64_t seed = 0;  // this run's master seed (the replication's)
  int replication = 0;     // 0-based, in the order of --replications' seeds
  std::string policy;
  int spare_room_slots = 0;
  std::int64_t idle_timeout_s = 0;
  int defrag_max_rooms = 0;  // 0: defragmentation off
  Failover failover = Failover::leave;
  // "best-fit spare=10 idle=60s", then " defrag=2" and " failover=probe"
  // when they are not off.
  std::string label() const;

  double server_seconds = 0;
  int servers_peak = 0;
  double gap_mean = 0;  // servers in use minus the lower bound, time-weighted
  int gap_worst = 0;
  int lower_bound_peak = 0;

  std::uint64_t rooms_created = 0;
  std::uint64_t rooms_waited = 0;  // placed on a server still starting
  std::int64_t wait_p50_ms = 0;    // creation to the first user in, for those
  std::int64_t wait_p99_ms = 0;
  std::int64_t wait_max_ms = 0;
  std::array<std::uint64_t, static_cast<int>(CreateRefusal::count)> creates_refused{};
  std::uint64_t joins = 0;
  std::uint64_t joins_accepted = 0;
  std::uint64_t joins_cancelled = 0;  // the user left while waiting for a start
  std::array<std::uint64_t, static_cast<int>(JoinRefusal::count)> joins_refused{};

  std::uint64_t scale_out = 0;  // servers started
  std::uint64_t scale_in = 0;   // idle servers stopped
  std::uint64_t start_timeouts = 0;
  std::uint64_t starts_failed = 0;  // --start-failure-rate: never became ready
  std::uint64_t server_crashes = 0;
  std::uint64_t rooms_lost_to_crashes = 0;
  std::uint64_t users_lost_to_crashes = 0;

  // Drains of the defrag policy, and the rooms and users they moved.
  std::uint64_t drains = 0;
  std::uint64_t drains_cancelled = 0;  // the server crashed before it confirmed
  std::uint64_t rooms_moved = 0;       // placed elsewhere by the scheduler
  std::uint64_t users_moved = 0;       // closed with 1012, to reconnect
  // Failover: servers the probes marked gone; users of interrupted rooms
  // (a crash, unless --failover=leave, or a drain) who got back in, or gave
  // up (their room unknown or without a slot by then).
  std::uint64_t servers_marked_gone_by_probe = 0;
  std::uint64_t reconnects = 0;
  std::uint64_t reconnects_failed = 0;
  // Room downtime: from the interruption until its first user is back in it,
  // for the rooms that came back.
  struct Downtime {
    std::uint64_t rooms = 0;
    std::int64_t p50_ms = 0;
    std::int64_t p99_ms = 0;
    std::int64_t max_ms = 0;
  };
  Downtime downtime_crash;
  Downtime downtime_move;

  std::uint64_t messages = 0;
  std::uint64_t messages_undelivered = 0;  // sender not in the room
  std::uint64_t deliveries = 0;            // one message reaching one member
  std::uint64_t events = 0;
  std::int64_t simulated_ms = 0;
  std::uint64_t invariant_checks = 0;

  std::vector<Sample> samples;
  Failure failure;

  std::uint64_t joins_refused_total() const;
};

}  // namespace sim
