// `first-fit`: the oldest server with a free slot. Packs rooms onto the oldest
// servers, so the newest ones empty first and can be stopped.
#include "scheduler/policies.h"

namespace sched {
namespace {

class FirstFitPolicy final : public PlacementPolicy {
 public:
  CandidateOrders orders() const override { return {.by_free_slots = false, .by_key = true}; }
  ServerKey choose(const CandidateIndex& candidates, Random&) override {
    return candidates.oldest()->key;
  }
};

}  // namespace

std::unique_ptr<PlacementPolicy> make_first_fit_policy() {
  return std::make_unique<FirstFitPolicy>();
}

}  // namespace sched
