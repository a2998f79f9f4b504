// The exploration checker: what must hold in the world around the control
// cores, whatever the faults, checked after every event. Each rule names
// what broke; the first broken rule ends the run.
//
// (a) No session server holds more rooms plus live reservations than its
//     limit.
// (b) Once the world is quiet (no fault for the whole quiet phase, every
//     reply delivered), every replica answers a look-up of each room with
//     members with the same server, and that server holds the room.
// (c) A room with members on a live server is never answered RoomUnknown
//     (a look-up gets a live host, or a retryable NoServerNow). Except one
//     race no core can see: a room no core placed where it is (a join made
//     it without a reservation, or joined it again once emptied and freed,
//     from an address a moment old), within the poll cycle before the
//     server's next report shows its members.
// (d) The store never admits a write under a fencing token older than the
//     latest.
// (e) A session server that has taken a DrainSession never admits a new
//     room's reservation afterwards.
// (f) Servers started and not yet stopped, crashed or failed never number
//     more than the autoscaler's max_servers.
// Also: every request gets exactly one Answer, of its kind, from the
// replica asked; each core's scheduler keeps its own invariants.
//
// Failures are told apart as sim/checker.h does: correctness (a rule
// broken), liveness (a request never answered by the end), crash (an
// exception; the caller catches it).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "control/effects.h"
#include "sim/run_report.h"

namespace sim::explore {

class ExploreWorld;
class SessionServer;

enum class RequestKind : std::uint8_t { create, find, drain };

class ExploreChecker {
 public:
  // A request the world sent to `replica`.
  void on_request(core::RequestId request, int replica, RequestKind kind);
  // A look-up's room, for (c).
  void on_lookup(core::RequestId request, const sched::RoomId& room_id);
  // (b): a look-up of `room_id` asked of every replica once the world is quiet.
  void on_agreement_request(core::RequestId request, const sched::RoomId& room_id);
  // An Answer a core emitted, as it emitted it.
  void on_answer(int replica, const core::Answer& answer, const ExploreWorld& world);
  // After every event; `replica` handled it (-1: only the world changed).
  void after_event(const ExploreWorld& world, int replica);
  // Once the run has ended: liveness, and (b).
  void at_end(const ExploreWorld& world);

  bool failed() const { return failure_.kind != FailureKind::none; }
  const Failure& failure() const { return failure_; }
  // Called by the runner for an exception out of the world.
  void fail(FailureKind kind, std::int64_t time_ms, std::string what);

 private:
  struct Asked {
    int replica = 0;
    RequestKind kind = RequestKind::find;
    bool answered = false;
  };
  void check_world(const ExploreWorld& world);
  void check_lookup(int replica, const core::FindRoomResult& result, const sched::RoomId& room_id,
                    const ExploreWorld& world);
  void check_agreement();
  static bool unannounced(const std::vector<const SessionServer*>& holders,
                          const sched::RoomId& room_id, const ExploreWorld& world);

  std::map<core::RequestId, Asked> asked_;
  // The room each look-up was about (for (c)), kept until it is answered.
  std::map<core::RequestId, sched::RoomId> lookups_;
  // (b): per room, each replica's answer.
  std::map<core::RequestId, sched::RoomId> agreement_requests_;
  std::map<sched::RoomId, std::map<int, core::FindRoomResult>> agreement_answers_;
  Failure failure_;
};

}  // namespace sim::explore
