// The simulated fleet: session servers that take a random time to start,
// crash at random (exponential time to failure), hold rooms in memory with
// the same limits as the real ones (rooms a server, users a room), and answer
// status polls until they die. The control core starts and stops them
// (StartServer, StopServer); as a FleetProvider, tests drive them directly.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "control/events.h"
#include "scheduler/clock.h"
#include "scheduler/fleet_provider.h"
#include "scheduler/scheduler.h"
#include "sim/bucket_queue.h"
#include "sim/random.h"
#include "sim/sim_event.h"
#include "sim/start_delays.h"

namespace sim {

// A crash at a chosen moment, for scenario tests: server "s<index + 1>".
struct ScheduledCrash {
  std::int64_t time_ms = 0;
  std::uint32_t server_index = 0;
};

struct FleetConfig {
  std::int64_t start_delay_ms_min = 5'000;
  std::int64_t start_delay_ms_max = 30'000;
  // Measured start-ups (--start-delay-file): used instead of the uniform
  // min/max above, which then hold the distribution's extremes.
  std::shared_ptr<const StartDelayDistribution> start_delays;
  // A start that fails never answers: the scheduler gives up on it after
  // its start_timeout, as the backend does. 0: every start succeeds (and no
  // random draw is made, so runs without failures are as before).
  double start_failure_rate = 0;
  double crashes_per_server_hour = 0;  // 0: servers never crash
  int rooms_per_server_max = 10;
  int users_per_room_max = 100;
  std::size_t servers_max = 1'000'000;            // a bound on the fleet's bookkeeping
  std::vector<ScheduledCrash> crashes_scheduled;  // on top of the random ones
};

enum class ServerPhase : std::uint8_t { starting, running, stopped, crashed };

// A room that died with its server, and the users it had.
struct HostedRoom {
  std::uint64_t room = 0;  // the workload's room id
  int users = 0;
};

struct SimServer {
  sched::ServerId id;
  std::string host;
  ServerPhase phase = ServerPhase::starting;
  // The rooms it holds: rooms[i] (the workload's id) is status().rooms[i]
  // (the scheduler's id, with its users). At most rooms_per_server_max, so a
  // scan is cheap.
  std::vector<std::uint64_t> rooms;
  // Its GET /status answer, kept up to date at every join and leave, inside
  // the event the backend's poller would feed the control core (with the
  // server's id, and its key once ready): a poll builds and copies nothing.
  core::Polled poll;
  sched::StatusReport& status() { return std::get<sched::StatusReport>(poll.result); }
  const sched::StatusReport& status() const { return std::get<sched::StatusReport>(poll.result); }
  // Something changed since its last report (SimFleet::mark_report_due).
  bool report_due = false;
  // When it became ready, counted: the backend polls servers in this order.
  std::uint64_t poll_order = 0;
  int polls_unanswered = 0;
  bool draining = false;  // asked to drain: refuses new clients until stopped
};

enum class JoinOutcome : std::uint8_t { joined, room_full, server_full, server_down, draining };

class SimFleet final : public sched::FleetProvider {
 public:
  SimFleet(FleetConfig config, std::uint64_t seed, BucketQueue<SimEvent>& queue,
           const sched::ManualClock& clock);

  std::optional<sched::ServerId> start_server() override;
  void stop_server(const sched::ServerId& id) override;
  // The control core names the servers it starts: the name the next
  // start_server() gives (servers start in the order they are named).
  sched::ServerId next_id() { return "s" + std::to_string(servers_.size() + ++named_ahead_); }
  // StartServer{id}: false when the fleet is at its bound (servers_max).
  bool start_named(const sched::ServerId& id);

  // Event handlers. Both return false when the server is no longer there.
  bool finish_start(std::uint32_t index);
  // The rooms (with their users) that died with the server; none for a server
  // not (or no longer) running or starting.
  std::vector<HostedRoom> crash(std::uint32_t index);

  // POST /drain: the server refuses new clients from now on (503).
  void begin_drain(std::uint32_t index);
  // The drain's end: every client closed with 1012 and the history stored.
  // Returns the rooms it held, with their users; it holds none afterwards.
  std::vector<HostedRoom> close_for_drain(std::uint32_t index);

  // key: the scheduler's key for the room, passed back in the status report.
  JoinOutcome join(std::uint32_t index, std::uint64_t room, const sched::RoomId& scheduler_id,
                   sched::RoomKey key = sched::kNoRoomKey);
  // Returns the users left in the room (the room is dropped at 0).
  int leave(std::uint32_t index, std::uint64_t room);
  int users_in(std::uint32_t index, std::uint64_t room) const;

  // The server's GET /status (valid until its rooms next change).
  const sched::StatusReport& status(std::uint32_t index) const { return servers_[index].status(); }
  // nullopt for a host this fleet never handed out.
  std::optional<std::uint32_t> index_of_host(const std::string& host) const;
  std::optional<std::uint32_t> index_of_id(std::string_view id) const;

  // Its next poll should send its report: its rooms or users changed, or it
  // just started. The servers marked since the last take_report_due(), each
  // once, in no particular order: polls touch only them, not the whole fleet.
  void mark_report_due(std::uint32_t index);
  // Moves them into `round` (cleared first). Both lists keep their capacity:
  // a poll round a second allocates nothing.
  void take_report_due(std::vector<std::uint32_t>& round);

  SimServer& at(std::uint32_t index) { return servers_[index]; }
  const SimServer& at(std::uint32_t index) const { return servers_[index]; }
  std::size_t size() const { return servers_.size(); }
  const FleetConfig& config() const { return config_; }

  int servers_in_use() const { return servers_in_use_; }  // starting or running
  std::uint64_t crashes() const { return crashes_; }
  std::uint64_t starts_failed() const { return starts_failed_; }
  // The scheduler must never stop a server that holds users: counted, and
  // the checker calls it a correctness failure.
  std::uint64_t users_lost_to_stops() const { return users_lost_to_stops_; }

 private:
  // The room's position in server.rooms (and status.rooms), or -1.
  static int find_room(const SimServer& server, std::uint64_t room);
  void leave_service(SimServer& server, ServerPhase phase);

  FleetConfig config_;
  Rng rng_;
  BucketQueue<SimEvent>& queue_;
  const sched::ManualClock& clock_;
  std::vector<SimServer> servers_;  // index i is server "s<i+1>"
  std::vector<std::uint32_t> report_due_;
  std::size_t named_ahead_ = 0;  // named by next_id(), not started yet
  int servers_in_use_ = 0;
  std::uint64_t crashes_ = 0;
  std::uint64_t starts_failed_ = 0;
  std::uint64_t users_lost_to_stops_ = 0;
};

}  // namespace sim
