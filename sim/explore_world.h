// The world around 1 to 3 control cores (the very core::ControlCore the
// backend runs): session servers, the fleet that starts and stops them, the
// shared store, the network between them, and clients. Each effect a core
// emits is performed here as the backend's executor performs it
// (server/backend/placement_effects.cc) and its result delivered back as an
// event after a random delay; a call that is lost or late gets, at the
// caller's timeout, the failure the executor would deliver (NotHeard,
// ReservationFailed, DirectoryDown, ...). Faults come from the run's drawn
// configuration (explore_config.h): failed starts, crashes, lost and late
// calls, store outages, and replica pauses longer than the lease, after
// which a holder acts on a lease it no longer has until it is told.
//
// Time is simulated milliseconds; every draw comes from the run's seed.
// The files: explore_world.cc (the loop, replicas, ticks, the lease,
// faults), explore_executor.cc (each effect performed), explore_clients.cc
// (the clients).
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "control/control_core.h"
#include "sim/event_queue.h"
#include "sim/explore_checker.h"
#include "sim/explore_config.h"
#include "sim/explore_server.h"
#include "sim/explore_store.h"
#include "sim/random.h"

namespace sim::explore {

// What a run put to the test: a checker that saw none of a kind of fault
// proved nothing about it.
struct Exercised {
  std::uint64_t requests = 0;
  std::uint64_t leases_taken = 0;
  std::uint64_t stale_writes_refused = 0;
  std::uint64_t crashes = 0;
  std::uint64_t store_outages = 0;
  std::uint64_t pauses = 0;
  void add(const Exercised& other) {
    requests += other.requests;
    leases_taken += other.leases_taken;
    stale_writes_refused += other.stale_writes_refused;
    crashes += other.crashes;
    store_outages += other.store_outages;
    pauses += other.pauses;
  }
};

class ExploreWorld {
 public:
  // `trace`, if set, hears every event a core takes and every effect it
  // emits, and what happens in the world (explore_trace.h).
  ExploreWorld(const ExploreConfig& config, ExploreChecker& checker,
               std::ostream* trace = nullptr);
  ~ExploreWorld();
  ExploreWorld(const ExploreWorld&) = delete;
  ExploreWorld& operator=(const ExploreWorld&) = delete;

  // Runs to the configured end, or until the checker finds a failure.
  void run();

  // What the checker reads.
  const ExploreConfig& config() const { return config_; }
  std::int64_t now_ms() const { return now_ms_; }
  Millis now() const { return Millis(now_ms_); }
  std::uint64_t events() const { return events_; }
  int replicas() const { return static_cast<int>(replicas_.size()); }
  const core::ControlCore& core(int replica) const { return *replicas_[replica].core; }
  const std::vector<std::unique_ptr<SessionServer>>& servers() const { return servers_; }
  int servers_running() const;
  const ControlStore& store() const { return store_; }
  // (e): reservations of new rooms admitted by a server that was draining.
  const std::vector<std::string>& reservations_while_draining() const {
    return reservations_while_draining_;
  }
  Exercised exercised() const;
  // The servers that are up, not draining, and hold the room with members.
  std::vector<const SessionServer*> holders_of(const sched::RoomId& room_id) const;

 private:
  // One step of the world at its time: on a replica's process (`replica`),
  // or the world's own (-1: servers, store, clients). A paused replica's
  // steps wait until it resumes, and then run in the order they came.
  struct Step {
    int replica = -1;
    std::function<void()> run;
  };
  // server/control/lease.cc's FleetLease, as one replica's executor has it.
  struct LeaseAgent {
    bool held = false;
    std::uint64_t token = 0;
    std::string holder;  // as last seen
    std::int64_t renewed_at_ms = 0;
  };
  struct Replica {
    std::string name;
    std::unique_ptr<core::ControlCore> core;
    std::int64_t paused_until_ms = -1;
    // A pause due (its length, and since when): it strikes between deciding
    // and doing, after the next event that decides a fleet action or a
    // fenced write (or any event, once a while has passed); the effects
    // decided leave only once the replica resumes.
    std::int64_t pause_due_ms = 0;
    std::int64_t pause_due_since_ms = 0;
    std::vector<Step> held;  // came during a pause
    LeaseAgent lease;
    // One Redis connection: its commands arrive, and are answered, in order.
    std::int64_t store_arrival_last_ms = 0;
    std::int64_t store_answer_last_ms = 0;
  };
  // Who waits for a request's answer.
  enum class Asker : std::uint8_t { client, operator_drain, agreement };
  struct Ask {
    Asker asker = Asker::client;
    int client = -1;
  };
  struct Client {
    enum class Phase : std::uint8_t { resting, creating, looking_up, connecting, in_room };
    Phase phase = Phase::resting;
    sched::RoomId room;
    std::optional<std::string> unreachable_host;  // what its look-ups report
    int server = -1;                              // in_room: where, and in which incarnation
    int incarnation = 0;
    int lookups = 0;         // for this room
    int creates = 0;         // for this arrival
    std::uint64_t step = 0;  // its one pending step; older ones are stale
  };
  // How a call fares on the network, drawn when it is made.
  enum class Via : std::uint8_t { http, store };
  // A target's answer: what the caller does with it when it arrives.
  using Respond = std::function<void(std::function<void()> at_caller)>;

  // explore_world.cc
  void at(std::int64_t time_ms, int replica, std::function<void()> run);
  void execute(Step& step);
  void deliver(int replica, const core::Event& event);
  void perform_all(int replica, core::Effects& effects);
  bool pause_strikes(const Replica& replica, const core::Effects& effects) const;
  void send(int replica, std::int64_t time_ms, core::Event event);
  void start();
  void tick(int replica);
  bool lease_held_now(const Replica& replica) const;
  void lease_round(int replica);
  void acquire_lease(int replica);
  void renew_lease(int replica);
  void read_lease_holder(int replica);
  void lose_lease(int replica);
  void schedule_faults();
  void pause(int replica, std::int64_t duration_ms);
  void resume(int replica);
  void schedule_crash(int server);
  void crash(int server, int incarnation);
  void operator_drain();
  void ask_agreement();
  bool busy() const { return now_ms_ < config_.busy_ms; }
  std::int64_t latency();
  bool draw(double share);
  void note(int replica, const std::string& text);

  // explore_executor.cc
  void call(int replica, Via via, std::int64_t timeout_ms,
            std::function<void(const Respond&)> at_target, std::function<void()> on_timeout);
  void store_call(int replica, std::function<void(const Respond&)> at_store,
                  std::function<void()> on_failure);
  void status_call(int replica, const sched::ServerId& id, const std::string& address,
                   std::int64_t timeout_ms, bool probe);
  SessionServer* listening_at(const std::string& address);
  int index_of(const sched::ServerId& id) const;
  void add_server(const core::Member& member);
  void perform(int replica, core::Answer& effect);
  void perform(int replica, core::WakeAt& effect);
  void perform(int replica, core::StartServer& effect);
  void perform(int replica, core::StopServer& effect);
  void perform(int replica, core::AdoptServer& effect);
  void perform(int replica, core::Poll& effect);
  void perform(int replica, core::Probe& effect);
  void perform(int replica, core::Reserve& effect);
  void perform(int replica, core::DrainSession& effect);
  void perform(int replica, core::ReadDirectory& effect);
  void perform(int replica, core::PlaceInDirectory& effect);
  void perform(int replica, core::MoveInDirectory& effect);
  void perform(int replica, core::FreeInDirectory& effect);
  void perform(int replica, core::ReadMembers& effect);
  void perform(int replica, core::AddMember& effect);
  void perform(int replica, core::RemoveMember& effect);
  void perform(int replica, core::ReportShortage& effect);
  void perform(int replica, core::ReadShortage& effect);
  void perform(int replica, core::ReleaseLease& effect);
  void perform(int replica, core::Log& effect);
  void perform(int replica, core::Count& effect);

  // explore_clients.cc
  core::RequestId submit(int replica, RequestKind kind, Ask ask,
                         const std::function<core::Event(core::RequestId)>& make);
  void client_later(int client, std::int64_t delay_ms, std::function<void(Client&)> next);
  void client_rest(int client);
  void client_arrive(int client);
  void client_create(int client);
  void client_find(int client);
  void client_answered(int client, const core::Reply& reply);
  void client_connect(int client, const std::string& host);
  void client_leave(int client);
  // Its clients lose their connections: a crash or a stop (they report the
  // host unreachable), or a drain's 1012 (they look the room up again).
  void disconnect_clients(int server, bool unreachable);
  void remember_room(const sched::RoomId& room_id);
  int any_replica();

  ExploreConfig config_;
  ExploreChecker& checker_;
  std::ostream* trace_;
  EventQueue<Step> queue_;
  std::int64_t now_ms_ = 0;
  std::uint64_t events_ = 0;
  Rng network_rng_;
  Rng fault_rng_;
  Rng server_rng_;
  Rng client_rng_;

  std::vector<Replica> replicas_;
  ControlStore store_;
  std::int64_t store_down_until_ms_ = -1;
  std::vector<std::unique_ptr<SessionServer>> servers_;
  std::map<std::string, int> server_by_address_;  // host and admin host
  std::map<sched::ServerId, int> server_by_id_;
  int servers_named_ = 0;
  std::vector<std::string> reservations_while_draining_;
  Exercised exercised_;

  std::vector<Client> clients_;
  std::map<core::RequestId, Ask> asks_;
  core::RequestId requests_made_ = 0;
  std::deque<sched::RoomId> known_rooms_;  // rooms clients heard of, the latest few
};

}  // namespace sim::explore
