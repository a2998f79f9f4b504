// What happens to the control plane: requests from clients and operators,
// and the results of the I/O its effects asked for. The executor (the
// backend, or the simulator) feeds them to ControlCore::handle one at a time,
// each with the time it happened.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "scheduler/scheduler.h"

namespace core {

// The executor's name for a request, echoed in the effects and events that
// belong to it. Never 0: 0 marks effects no request waits for.
using RequestId = std::uint64_t;
inline constexpr RequestId kNoRequest = 0;
// From here up, the core's own (a drain's directory moves, whose results
// it follows): echoed like the others, never handed out by an executor.
inline constexpr RequestId kCoreRequests = RequestId{1} << 63;

// A session server as the fleet or the shared store lists it.
struct Member {
  sched::ServerId id;
  std::string host;        // "h:p", where clients connect
  std::string admin_host;  // "h:p" of /status, /drain, /reservations; empty: `host`
  long long pid = 0;       // the process, when it runs on the fleet's machine
};

// Requests.
struct CreateRoom {
  RequestId request = kNoRequest;
  std::string creator;
  int unjoined_rooms_max = 0;  // 0: no cap
};
struct FindRoom {
  RequestId request = kNoRequest;
  sched::RoomId room_id;
  // "h:p" the client could not reach (?unreachable=), spelled canonically.
  std::optional<std::string> unreachable_host;
  // RoomCreated::key, if the asker kept it: spares a hash of the id (a wrong
  // or stale key costs only the usual search by id).
  sched::RoomKey room_key = sched::kNoRoomKey;
};
struct DrainServer {  // an operator's
  RequestId request = kNoRequest;
  sched::ServerId server_id;
};
// The backend shuts down: waiting requests are answered, the lease given back.
struct Stop {};
// The autoscaler's beat (tick_interval): scale, give up on slow starts,
// forget orphans, defragment, and the replicas' shared-state chores.
struct Tick {};
// Time to ask every session server for its status (a Poll each). The
// backend sends it with every Tick; the simulator instead reports only the
// servers whose status changed, which leaves the same table.
struct PollRound {};
// A waiting request's deadline (a WakeAt effect) has come.
struct WakeUp {
  RequestId request = kNoRequest;
};

// A session server's GET /status, as a poll or a failover probe got it.
struct NoStatusEndpoint {};  // the seed's server: alive, with nothing to report
struct NotHeard {
  std::string why;
  // The connection was refused or reset: nothing listens there. A timeout
  // or an error answer proves nothing (the server may be slow).
  bool process_gone = false;
};
using StatusResult = std::variant<sched::StatusReport, NoStatusEndpoint, NotHeard>;
struct Polled {
  sched::ServerId server_id;
  StatusResult result;
  // The table's key for the server (Scheduler::key_of), if the poller kept
  // it: spares a hash of the id on every report of a large fleet.
  sched::ServerKey server_key = 0;
};
struct Probed {
  sched::ServerId server_id;
  StatusResult result;
};

// POST /reservations on the room's server.
struct Reserved {};
struct NoReservations {};  // an older session server: placement as before reservations
struct ReservationRefused {
  std::string reason;
};
struct ReservationFailed {
  std::string why;
};
using ReserveOutcome =
    std::variant<Reserved, NoReservations, ReservationRefused, ReservationFailed>;
struct ReservationAnswered {
  RequestId request = kNoRequest;
  ReserveOutcome outcome;
};

// The shared directory of rooms (replicated backends).
struct DirectoryEntry {
  sched::ServerId server_id;
  std::string host;
};
struct DirectoryAbsent {};
struct DirectoryDown {
  std::string why;
};
using DirectoryResult = std::variant<DirectoryEntry, DirectoryAbsent, DirectoryDown>;
struct DirectoryRead {
  RequestId request = kNoRequest;
  DirectoryResult result;
};
struct DirectoryPlaced {
  RequestId request = kNoRequest;
  bool written = false;
};
// A compare-and-set move: nullopt when it was written (or the store did not
// answer), else the entry another backend wrote first.
struct DirectoryMoved {
  RequestId request = kNoRequest;
  std::optional<DirectoryEntry> elsewhere;
};

// The fleet's members in the shared store; nullopt: the store did not answer.
struct MembersRead {
  std::optional<std::vector<Member>> members;
};
// The fleet could not take in a listed server (AdoptServer).
struct AdoptionFailed {
  sched::ServerId server_id;
};

// The fleet lease (replicated backends).
struct LeaseGained {
  std::uint64_t fencing_token = 0;
};
struct LeaseLost {};
// Who holds the lease, as the store last said (for answers that name it).
struct LeaseSeen {
  std::string holder;
  std::uint64_t fencing_token = 0;
};
// Another replica found every server full (the shortage key).
struct ShortageSeen {
  std::string replica;
};

// The fleet.
struct ServerStarted {  // ready and answering, or there from the start
  Member server;
};
struct ServerStartFailed {
  sched::ServerId server_id;
  std::string why;
};

// POST /drain on a session server.
struct DrainConfirmed {
  sched::ServerId server_id;
  std::vector<std::string> rooms;  // the rooms it handed over
  long long unstored = 0;          // messages it could not store
};
struct DrainFailed {
  sched::ServerId server_id;
  std::string why;
};

using Event =
    std::variant<CreateRoom, FindRoom, DrainServer, Stop, Tick, PollRound, WakeUp, Polled, Probed,
                 ReservationAnswered, DirectoryRead, DirectoryPlaced, DirectoryMoved,
                 MembersRead, AdoptionFailed, LeaseGained, LeaseLost, LeaseSeen, ShortageSeen,
                 ServerStarted, ServerStartFailed, DrainConfirmed, DrainFailed>;

}  // namespace core
