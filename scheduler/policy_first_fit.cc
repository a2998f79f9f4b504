// `first-fit`: the oldest server with a free slot. Packs rooms onto the oldest
// servers, so the newest ones empty first and can be stopped.
#include "scheduler/policy.h"

namespace sched {
namespace {

class FirstFitPolicy final : public PlacementPolicy {
 public:
  CandidateOrders orders() const override { return {.by_free_slots = false, .by_key = true}; }
  ServerKey choose(const CandidateIndex& candidates, Random&) override {
    return candidates.oldest()->key;
  }
};

const PolicyRegistration registration{"first-fit",
                                      [] { return std::make_unique<FirstFitPolicy>(); }};

}  // namespace
}  // namespace sched
