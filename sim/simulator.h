// One simulated run: the backend's control core (//control, with the real
// scheduler inside) on a simulated clock, a simulated fleet, and users who
// follow a workload (create a room, look it up, join the server it names,
// wait while it starts, leave, send messages). The simulator is the core's
// executor (sim/core_calls.cc): it feeds it the events the backend would,
// and answers its effects as the session servers would. The workload is
// sim/workload.h; the checker that knows the expected state is sim/checker.h.
#pragma once

#include <cstdint>
#include <functional>
#include <unordered_map>
#include <vector>

#include "control/control_core.h"
#include "scheduler/scheduler.h"
#include "sim/bucket_queue.h"
#include "sim/checker.h"
#include "sim/flat_map.h"
#include "sim/run_report.h"
#include "sim/sim_event.h"
#include "sim/sim_fleet.h"
#include "sim/timeline.h"
#include "sim/workload.h"

namespace sim {

struct SimConfig {
  std::uint64_t seed = 1;  // the master seed: every component's derives from it
  sched::SchedulerConfig scheduler;
  int placement_attempts = 3;  // the core's: servers tried for one new room
  FleetConfig fleet;
  std::int64_t poll_interval_ms = 1'000;  // the backend polls each server's status
  std::int64_t tick_interval_ms = 1'000;  // Scheduler::tick
  std::int64_t lookup_retry_ms = 500;     // a client told "starting" asks again
  // A client told "unavailable" (its room's server is gone and no server has
  // a slot) waits the answer's Retry-After (scheduler.retry_after) and asks
  // again until it gets in or leaves; false: the join is refused at once.
  bool retry_unavailable = false;
  // What users of a crashed server do; unless `leave`, they reconnect.
  Failover failover = Failover::leave;
  // How long a user whose connection was closed (a crash, or 1012 "Room
  // moving" at the end of a drain) takes to look the room up again.
  std::int64_t reconnect_delay_ms = 1'000;
  // From a drain's request until the session server confirms it (clients
  // closed, history stored). Drains come from the defrag policy
  // (scheduler.autoscaler.defrag_max_rooms).
  std::int64_t drain_confirm_ms = 1'000;
  std::int64_t sample_interval_ms = 60'000;
  std::size_t samples_max = 100'000;
  // Scheduler calls between two invariant checks; 0: only at the end.
  std::uint64_t check_every = 0;
  // Poll reports are skipped when they cannot change the scheduler's table
  // (nothing changed on the server and the table agrees on its room count);
  // true sends every one, as the real poller does.
  bool report_every_poll = false;
};

// Called now and then with the simulated time, for a progress indicator.
using ProgressFn = std::function<void(std::int64_t simulated_ms, std::uint64_t events)>;

class Simulator {
 public:
  Simulator(SimConfig config, Workload& workload);
  RunReport run(const ProgressFn& progress = {});

 private:
  struct SimulatedRoom {
    sched::RoomId scheduler_id;
    sched::RoomKey scheduler_key = sched::kNoRoomKey;  // passed back: no hashing of the id
    std::int64_t created_ms = 0;
    std::int64_t hosted_on = -1;   // fleet index, or -1
    std::uint32_t generation = 0;  // moves on when the room dies with its server
    int users_waiting = 0;
    bool refused = false;
    // POST /api/rooms is unanswered: the room's server is starting. Its
    // users wait (asking again) until the creator has the room's id.
    bool create_pending = false;
    bool waiting_for_start = false;  // placed on a starting server, nobody in yet
    bool active = false;             // counted in active_rooms_
    bool interrupted_by_crash = false;
    int users_reconnecting = 0;
    std::int64_t interrupted_ms = -1;    // its users were cut off here, none back yet
    std::vector<std::uint64_t> members;  // users in it (in_room, this generation)
  };
  // reconnecting: was in the room (its join accepted) until a crash or a
  // drain closed the connection; looks the room up again.
  enum class UserPhase : std::uint8_t { arriving, waiting, in_room, reconnecting };
  struct SimulatedUser {
    std::uint64_t room = 0;
    std::uint32_t generation = 0;  // the room's generation when the user got in
    std::uint32_t retry_token = 0;
    std::int64_t waiting_since_ms = 0;
    std::int32_t unreachable_server = -1;  // reconnecting after a crash: the fleet index
    bool waiting_for_capacity = false;     // told "unavailable", retrying after Retry-After
    UserPhase phase = UserPhase::arriving;
  };

  // sim/core_calls.cc: the simulator as the control core's executor.
  struct PendingRequest {
    bool creates = false;
    std::uint64_t id = 0;      // the workload's room (creates) or user (look-ups)
    std::uint32_t token = 0;   // look-ups: the user's retry token when asked
  };
  // Asks the core (a CreateRoom, or a FindRoom for `user`). Its answer goes
  // to on_create_answer or on_lookup_answer whenever it comes: true when it
  // came at once (the usual case).
  template <class Request>
  bool ask(const Request& request, PendingRequest pending, SimulatedRoom& room,
           SimulatedUser* user = nullptr);
  // Feeds one event and performs its effects, and theirs, until none is left.
  // E is the kind of event, fed as it is (core::Event only for the results
  // effects bring back): wrapping every request and report in an Event cost
  // a copy and a visit each. Instantiated in core_calls.cc for each kind.
  template <class E>
  void drive(const E& event);
  template <class E>
  void feed(const E& event);
  void perform(core::Effect& effect);
  // Answered within ask(), before the asker moved on.
  void answered_at_once(core::Reply& reply);
  // Answered later (the room's server was starting).
  void answered(const PendingRequest& pending, core::Reply& reply);
  void on_create_answer(SimulatedRoom& room, core::CreateRoomResult& result);
  void on_lookup_answer(std::uint64_t user_id, SimulatedUser& user, SimulatedRoom& room,
                        const core::FindRoomResult& result);
  core::RequestId next_request() { return ++requests_made_; }
  const sched::Scheduler& scheduler() const { return core_.scheduler(); }

  void step(const WorkloadEvent& event);
  void step(const SimEvent& event);
  void on_create(const WorkloadEvent& event);
  void on_join(const WorkloadEvent& event);
  void on_leave(const WorkloadEvent& event);
  void on_message(const WorkloadEvent& event);
  void try_join(std::uint64_t user_id, SimulatedUser& user, SimulatedRoom& room);
  void enter_server(std::uint64_t user_id, SimulatedUser& user, SimulatedRoom& room,
                    const std::string& host);
  void refuse_join(std::uint64_t user_id, SimulatedUser& user, SimulatedRoom& room,
                   JoinRefusal why);
  void begin_waiting(SimulatedUser& user, SimulatedRoom& room);
  void stop_waiting(SimulatedUser& user, SimulatedRoom& room);
  void wait_and_retry(std::uint64_t user_id, SimulatedUser& user, SimulatedRoom& room,
                      std::int64_t delay_ms);
  void on_lookup_retry(const SimEvent& event);
  // Failover and drains: sim/failover.cc.
  void interrupt_room(SimulatedRoom& room, bool by_crash, std::int32_t crashed_server);
  void retry_reconnect(std::uint64_t user_id, SimulatedUser& user, std::int64_t delay_ms);
  void reconnect(std::uint64_t user_id, SimulatedUser& user, SimulatedRoom& room);
  void reconnected(SimulatedUser& user, SimulatedRoom& room);
  void give_up_reconnect(std::uint64_t user_id, SimulatedUser& user, SimulatedRoom& room);
  void stop_reconnecting(SimulatedUser& user, SimulatedRoom& room);
  void note_back_in(SimulatedRoom& room);
  void begin_drain(const sched::ServerId& id);
  void on_drain_confirm(std::uint32_t index);
  void on_server_ready(std::uint32_t index);
  void on_server_crash(std::uint32_t index);
  void poll_round();
  void tick();
  void watch_if_placed(const SimulatedRoom& room);
  void add_unjoined_placements(std::vector<std::uint32_t>& round);
  void update_activity(SimulatedRoom& room);

  void after_scheduler_call();
  void check_now();
  void check_liveness_at_end();
  bool lower_bound_must_hold() const;
  std::int64_t wait_limit_ms() const;
  void finish_report();
  void fail(FailureKind kind, std::string what);
  std::int64_t now_ms() const { return clock_.now().count(); }

  SimConfig config_;
  Workload& workload_;
  sched::ManualClock clock_;
  // Every push is at or after the last pop, as a calendar queue needs: a
  // heap cost a sift through every server's pending crash on each pop.
  BucketQueue<SimEvent> queue_;
  SimFleet fleet_;
  core::ControlCore core_;
  core::Effects effects_;         // reused: no allocation per call
  std::vector<core::Event> inbox_;  // results of effects, fed back in order
  bool driving_ = false;
  core::RequestId requests_made_ = 0;
  core::RequestId asking_ = 0;  // the request ask() is waiting on
  PendingRequest asking_for_;
  // Its room and user (look-ups), as ask() had them: rooms_ and users_ take
  // no insertion while the core is driven (only workload events add to
  // them), so an answer within ask() finds both here, not by a look-up.
  SimulatedRoom* asking_room_ = nullptr;
  SimulatedUser* asking_user_ = nullptr;
  bool answered_at_once_ = false;
  std::unordered_map<core::RequestId, PendingRequest> pending_;
  Timeline timeline_;
  RunReport report_;

  FlatMap<SimulatedRoom> rooms_;  // by the workload's ids
  FlatMap<SimulatedUser> users_;
  // Crashed after they became ready, and not yet taken as gone: polled
  // (unanswered) every round.
  std::vector<std::uint32_t> crashed_polled_;
  // Rooms the scheduler may have placed on a server without the server
  // knowing (nobody joined yet), by key: their servers' reports are due until
  // a report settles them (sim/fleet_events.cc, poll_round).
  std::vector<sched::RoomKey> placements_watched_;
  std::uint64_t servers_became_ready_ = 0;
  std::vector<std::int64_t> waits_ms_;
  std::vector<std::int64_t> downtimes_crash_ms_;
  std::vector<std::int64_t> downtimes_move_ms_;
  int active_rooms_ = 0;
  int users_waiting_ = 0;
  int users_reconnecting_ = 0;
  std::uint64_t calls_since_check_ = 0;
  bool check_due_ = false;
  std::uint64_t poll_rounds_ = 0;
  std::vector<std::uint32_t> poll_round_servers_;  // poll_round's, kept for its capacity
};

}  // namespace sim
