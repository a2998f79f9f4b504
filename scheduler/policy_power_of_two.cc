// `power-of-two-choices`: two candidates at random, the emptier of the two.
// Nearly as even as least-loaded with O(1) work and no global order, which is
// why load balancers favour it when their view of load is a little stale.
#include "scheduler/policies.h"

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

}  // namespace

std::unique_ptr<PlacementPolicy> make_power_of_two_choices_policy() {
  return std::make_unique<PowerOfTwoChoicesPolicy>();
}

}  // namespace sched
