// The façade the backend (and the simulator) drives: places rooms, answers
// look-ups, follows what the session servers report, and scales the fleet.
// Single-threaded: the caller serialises calls. No I/O of its own: time comes
// in as `now`, randomness as a seeded generator, servers through the
// FleetProvider (whose calls return at once).
#pragma once

#include <array>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <utility>
#include <variant>
#include <vector>

#include "scheduler/autoscaler.h"
#include "scheduler/candidate_index.h"
#include "scheduler/clock.h"
#include "scheduler/fleet_provider.h"
#include "scheduler/metrics.h"
#include "scheduler/policy.h"
#include "scheduler/room_table.h"
#include "scheduler/server.h"
#include "scheduler/types.h"

namespace sched {

class ReportedIds;  // reconcile.cc: the room ids of one report, for membership tests

struct SchedulerConfig {
  std::string policy = "random";  // a name from policy_names()
  int room_capacity = 10;         // rooms per server unless on_server_started says otherwise
  // A placed room nobody joined within this time frees its slot. Counted
  // from placement or from the server's readiness, whichever is later: a
  // slow start is not the client's fault.
  Millis join_deadline{std::chrono::seconds(60)};
  // A room reported with 0 users keeps its slot this long (a reload, a flaky
  // network) before it is freed. 0: freed at once.
  Millis empty_room_grace{0};
  int failed_polls_before_gone = 3;
  // Told to the client when every server is full and the fleet is at max.
  Millis retry_after{std::chrono::seconds(5)};
  AutoscalerConfig autoscaler;
};

// `key` names the room in the table: a caller may pass it back (lookup's
// hint, RoomReport::key) to spare the scheduler a hash of the id.
struct Placed {
  RoomId room_id;
  std::string host;
  RoomKey key = kNoRoomKey;
};
struct Waiting {  // on a starting server: look the room up again shortly
  RoomId room_id;
  RoomKey key = kNoRoomKey;
};
struct NoCapacity {
  Millis retry_after;
};
using CreateResult = std::variant<Placed, Waiting, NoCapacity>;

struct UnknownRoom {};
struct RoomStarting {};
struct RoomReady {
  std::string host;
};
// The room's server is gone and no other server has a free slot.
struct RoomUnavailable {
  Millis retry_after;
};
using LookupResult = std::variant<UnknownRoom, RoomStarting, RoomReady, RoomUnavailable>;

// A session server's GET /status, as the poller parsed it (docs/PROTOCOL.md).
struct RoomReport {
  RoomId room_id;
  int users = 0;
  // Optional: the key create_room returned for this room. A stale or wrong
  // key costs only the usual search by id.
  RoomKey key = kNoRoomKey;
};
struct StatusReport {
  std::string host;
  bool draining = false;
  std::vector<RoomReport> rooms;
  // Rooms reserved there and not joined yet (by any backend): they hold slots.
  int reserved = 0;
};

// What tick did to the fleet, for logs and for the simulator.
struct FleetActions {
  std::vector<ServerId> started;
  std::vector<ServerId> stopped;
  // Servers the autoscaler wants emptied (defragmentation). tick has called
  // begin_drain on each; the caller asks the session server to drain, then
  // calls on_drained, or cancel_drain if it could not.
  std::vector<ServerId> drain;
};

enum class DrainStart {
  started,
  unknown_server,
  not_ready,  // starting, already draining, or gone
};

class Scheduler {
 public:
  // Throws std::invalid_argument for an unknown policy name or a
  // room_capacity below 1.
  Scheduler(SchedulerConfig config, FleetProvider& fleet, RoomIdGenerator room_ids, Random random);

  CreateResult create_room(Millis now);
  // hint: the key create_room returned, if the caller kept it (optional).
  LookupResult lookup(const RoomId& room_id, Millis now, RoomKey hint = kNoRoomKey);

  void on_status(const ServerId& server_id, const StatusReport& report, Millis now);
  // The same for a caller that kept the server's key (key_of): no look-up of
  // the id, which the simulator's polls would otherwise hash every time.
  void on_status(ServerKey key, const StatusReport& report, Millis now);
  void on_unreachable(const ServerId& server_id, Millis now);
  // A probe the backend made at once (a client reported the server's host
  // unreachable) failed: the server is gone now, without waiting for
  // failed_polls_before_gone polls, and look-ups of its rooms place them
  // again. No-op for unknown and gone servers, and for starting ones (they
  // have no clients yet; start_timeout covers them). A drain in flight on it
  // is abandoned.
  void mark_gone(const ServerId& server_id, Millis now);

  // Drain (docs/PROTOCOL.md, "History and failover"): empty a ready server so
  // it can be stopped. From begin_drain on it takes no new rooms (state
  // `draining`, ServerView::drain_requested), but look-ups of its rooms still
  // answer its host, and its reports change no room: its clients are being
  // closed and its history stored, and a room placed elsewhere before that
  // is done would load history still being written.
  DrainStart begin_drain(const ServerId& server_id, Millis now);
  // The session server confirmed the drain: each of its rooms is placed on
  // another server now, by the policy (starting servers if need be; a room
  // on a starting server waits as usual), then the server is stopped through
  // the fleet and forgotten. Rooms that find no slot at all (the fleet at
  // max) stay with the stopped server, as a gone server's do: placed on
  // look-up, dropped after join_deadline. No-op unless a drain is in flight.
  void on_drained(const ServerId& server_id, Millis now);
  // The session server could not be drained: it is ready again. No-op unless
  // a drain is in flight.
  void cancel_drain(const ServerId& server_id, Millis now);
  // The server answers at `host`. Also registers servers the scheduler did not
  // start itself (each host of a static fleet). capacity 0: the config's.
  void on_server_started(const ServerId& server_id, const std::string& host, Millis now,
                         int room_capacity = 0);
  // Another backend asked the fleet for this server, which is not up yet
  // (replicated backends list a server before it runs): it counts against
  // max_servers as this table's own starts do, and tick gives it up after
  // start_timeout unless on_server_started comes first. No-op for a known id.
  void on_server_starting(const ServerId& server_id, Millis now);
  // Scale out and in, give up on servers that never started, forget orphaned
  // rooms nobody asked for, begin a defragmenting drain. Call it every second
  // or so. Without `manage_fleet` (another backend holds the fleet lease) it
  // only forgets orphaned rooms and the servers that never started (placing
  // their waiting rooms again): it starts, stops and drains nothing.
  FleetActions tick(Millis now, bool manage_fleet = true);

  // Replicated backends (replicas.cc): several schedulers share the session
  // servers, each server the judge of its own room limit, and a shared
  // directory of rooms.
  //
  // The server refused to reserve a room this scheduler placed there (it is
  // full with other backends' rooms, or draining): the room leaves the table
  // and the server counts as full until its next report. No-op for an
  // unknown room or server.
  void on_reservation_refused(const RoomId& room_id, const ServerId& server_id, Millis now);
  // The server could not be asked (no answer): the room leaves the table.
  void release_room(const RoomId& room_id, Millis now);
  // The shared directory says `room_id` is on `server_id` (another backend
  // placed or moved it): the table holds it there too, as placed, so that
  // look-ups, failover and drains treat it as their own. A room on a gone
  // server becomes its orphan (placed again on look-up). False, and the
  // table unchanged, when the server is unknown or has no slot left in this
  // table's view.
  bool adopt_room(const RoomId& room_id, const ServerId& server_id, Millis now);
  // Another backend (without the fleet lease) found no free slot for a new
  // room: start a server, as create_room would have, unless this view has a
  // free slot (ready, or on a starting server). Whether one was started.
  bool on_shortage(Millis now);
  // The server the table has the room on; nullopt for an unknown room.
  std::optional<ServerId> server_of(const RoomId& room_id) const;

  // Empty when all is well; otherwise one line per broken rule.
  std::vector<std::string> check_invariants() const;

  SchedulerMetrics metrics() const;
  std::vector<ServerView> servers() const;
  // How many servers the table knows (in any state): servers().size(), cheap.
  std::size_t server_count() const { return servers_.size(); }
  std::optional<ServerView> server(const ServerId& server_id) const;
  // server(id)->rooms without building the view (no string copies): for
  // callers that ask about every server often, like the simulator's poller.
  std::optional<int> room_count(const ServerId& server_id) const;
  // The id of the server registered under `key` (rooms().find(...)->server),
  // or nullptr for a server forgotten or never known.
  const ServerId* server_id(ServerKey key) const;
  // The key a known server is registered under.
  std::optional<ServerKey> key_of(const ServerId& server_id) const;
  // The rooms the table holds on a server, sorted (empty for an unknown id).
  std::vector<RoomId> rooms_on(const ServerId& server_id) const;
  // The same, by key (registration order), sorted by id.
  std::vector<RoomId> rooms_on(ServerKey key) const;
  const RoomTable& rooms() const { return rooms_; }
  const SchedulerConfig& config() const { return config_; }

 private:
  ServerRecord* find_server(const ServerId& server_id);
  ServerRecord& register_server(const ServerId& server_id, ServerState state, Millis now);
  void set_state(ServerRecord& server, ServerState state, Millis now);
  void reindex(ServerRecord& server, Millis now);
  FleetNumbers fleet_numbers() const;
  int free_slots(const ServerRecord& server) const;

  // Where a room goes: a ready server by policy, else a starting one, else a
  // newly started one. nullptr when there is no slot and no server to start.
  ServerRecord* choose_server(Millis now);
  ServerRecord* start_server(Millis now);
  void check_takes_room(const ServerRecord& server) const;
  LookupResult answer_for(const ServerRecord& server) const;
  LookupResult place_again(RoomRecord& room, Millis now);

  // Places a room under a fresh id from the generator (one hash per try).
  RoomRecord& place_new_room(ServerKey server, Millis now);
  void follow_report(ServerRecord* server, const StatusReport& report, Millis now);
  void follow_server_state(ServerRecord& server, const StatusReport& report, Millis now);
  void drop_orphans_beyond_capacity(ServerRecord& server, const StatusReport& report);
  // What on_status learns while following one report's rooms.
  struct ReportTally {
    std::uint64_t generation = 0;  // marks the rooms this report lists (RoomRecord::reported_in)
    int held = 0;                  // reported rooms the table holds here afterwards
    bool room_listed_twice = false;
  };
  void reconcile_reported(ServerRecord& server, const RoomReport& reported,
                          const ReportedIds& all_reported, ReportTally& tally, Millis now);
  RoomRecord* claim_room(ServerRecord& server, const RoomReport& reported,
                         const ReportedIds& all_reported, Millis now);
  RoomRecord* claim_room_from(ServerRecord& server, const RoomReport& reported, RoomRecord* room,
                              const ReportedIds& all_reported, Millis now);
  bool make_room_for_reported(ServerRecord& server, const ReportedIds& all_reported);
  void reconcile_unreported(ServerRecord& server, std::uint64_t generation, Millis now);
  void declare_gone(ServerRecord& server, Millis now);
  void end_drain(ServerRecord& server);
  void forget(ServerRecord& server, Millis now);
  // A stopped server is kept only while it holds rooms: call after a room
  // left it.
  void forget_if_stopped_and_empty(ServerRecord& server, Millis now);

  void stop_idle_servers(Millis now, FleetActions& actions);
  void start_servers_for_spare(Millis now, FleetActions& actions);
  void give_up_on_slow_starts(Millis now, FleetActions& actions, bool stop);
  void drop_old_orphans(Millis now);
  void drain_to_defragment(Millis now, FleetActions& actions);

  SchedulerConfig config_;
  FleetProvider& fleet_;
  RoomIdGenerator room_ids_;
  Random random_;
  std::unique_ptr<PlacementPolicy> policy_;

  std::unordered_map<ServerKey, ServerRecord> servers_;
  std::unordered_map<ServerId, ServerKey> keys_;
  ServerKey next_key_ = 1;
  std::uint64_t report_generation_ = 0;  // one per on_status call
  // reconcile_unreported's list, kept for its capacity: no allocation per report.
  std::vector<RoomKey> rooms_to_free_;
  RoomTable rooms_;

  // Indexes over servers_, all maintained by reindex() alone.
  CandidateIndex candidates_;            // ready with a free slot
  std::set<ServerKey> starting_;         // few at a time
  IdleIndex idle_;                       // ready, no rooms, by empty_since
  std::set<ServerKey> gone_with_rooms_;  // hold orphaned rooms
  std::set<ServerKey> drain_requested_;  // draining, not confirmed yet: few at a time
  std::array<int, 4> servers_by_state_{};
  std::optional<Millis> last_defrag_;  // when the defrag policy last began a drain

  SchedulerMetrics counters_;
};

}  // namespace sched
