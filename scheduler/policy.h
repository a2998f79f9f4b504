// A placement policy: the pure choice of a server for a new room among the
// candidates (ready servers with a free slot). Policies hold at most a little
// memory of their own (round-robin's position) and never see the network.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "scheduler/candidate_index.h"
#include "scheduler/clock.h"

namespace sched {

class PlacementPolicy {
 public:
  virtual ~PlacementPolicy() = default;
  // Called only with a non-empty index; returns one of its keys.
  virtual ServerKey choose(const CandidateIndex& candidates, Random& random) = 0;
  // The index orders choose() reads; the scheduler keeps only those.
  virtual CandidateOrders orders() const { return {}; }  // all of them
};

// The policies are listed by name in one table, in policy_registry.cc.
// nullptr for an unknown name.
std::unique_ptr<PlacementPolicy> make_policy(std::string_view name);

// Every policy's name, sorted: for --help and for tests that try them all.
std::vector<std::string> policy_names();

}  // namespace sched
