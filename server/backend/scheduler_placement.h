// Room placement by the control plane's core (control/control_core.h): this
// class is its executor. It feeds the core events (requests from the API,
// the tick, the answers of session servers, Redis and the fleet) on one
// strand, and performs the effects the core returns: HTTP calls to session
// servers (StatusPoller, RoomReservations, SessionDrain), the shared store
// in Redis (directory, members, lease, shortage), the fleet's starts and
// stops, timers, logs and metrics. It decides nothing: every rule is the
// core's, tested there and run by the simulator.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <chrono>
#include <map>
#include <memory>
#include <unordered_map>

#include "control/control_core.h"
#include "metrics/metrics.h"
#include "scheduler/fleets/managed_fleet.h"
#include "server/backend/control_metrics.h"
#include "server/backend/placement.h"
#include "server/backend/room_reservations.h"
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

// How the effects are carried out: timeouts of each kind of call.
struct PlacementOptions {
  // How often the core ticks (the autoscaler acts, every server is polled).
  std::chrono::milliseconds tick_interval{1000};
  StatusPollerOptions status;  // its scheme and admin token serve every admin call
  // Failover probes' timeout: short, the client asking waits to reconnect.
  std::chrono::milliseconds failover_probe_timeout{500};
  // How long a session server may take to answer POST /drain.
  std::chrono::milliseconds session_drain_timeout{30000};
  // Runs the scheduler's full invariant scan (O(rooms + servers)) after every
  // event and logs what it finds: for debugging, not for production load.
  bool check_invariants = false;
  ReplicaOptions replicas;
};

class SchedulerPlacement : public RoomPlacement {
 public:
  // `decisions.fleet`, `replicated` and `server_ids` are filled from `fleet`
  // and `options.replicas`.
  SchedulerPlacement(boost::asio::io_context& io, core::ControlOptions decisions,
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
  // As the fleet pinned it; fixed at construction, so read from any thread.
  const sched::AutoscalerConfig& autoscaler() const {
    return core_.scheduler().config().autoscaler;
  }
  // The fleet as the core sees it, for GET /api/fleet.
  void describe(std::function<void(boost::json::value)> done) override;

 private:
  struct Request {
    std::function<void(core::Reply)> answer;
    std::chrono::steady_clock::time_point started;
    bool creates = false;  // timed in the placement histogram
    std::unique_ptr<boost::asio::steady_timer> wake;  // its WakeAt, if any
  };

  // On the strand: one event into the core, its effects out.
  void run(const core::Event& event);
  // From any thread: `event` is run on the strand.
  void post(core::Event event);
  template <class Result, class MakeEvent>
  void ask(MakeEvent make_event, std::function<void(Result)> done, bool creates = false);
  void schedule_tick();

  // placement_effects.cc: one function a kind of effect.
  void perform(core::Answer& effect);
  void perform(core::WakeAt& effect);
  void perform(core::StartServer& effect);
  void perform(core::StopServer& effect);
  void perform(core::AdoptServer& effect);
  void perform(core::Poll& effect);
  void perform(core::Probe& effect);
  void perform(core::Reserve& effect);
  void perform(core::DrainSession& effect);
  void perform(core::ReadDirectory& effect);
  void perform(core::PlaceInDirectory& effect);
  void perform(core::MoveInDirectory& effect);
  void perform(core::FreeInDirectory& effect);
  void perform(core::ReadMembers& effect);
  void perform(core::AddMember& effect);
  void perform(core::RemoveMember& effect);
  void perform(core::ReportShortage& effect);
  void perform(core::ReadShortage& effect);
  void perform(core::ReleaseLease& effect);
  void perform(core::Log& effect);
  void perform(core::Count& effect);
  void on_server_ready(const sched::RunningServer& server);
  boost::json::object describe_lease() const;

  boost::asio::io_context& io_;
  boost::asio::strand<boost::asio::io_context::executor_type> strand_;
  sched::ManagedFleet& fleet_;
  const PlacementOptions options_;
  core::ControlCore core_;
  SchedulerExporter exporter_;
  ControlMetrics control_metrics_;
  StatusPoller poller_;
  StatusPoller prober_;  // the same request, with the failover probes' timeout
  SessionDrain session_drain_;
  RoomReservations reservations_;
  std::unique_ptr<control::RoomDirectory> directory_;
  std::unique_ptr<control::FleetMembers> members_;
  std::shared_ptr<control::FleetLease> lease_;
  std::function<void()> stopped_then_;  // stop()'s, called once the lease is given back

  std::unordered_map<core::RequestId, Request> requests_;
  core::RequestId requests_made_ = 0;
  // When each server was asked of the fleet, for the start-latency histogram.
  std::map<sched::ServerId, std::chrono::steady_clock::time_point> starts_;
  boost::asio::steady_timer tick_timer_;

};

}  // namespace chat
