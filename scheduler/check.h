// SCHED_CHECK: a cheap assertion that stays on in every build (release
// included), in the manner of TigerBeetle's asserts. The scheduler places
// every room of the fleet: if its bookkeeping goes wrong, carrying on would
// send users to full or stopped servers and hide the cause, so it stops at
// the first broken rule and says which, where and about what.
//
// Each check must be O(1): they sit where the scheduler changes state (a room
// added to or removed from a server, a count changed, a server changing
// state, the candidate index updated), which is every placement's path. The
// full scan is Scheduler::check_invariants(), for tests and the simulator.
#pragma once

#include <string_view>

namespace sched {

// Prints "<file>:<line>: check failed: <condition>: <message>" to stderr and
// aborts.
[[noreturn]] void check_failed(const char* condition, std::string_view message, const char* file,
                               int line);

}  // namespace sched

// `message` (anything convertible to std::string_view, a std::string built
// with ids included) is evaluated only when the check fails, so building it
// costs nothing on the common path.
#define SCHED_CHECK(condition, message) \
  ((condition) ? static_cast<void>(0)   \
               : ::sched::check_failed(#condition, (message), __FILE__, __LINE__))
