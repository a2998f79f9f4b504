// The control plane's decisions as one deterministic state machine: which
// server gets a room, what a refused reservation means, when a server counts
// as gone, who may start or stop servers, when a drain is finished, what the
// shared directory says after a move. It takes events (events.h) and returns
// effects (effects.h), and does nothing else: no sockets, no clocks, no
// threads, no randomness of its own (the scheduler's generator and the room
// ids come in at construction). The backend's executor turns its effects
// into HTTP and Redis calls; the simulator runs the same core against
// simulated servers, stores and clients.
//
// The files: control_core.cc (dispatch, polls, the tick, the fleet),
// create.cc (new rooms and their reservations), find.cc (look-ups, waiting
// for a start, failover probes, the directory), drain.cc (drains),
// replicas.cc (the lease, the fleet's members, the shortage hand-off).
#pragma once

#include <algorithm>
#include <deque>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <type_traits>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "control/effects.h"
#include "control/events.h"
#include "control/options.h"
#include "scheduler/scheduler.h"

namespace core {

// A drain and how it ended, for GET /api/fleet.
struct DrainRecord {
  sched::ServerId server_id;
  std::string by;                  // "operator" or "autoscaler"
  std::string state;               // draining, drained, failed
  int rooms = 0;                   // the rooms it held when the drain began
  std::vector<std::string> moved;  // the rooms the session server handed over
  long long unstored = 0;
  std::string error;  // why it failed
};

class ControlCore {
 public:
  // The fleet's servers that exist before anything starts (a static list)
  // come in as ServerStarted events.
  ControlCore(ControlOptions options, sched::RoomIdGenerator room_ids, sched::Random random);
  ControlCore(const ControlCore&) = delete;
  ControlCore& operator=(const ControlCore&) = delete;

  // Takes one event that happened at `now` (never earlier than the last) and
  // appends what to do to `out`, in the order it must be done.
  void handle(sched::Millis now, const Event& event, Effects& out);
  Effects handle(sched::Millis now, const Event& event);
  // The same for an event of a known kind, not wrapped in an Event: the
  // simulator feeds millions, and wrapping each cost a copy and a visit.
  template <class E>
  void handle(sched::Millis now, const E& event, Effects& out);

  // Views, for GET /api/fleet, metrics and checks.
  const sched::Scheduler& scheduler() const { return scheduler_; }
  const ControlOptions& options() const { return options_; }
  // Whether this core may start, stop and drain servers now: it holds the
  // fleet lease, or there is no lease. The one rule every fleet action obeys.
  bool manages_fleet() const { return !options_.replicated || lease_held_; }
  std::uint64_t fencing_token() const { return fencing_token_; }
  const std::string& lease_holder() const { return lease_holder_; }
  const std::deque<DrainRecord>& drains() const { return drains_; }
  // Where a server's /status, /drain and /reservations are.
  std::string admin_host(const sched::ServerId& id, const std::string& host) const;
  // Requests waiting for an answer (bounded by the executor's admission).
  std::size_t requests_pending() const;
  bool stopped() const { return stopped_; }

  static constexpr std::size_t drains_kept_max = 32;

 private:
  // The scheduler's FleetProvider: its starts and stops become effects.
  class FleetEffects : public sched::FleetProvider {
   public:
    explicit FleetEffects(ControlCore& core) : core_(core) {}
    std::optional<sched::ServerId> start_server() override;
    void stop_server(const sched::ServerId& id) override;

   private:
    ControlCore& core_;
  };

  // Per event.
  void on(const CreateRoom& event);
  void on(const FindRoom& event);
  void on(const DrainServer& event);
  void on(const Stop& event);
  void on(const Tick& event);
  void on(const PollRound& event);
  void on(const WakeUp& event);
  void on(const Polled& event);
  void on(const Probed& event);
  void on(const ReservationAnswered& event);
  void on(const DirectoryRead& event);
  void on(const DirectoryPlaced& event);
  void on(const DirectoryMoved& event);
  void on(const MembersRead& event);
  void on(const AdoptionFailed& event);
  void on(const LeaseGained& event);
  void on(const LeaseLost& event);
  void on(const LeaseSeen& event);
  void on(const ShortageSeen& event);
  void on(const ServerStarted& event);
  void on(const ServerStartFailed& event);
  void on(const DrainConfirmed& event);
  void on(const DrainFailed& event);

  template <class T>
  void emit(T&& effect) {
    out_->emplace_back(std::in_place_type<std::decay_t<T>>, std::forward<T>(effect));
  }
  void log(LogLevel level, std::string text) { emit(Log{level, std::move(text)}); }
  void count(Counter counter, const char* label = "") { emit(Count{counter, label}); }
  // The reply is built in its place in `out_` from the result: an answer is
  // not moved through a Reply and an Answer on its way there.
  template <class Result>
  void answer(RequestId request, Result&& result) {
    out_->emplace_back(std::in_place_type<Answer>, request, std::forward<Result>(result));
  }
  std::string admin_host(const sched::ServerView& server) const;
  // admin_host's, not copied: the caller copies it where it goes.
  const std::string& admin_host_of(const sched::ServerId& id, const std::string& host) const;

  // create.cc
  struct PendingCreate {
    std::string creator;
    bool capped = false;  // its creator's unjoined rooms are counted
    int attempts_left = 1;
    sched::RoomId room_id;
    sched::RoomKey room_key = sched::kNoRoomKey;
    std::string host;           // of its server, as the placement answered
    sched::ServerId server_id;  // where its reservation is asked
  };
  // `create` is creates_'s record for `request`.
  void place_new_room(RequestId request, PendingCreate& create);
  void reserve(RequestId request, PendingCreate& create);
  void finish_create(RequestId request, CreateRoomResult result);
  void continue_create(RequestId request, const FindRoomResult& found);
  struct Unjoined {
    int count = 0;
    std::chrono::seconds oldest_freed_in{1};
  };
  Unjoined unjoined_rooms(const std::string& creator);
  void forget_joined_rooms();

  // find.cc
  struct PendingFind {
    sched::RoomId room_id;
    sched::Millis deadline{0};
    // Placed again here, and the directory asked to follow: the answer
    // unless another backend moved it first.
    std::optional<FindRoomResult> settled;
  };
  // The room's answer now; nullopt while its server is starting.
  std::optional<FindRoomResult> settle(const sched::RoomId& room_id,
                                      sched::RoomKey hint = sched::kNoRoomKey);
  void find_or_wait(RequestId request, const sched::RoomId& room_id, sched::Millis deadline,
                    sched::RoomKey hint = sched::kNoRoomKey);
  void find_shared(RequestId request, const sched::RoomId& room_id, sched::Millis deadline);
  void settle_and_publish(RequestId request, const sched::RoomId& room_id,
                          sched::Millis deadline);
  void after_probe(RequestId request, const sched::RoomId& room_id, sched::Millis deadline);
  std::optional<sched::ServerView> server_of_room_at(const sched::RoomId& room_id,
                                                     const std::string& host);
  void probe(RequestId request, const sched::RoomId& room_id, sched::Millis deadline,
             const sched::ServerView& suspect);
  void follow_probe(const sched::ServerId& id, const StatusResult& result);
  void answer_waiters_of(const sched::RoomId& room_id, const FindRoomResult& result);
  void forget_unwritten(const sched::RoomId& room_id, RequestId request);
  void learn_host(const DirectoryEntry& entry);
  // Answers the waiting requests whose rooms have settled.
  void wake_waiters();
  // A waiting room is on a starting server (or being placed by a start), so
  // only events that start, fail, free, move or forget servers or rooms can
  // settle it. Requests and reservation answers touch their own room, and
  // polls never see a starting server (but see may_settle_waiters(Polled)).
  // Checking every waiter after every event would cost a look-up each, on
  // every event of a large fleet.
  template <class E>
  static constexpr bool may_settle_kind =
      std::is_same_v<E, ServerStarted> || std::is_same_v<E, ServerStartFailed> ||
      std::is_same_v<E, Tick> || std::is_same_v<E, Probed> || std::is_same_v<E, DrainConfirmed> ||
      std::is_same_v<E, DrainFailed> || std::is_same_v<E, MembersRead> ||
      std::is_same_v<E, AdoptionFailed> || std::is_same_v<E, DirectoryRead> ||
      std::is_same_v<E, DirectoryMoved>;
  template <class E>
  bool may_settle_waiters(const E&) const {
    return may_settle_kind<E>;
  }
  bool may_settle_waiters(const Polled& event) const;
  // Writes the room's move from `from` to where the table has it now.
  void publish_moved(RequestId request, const sched::RoomId& room_id,
                     const sched::ServerId& from);

  // drain.cc
  void drain_session(const sched::ServerId& id, const char* by);
  DrainRecord* open_drain(const sched::ServerId& id);
  DrainRecord& record_drain(const sched::ServerId& id, const char* by, int rooms);
  void follow_drain_move(const sched::RoomId& room_id,
                         const std::optional<DirectoryEntry>& elsewhere);

  // replicas.cc
  void start_listed(const sched::ServerId& id);
  void list_starting(const sched::ServerId& id);
  void confirm_starts(const std::set<sched::ServerId>& listed);
  bool fleet_read() const;
  void sync_members();
  void publish_member(const Member& server);
  void confirm_reported(const sched::ServerId& id, const sched::StatusReport& report);
  void free_confirmed();
  void report_shortage();
  void store_unanswered();

  void forget_members();
  void stop_given_up(const sched::ServerId& id);
  // given_up_.contains(id) for the server the table has under `key`.
  bool given_up(sched::ServerKey key, const sched::ServerId& id);

  ControlOptions options_;
  FleetEffects fleet_effects_;  // before scheduler_, which holds a reference to it
  sched::Scheduler scheduler_;
  Effects* out_ = nullptr;      // during handle()
  sched::Millis now_{0};
  bool stopped_ = false;
  std::uint64_t servers_started_ = 0;
  // What the fleet or the store said of each server (admin host, pid).
  std::unordered_map<sched::ServerId, Member> members_;

  std::unordered_map<RequestId, PendingCreate> creates_;
  // The last creation answered, kept to hold the next: a node allocated and
  // freed for every room created added up.
  std::unordered_map<RequestId, PendingCreate>::node_type spare_create_;
  std::map<RequestId, PendingFind> finds_;  // waiting for the directory
  // Waiting for a starting server: look-ups, and creations (in creates_ too).
  struct Waiter {
    sched::RoomId room_id;
    sched::Millis deadline{0};
    sched::RoomKey room_key = sched::kNoRoomKey;  // to match reports' keys
    // Placed again, from this server, on one still starting: the move is
    // written to the directory once it is up, before the answer.
    std::optional<sched::ServerId> moved_from;
  };
  std::map<RequestId, Waiter> waiters_;
  // Rooms placed again on a server still starting, their moves not written
  // yet: the look-up that writes it once the server is up. The room's other
  // look-ups wait for its outcome (wake_waiters, on DirectoryMoved).
  std::map<sched::RoomId, RequestId> unwritten_moves_;
  // Rooms by creator while they may still be unjoined, for the cap.
  std::unordered_map<std::string, std::vector<sched::RoomId>> unjoined_by_creator_;

  // Failover probes: one in flight a server, its askers waiting for it.
  struct ProbeState {
    bool in_flight = false;
    std::optional<sched::Millis> last_started;
    std::vector<std::pair<RequestId, PendingFind>> askers;
  };
  std::map<sched::ServerId, ProbeState> probes_;

  std::set<sched::ServerId> sessions_draining_;  // POST /drain in flight
  // A drain's moves written to the directory, by the core's own request id.
  std::map<RequestId, sched::RoomId> drain_moves_;
  RequestId core_requests_ = kCoreRequests;
  std::deque<DrainRecord> drains_;

  // Gone servers the holder had the fleet stop: their late reports are not
  // followed, so none comes back to life.
  std::unordered_set<sched::ServerId> given_up_;
  // The same by the table's key, for the reports that carry one: every poll
  // asks, and with thousands of servers given up a day a hash of the id
  // each time added up. 0: not worked out yet, 1: not given up, 2: given up.
  std::vector<std::uint8_t> given_up_by_key_;

  bool lease_held_ = false;
  std::uint64_t fencing_token_ = 0;
  std::string lease_holder_;
  bool members_read_in_flight_ = false;
  // Reads of the members asked and answered (one connection: in order), how
  // many had been asked when the lease was taken, and whether one asked
  // since has listed the fleet: before that a holder starts no server.
  std::uint64_t member_reads_asked_ = 0;
  std::uint64_t member_reads_answered_ = 0;
  std::uint64_t member_reads_before_lease_ = 0;
  bool members_read_under_lease_ = false;
  // Servers asked of the fleet once the members list them (start_listed).
  std::set<sched::ServerId> starts_to_confirm_;
  // Holder: rooms written to the directory as confirmed by their server.
  std::unordered_map<sched::RoomId, sched::ServerId> confirmed_;
};

template <class E>
void ControlCore::handle(sched::Millis now, const E& event, Effects& out) {
  out_ = &out;
  now_ = std::max(now_, now);
  // Judged before: a report's claim of a room is visible only beforehand.
  const bool may_settle = !waiters_.empty() && may_settle_waiters(event);
  on(event);
  if (may_settle) wake_waiters();
  out_ = nullptr;
}

}  // namespace core
