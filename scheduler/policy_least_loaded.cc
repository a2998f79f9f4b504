// `least-loaded` (spread): the server with the most free slots. Evens the load
// (and the blast radius of a crash) at the cost of keeping more servers busy.
#include "scheduler/policies.h"

namespace sched {
namespace {

class LeastLoadedPolicy final : public PlacementPolicy {
 public:
  CandidateOrders orders() const override { return {.by_free_slots = true, .by_key = false}; }
  ServerKey choose(const CandidateIndex& candidates, Random&) override {
    return candidates.emptiest()->key;
  }
};

}  // namespace

std::unique_ptr<PlacementPolicy> make_least_loaded_policy() {
  return std::make_unique<LeastLoadedPolicy>();
}

}  // namespace sched
