// `round-robin`: the candidates in turn, by registration order, continuing
// after the server chosen last time (which may since have filled or gone).
#include "scheduler/policies.h"

namespace sched {
namespace {

class RoundRobinPolicy final : public PlacementPolicy {
 public:
  CandidateOrders orders() const override { return {.by_free_slots = false, .by_key = true}; }
  ServerKey choose(const CandidateIndex& candidates, Random&) override {
    const std::optional<Candidate> next =
        chosen_before_ ? candidates.next_after(last_key_) : candidates.oldest();
    chosen_before_ = true;
    last_key_ = next->key;
    return last_key_;
  }

 private:
  bool chosen_before_ = false;
  ServerKey last_key_ = 0;
};

}  // namespace

std::unique_ptr<PlacementPolicy> make_round_robin_policy() {
  return std::make_unique<RoundRobinPolicy>();
}

}  // namespace sched
