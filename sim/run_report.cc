#include "sim/run_report.h"

#include <numeric>

namespace sim {

std::string_view to_string(CreateRefusal reason) {
  switch (reason) {
    case CreateRefusal::no_capacity:
      return "no_capacity";
    case CreateRefusal::duplicate_room:
      return "duplicate_room";
    case CreateRefusal::count:
      break;
  }
  return "?";
}

std::string_view to_string(JoinRefusal reason) {
  switch (reason) {
    case JoinRefusal::unknown_room:
      return "unknown_room";
    case JoinRefusal::create_refused:
      return "create_refused";
    case JoinRefusal::no_capacity:
      return "no_capacity";
    case JoinRefusal::server_down:
      return "server_down";
    case JoinRefusal::room_full:
      return "room_full";
    case JoinRefusal::server_full:
      return "server_full";
    case JoinRefusal::already_in_room:
      return "already_in_room";
    case JoinRefusal::count:
      break;
  }
  return "?";
}

std::string_view to_string(Failover failover) {
  switch (failover) {
    case Failover::leave:
      return "leave";
    case Failover::polls:
      return "polls";
    case Failover::probe:
      return "probe";
  }
  return "?";
}

std::optional<Failover> failover_from_string(std::string_view name) {
  for (Failover failover : {Failover::leave, Failover::polls, Failover::probe}) {
    if (to_string(failover) == name) return failover;
  }
  return std::nullopt;
}

std::string_view to_string(FailureKind kind) {
  switch (kind) {
    case FailureKind::none:
      return "none";
    case FailureKind::crash:
      return "crash";
    case FailureKind::liveness:
      return "liveness";
    case FailureKind::correctness:
      return "correctness";
  }
  return "?";
}

std::string RunReport::label() const {
  std::string text = policy + " spare=" + std::to_string(spare_room_slots) +
                     " idle=" + std::to_string(idle_timeout_s) + "s";
  if (defrag_max_rooms > 0) text += " defrag=" + std::to_string(defrag_max_rooms);
  if (failover != Failover::leave) text += " failover=" + std::string(to_string(failover));
  return text;
}

std::uint64_t RunReport::joins_refused_total() const {
  return std::accumulate(joins_refused.begin(), joins_refused.end(), std::uint64_t{0});
}

}  // namespace sim
