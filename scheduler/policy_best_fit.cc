// `best-fit` (pack): the fullest server that still has a free slot. Fills
// servers before opening new ones, so the fleet stays near the lower bound
// ceil(rooms / rooms per server) and emptied servers can be stopped.
#include "scheduler/policies.h"

namespace sched {
namespace {

class BestFitPolicy final : public PlacementPolicy {
 public:
  CandidateOrders orders() const override { return {.by_free_slots = true, .by_key = false}; }
  ServerKey choose(const CandidateIndex& candidates, Random&) override {
    return candidates.fullest()->key;
  }
};

}  // namespace

std::unique_ptr<PlacementPolicy> make_best_fit_policy() {
  return std::make_unique<BestFitPolicy>();
}

}  // namespace sched
