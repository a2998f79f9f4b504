// The placement policies by name: the one list of them. A table rather than
// registrations from each file's static initialisers, which the linker drops
// from any binary that references nothing else in the file (that needed
// alwayslink on the whole library), and whose order nobody can read.
#include <algorithm>
#include <iterator>

#include "scheduler/policies.h"
#include "scheduler/policy.h"

namespace sched {
namespace {

struct PolicyEntry {
  std::string_view name;
  std::unique_ptr<PlacementPolicy> (*make)();
};

// Sorted by name, as policy_names() lists them.
constexpr PolicyEntry kPolicies[] = {
    {"best-fit", make_best_fit_policy},
    {"first-fit", make_first_fit_policy},
    {"least-loaded", make_least_loaded_policy},
    {"power-of-two-choices", make_power_of_two_choices_policy},
    {"random", make_random_policy},
    {"round-robin", make_round_robin_policy},
};

static_assert(std::adjacent_find(std::begin(kPolicies), std::end(kPolicies),
                                 [](const PolicyEntry& a, const PolicyEntry& b) {
                                   return !(a.name < b.name);
                                 }) == std::end(kPolicies),
              "kPolicies: each name once, sorted (policy_names() promises a sorted list)");

}  // namespace

std::unique_ptr<PlacementPolicy> make_policy(std::string_view name) {
  for (const PolicyEntry& policy : kPolicies) {
    if (policy.name == name) return policy.make();
  }
  return nullptr;
}

std::vector<std::string> policy_names() {
  std::vector<std::string> names;
  for (const PolicyEntry& policy : kPolicies) names.emplace_back(policy.name);
  return names;
}

}  // namespace sched
