// A placement policy: the pure choice of a server for a new room among the
// candidates (ready servers with a free slot). Policies hold at most a little
// memory of their own (round-robin's position) and never see the network.
#pragma once

#include <functional>
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

using PolicyFactory = std::function<std::unique_ptr<PlacementPolicy>()>;

// Each policy file registers itself with a static PolicyRegistration, so
// adding a policy is one new file in the `scheduler` library's srcs (the
// library is alwayslink so that the registrations are linked in).
struct PolicyRegistration {
  PolicyRegistration(std::string name, PolicyFactory factory);
};

// nullptr for an unknown name.
std::unique_ptr<PlacementPolicy> make_policy(std::string_view name);

// Every registered name, sorted: for --help and for tests that try them all.
std::vector<std::string> policy_names();

}  // namespace sched
