// `power-of-two-choices`: two candidates at random, the emptier of the two.
// Nearly as even as least-loaded with O(1) work and no global order, which is
// why load balancers favour it when their view of load is a little stale.
#include "scheduler/policy.h"

namespace sched {
namespace {

class PowerOfTwoChoicesPolicy final : public PlacementPolicy {
 public:
  CandidateOrders orders() const override { return {.by_free_slots = false, .by_key = false}; }
  ServerKey choose(const CandidateIndex& candidates, Random& random) override {
    const Candidate first = candidates.at(uniform_below(random, candidates.size()));
    const Candidate second = candidates.at(uniform_below(random, candidates.size()));
    return second.free_slots > first.free_slots ? second.key : first.key;
  }
};

const PolicyRegistration registration{"power-of-two-choices",
                                      [] { return std::make_unique<PowerOfTwoChoicesPolicy>(); }};

}  // namespace
}  // namespace sched
