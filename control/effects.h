// What the control plane asks of the world: answers to requests, and I/O
// whose results come back as events (events.h). The executor performs them
// in order and decides nothing.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "control/answers.h"
#include "control/events.h"

namespace core {

using Reply = std::variant<CreateRoomResult, FindRoomResult, DrainResult>;
struct Answer {
  Answer() = default;
  // Built from any of the results in its place (clang before 16 has no
  // parenthesised aggregate initialisation, which emplace_back needs).
  template <class Result>
  Answer(RequestId request_id, Result&& result)
      : request(request_id), reply(std::forward<Result>(result)) {}

  RequestId request = kNoRequest;
  Reply reply;
};
// A request will be waiting until `at` at most: send WakeUp{request} then.
struct WakeAt {
  RequestId request = kNoRequest;
  sched::Millis at{0};
};

// The fleet: start (its result: ServerStarted or ServerStartFailed), stop,
// take in a server another backend started (AdoptionFailed if it cannot).
struct StartServer {
  sched::ServerId server_id;
};
struct StopServer {
  sched::ServerId server_id;
};
struct AdoptServer {
  Member server;
};

// A session server's operators' listener.
struct Poll {  // GET /status; its result: Polled
  sched::ServerId server_id;
  std::string admin_host;
};
struct Probe {  // GET /status with the short failover timeout; its result: Probed
  sched::ServerId server_id;
  std::string admin_host;
};
struct Reserve {  // POST /reservations; its result: ReservationAnswered
  RequestId request = kNoRequest;
  sched::RoomId room_id;
  sched::ServerId server_id;
  std::string admin_host;
  std::chrono::seconds ttl{60};
};
struct DrainSession {  // POST /drain; its result: DrainConfirmed or DrainFailed
  sched::ServerId server_id;
  std::string admin_host;
};

// The shared store (replicated backends only).
struct ReadDirectory {  // its result: DirectoryRead
  RequestId request = kNoRequest;
  sched::RoomId room_id;
};
struct PlaceInDirectory {  // its result, if request: DirectoryPlaced
  RequestId request = kNoRequest;
  sched::RoomId room_id;
  DirectoryEntry entry;
  sched::Millis ttl{0};  // 0: for good (the room has members)
};
struct MoveInDirectory {  // compare-and-set from `from`; its result, if request: DirectoryMoved
  RequestId request = kNoRequest;
  sched::RoomId room_id;
  sched::ServerId from;
  DirectoryEntry to;
  sched::Millis ttl{0};
};
struct FreeInDirectory {  // unless another server has it there by now
  sched::RoomId room_id;
  sched::ServerId server_id;
};
struct ReadMembers {};  // its result: MembersRead
struct AddMember {      // fenced: refused under a token older than the latest
  Member member;
  std::uint64_t fencing_token = 0;
};
struct RemoveMember {
  sched::ServerId server_id;
  std::uint64_t fencing_token = 0;
};
struct ReportShortage {};  // the shortage key, for the lease holder
struct ReadShortage {};    // its result, if set: ShortageSeen
struct ReleaseLease {};

// Observability.
enum class LogLevel { info, warning };
struct Log {
  LogLevel level = LogLevel::info;
  std::string text;
};
// chat_backend_<counter>_total{label}.
enum class Counter {
  reservations,             // result: reserved, unsupported, refused, failed
  directory_reads,          // result: found, absent, down
  failover_probes,          // result: alive, unreachable
  failover_probes_skipped,  // reason: in_flight, too_soon
  lease_acquisitions,       // no label
};
// The label is one of the literals listed above: a pointer, not a string,
// as one is counted on every creation and the simulator makes millions.
struct Count {
  Counter counter = Counter::reservations;
  const char* label = "";
};

using Effect =
    std::variant<Answer, WakeAt, StartServer, StopServer, AdoptServer, Poll, Probe, Reserve,
                 DrainSession, ReadDirectory, PlaceInDirectory, MoveInDirectory, FreeInDirectory,
                 ReadMembers, AddMember, RemoveMember, ReportShortage, ReadShortage, ReleaseLease,
                 Log, Count>;
using Effects = std::vector<Effect>;

}  // namespace core
