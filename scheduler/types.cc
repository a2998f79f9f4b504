#include "scheduler/types.h"

namespace sched {

std::string_view to_string(ServerState state) {
  switch (state) {
    case ServerState::starting:
      return "starting";
    case ServerState::ready:
      return "ready";
    case ServerState::draining:
      return "draining";
    case ServerState::gone:
      return "gone";
  }
  return "unknown";
}

}  // namespace sched
