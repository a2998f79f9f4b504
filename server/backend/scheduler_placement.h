// Room placement by the scheduler library: policies, reconciliation with
// what the session servers report, and an autoscaled fleet.
//
// Every call into sched::Scheduler runs on one strand (the library is
// single-threaded by design). Every tick the autoscaler acts and every
// server's GET /status is polled (StatusPoller), so the room table follows
// reality. Look-ups of rooms on a starting server wait in RoomWaiters.
// A client that could not reach its room's server has it probed at once
// (FailoverProbes, placement_failover.cc); drains, an operator's or the
// autoscaler's, ask the session server to hand its rooms over
// (SessionDrain, placement_drain.cc).
//
// Each new room is reserved on its session server before it is handed out
// (placement_reserve.cc): the server is the judge of its own limit. With a
// control store in Redis (--redis) several backends share the work
// (placement_replicas.cc): a directory of rooms any of them answers from,
// the fleet's members, and a lease: only its holder starts, stops and
// drains servers.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <chrono>
#include <deque>
#include <map>
#include <memory>
#include <set>
#include <unordered_map>
#include <vector>

#include "metrics/metrics.h"
#include "scheduler/fleets/managed_fleet.h"
#include "scheduler/scheduler.h"
#include "server/backend/failover_probes.h"
#include "server/backend/placement.h"
#include "server/backend/room_reservations.h"
#include "server/backend/room_waiters.h"
#include "server/backend/scheduler_exporter.h"
#include "server/backend/session_drain.h"
#include "server/backend/status_poller.h"
#include "server/control/directory.h"
#include "server/control/fleet_members.h"
#include "server/control/lease.h"

namespace chat {

// Replicated backends (README, "Replicas, restarts and the lease").
struct ReplicaOptions {
  // The shared control store; null: this backend is the only one, and holds
  // the fleet without a lease.
  std::shared_ptr<control::ControlRedis> redis;
  std::string replica_id;  // unique among the backends sharing the store
  std::chrono::milliseconds lease_ttl{3000};
};

struct PlacementOptions {
  // How often the autoscaler acts and every session server is polled.
  std::chrono::milliseconds tick_interval{1000};
  StatusPollerOptions status;  // its scheme and admin token serve probes and drains too
  // Probes of a server a client could not reach: their timeout, and the
  // least time between two probes of one server.
  std::chrono::milliseconds failover_probe_timeout{500};
  std::chrono::milliseconds failover_probe_interval_min{500};
  // How long a session server may take to answer POST /drain.
  std::chrono::milliseconds session_drain_timeout{30000};
  // How long a request may wait for a starting server before 503.
  std::chrono::milliseconds start_wait_max{20000};
  // Runs the scheduler's full invariant scan (O(rooms + servers)) after every
  // change and logs what it finds: for debugging, not for production load.
  bool check_invariants = false;
  // Servers tried for one new room when each refuses its reservation.
  int placement_attempts = 3;
  ReplicaOptions replicas;
};

class SchedulerPlacement : public RoomPlacement {
 public:
  SchedulerPlacement(boost::asio::io_context& io, sched::SchedulerConfig config,
                     sched::ManagedFleet& fleet, metrics::Metrics& metrics,
                     PlacementOptions options);
  ~SchedulerPlacement() override;

  void start();
  // Answers waiting requests, gives the fleet lease back, then calls `then`.
  void stop(std::function<void()> then = {});

  void create_room(const std::string& creator, int unjoined_rooms_max,
                   std::function<void(CreateRoomResult)> done) override;
  void find_room(const std::string& room_id, std::function<void(FindRoomResult)> done) override;
  void find_room_after_failure(const std::string& room_id, const std::string& unreachable_host,
                               std::function<void(FindRoomResult)> done) override;
  void drain_server(const std::string& server_id, std::function<void(DrainResult)> done) override;
  // The fleet as the scheduler sees it, for GET /api/fleet.
  void describe(std::function<void(boost::json::value)> done) override;

 private:
  // Wraps the fleet to time each server's start, for the start-latency histogram.
  class TimedProvider : public sched::FleetProvider {
   public:
    explicit TimedProvider(sched::FleetProvider& inner) : inner_(inner) {}
    std::optional<sched::ServerId> start_server() override;
    void stop_server(const sched::ServerId& id) override;
    std::map<sched::ServerId, std::chrono::steady_clock::time_point> started;
    // Whether this backend may start and stop servers now (it holds the
    // fleet lease, or there is no lease); unset: always.
    std::function<bool()> may_act;
    std::function<void(const sched::ServerId&)> on_stopped;

   private:
    sched::FleetProvider& inner_;
  };

  sched::Millis now() const;
  // The room's answer now; nullopt while its server is starting.
  std::optional<FindRoomResult> settle(const std::string& room_id);
  void find_or_wait(const std::string& room_id, std::chrono::steady_clock::time_point deadline,
                    std::function<void(FindRoomResult)> done);
  // After anything that changed the scheduler's view: metrics, waiters, checks.
  void changed(const char* by);
  void on_server_ready(const sched::RunningServer& server);
  // Where a server's /status and /metrics are: its admin listener when the
  // fleet knows it, else its public host (answering there to the admin token).
  std::string operators_host(const sched::ServerView& server) const;
  void on_poll(const sched::ServerId& id, const PollResult& result);
  // placement_failover.cc. The live server `host` that holds `room_id`, if any.
  std::optional<sched::ServerView> server_of_room_at(const std::string& room_id,
                                                     const std::string& host);
  void on_probe(const sched::ServerId& id, const PollResult& result);
  void schedule_tick();

  // placement_reserve.cc: a new room, reserved on its server before it is
  // handed out; another server after a refusal, up to placement_attempts.
  using CreateDone = std::function<void(CreateRoomResult)>;
  void place_new_room(const std::string& creator, int attempts_left, CreateDone finish);
  void reserve_room(const sched::RoomId& room_id, const std::string& creator, int attempts_left,
                    CreateDone finish);

  // placement_replicas.cc.
  bool replicated() const { return directory_ != nullptr; }
  bool manages_fleet() const;
  void start_replicas();
  void on_lease_gained(std::uint64_t token);
  void on_lease_lost();
  void sync_members();
  void on_members(const std::vector<control::Member>& members);
  void publish_member(const sched::RunningServer& server);
  // The directory follows what this backend did to a room: placed (with a
  // time to live until someone joins) or moved from `from`.
  void publish_placed(const sched::RoomId& room_id, std::function<void()> then);
  void publish_moved(const sched::RoomId& room_id, const sched::ServerId& from,
                     std::function<void(std::optional<control::RoomEntry> elsewhere)> then);
  // The holder writes rooms its servers report with members (so the
  // directory is rebuilt from the servers after any loss) and frees the
  // entries of rooms its table let go.
  void confirm_reported(const sched::ServerId& id, const sched::StatusReport& report);
  void free_confirmed();
  // A look-up through the directory: for rooms the table lacks, or holds on
  // a server that is gone (another backend may have moved it already).
  void find_shared(const std::string& room_id, std::chrono::steady_clock::time_point deadline,
                   std::function<void(FindRoomResult)> done);
  void settle_and_publish(const std::string& room_id,
                          std::chrono::steady_clock::time_point deadline,
                          std::function<void(FindRoomResult)> done);
  boost::json::object describe_lease() const;
  // A replica without the lease found no slot: it says so in the store, and
  // the holder's next tick starts a server (the shortage key lives a lease's time).
  void report_shortage();
  void take_shortage();

  // placement_drain.cc. A drain the scheduler has begun (by an operator or
  // by the autoscaler's tick): the session server is asked to hand over.
  void drain_session(const sched::ServerId& id, const char* by);
  void on_session_drained(const sched::ServerId& id, const SessionDrainResult& result);
  struct DrainRecord {
    sched::ServerId server_id;
    std::string by;                  // "operator" or "autoscaler"
    std::string state;               // draining, drained, failed
    int rooms = 0;                   // the rooms it held when the drain began
    std::vector<std::string> moved;  // the rooms the session server handed over
    long long unstored = 0;
    std::string error;  // why it failed
  };
  static constexpr std::size_t drains_kept_max = 32;
  DrainRecord& record_drain(const sched::ServerId& id, const char* by, int rooms);
  boost::json::array describe_drains() const;
  // The rooms `creator` created that are still placed and never joined
  // (forgetting the others), and how long until the oldest is freed.
  struct Unjoined {
    int count = 0;
    std::chrono::seconds oldest_freed_in{1};
  };
  Unjoined unjoined_rooms(const std::string& creator);
  // Forgets joined and freed rooms of every creator (each tick), so the map
  // holds no more than the table's placed rooms.
  void forget_joined_rooms();

  boost::asio::io_context& io_;
  boost::asio::strand<boost::asio::io_context::executor_type> strand_;
  TimedProvider provider_;  // before scheduler_, which holds a reference to it
  sched::Scheduler scheduler_;
  sched::ManagedFleet& fleet_;
  const PlacementOptions options_;
  SchedulerExporter exporter_;
  StatusPoller poller_;
  RoomWaiters waiters_;
  FailoverProbes probes_;
  SessionDrain session_drain_;
  RoomReservations reservations_;
  std::unique_ptr<control::RoomDirectory> directory_;
  std::unique_ptr<control::FleetMembers> members_;
  std::shared_ptr<control::FleetLease> lease_;
  std::uint64_t fence_token_ = 0;  // of the lease this backend holds, on the strand
  bool lease_held_ = false;        // on the strand: as the lease last said
  bool members_read_in_flight_ = false;
  // Holder: rooms written to the directory as confirmed by their server.
  std::unordered_map<sched::RoomId, sched::ServerId> confirmed_;
  prometheus::Family<prometheus::Counter>& reservation_results_;
  prometheus::Family<prometheus::Counter>& directory_reads_;
  prometheus::Gauge& lease_held_gauge_;
  prometheus::Gauge& lease_token_gauge_;
  prometheus::Counter& lease_acquisitions_;
  // Servers whose POST /drain is in flight: one drain a server at a time.
  std::set<sched::ServerId> sessions_draining_;
  // The latest drains and how they ended, for GET /api/fleet (bounded).
  std::deque<DrainRecord> drains_;
  boost::asio::steady_timer tick_timer_;
  std::map<sched::ServerId, std::string> admin_hosts_;
  // Rooms by creator while they may still be unjoined (state placed), for
  // the cap on a user's unjoined rooms. A room once joined leaves for good.
  std::unordered_map<std::string, std::vector<sched::RoomId>> unjoined_by_creator_;
  bool stopped_ = false;
};

}  // namespace chat
