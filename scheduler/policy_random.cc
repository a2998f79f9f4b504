// `random`: the seed's policy. Any candidate, uniformly. Spreads rooms over the
// whole fleet, so idle servers rarely empty out and scale-in is slow.
#include "scheduler/policies.h"

namespace sched {
namespace {

class RandomPolicy final : public PlacementPolicy {
 public:
  CandidateOrders orders() const override { return {.by_free_slots = false, .by_key = false}; }
  ServerKey choose(const CandidateIndex& candidates, Random& random) override {
    return candidates.at(uniform_below(random, candidates.size())).key;
  }
};

}  // namespace

std::unique_ptr<PlacementPolicy> make_random_policy() { return std::make_unique<RandomPolicy>(); }

}  // namespace sched
