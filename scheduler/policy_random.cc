// `random`: the seed's policy. Any candidate, uniformly. Spreads rooms over the
// whole fleet, so idle servers rarely empty out and scale-in is slow.
#include "scheduler/policy.h"

namespace sched {
namespace {

class RandomPolicy final : public PlacementPolicy {
 public:
  ServerKey choose(const CandidateIndex& candidates, Random& random) override {
    std::uniform_int_distribution<std::size_t> pick(0, candidates.size() - 1);
    return candidates.at(pick(random)).key;
  }
};

const PolicyRegistration registration{"random", [] { return std::make_unique<RandomPolicy>(); }};

}  // namespace
}  // namespace sched
