// The factory of each placement policy, one a policy_*.cc file. Only the
// table in policy_registry.cc calls them: everyone else asks make_policy(name).
#pragma once

#include <memory>

#include "scheduler/policy.h"

namespace sched {

std::unique_ptr<PlacementPolicy> make_best_fit_policy();
std::unique_ptr<PlacementPolicy> make_first_fit_policy();
std::unique_ptr<PlacementPolicy> make_least_loaded_policy();
std::unique_ptr<PlacementPolicy> make_power_of_two_choices_policy();
std::unique_ptr<PlacementPolicy> make_random_policy();
std::unique_ptr<PlacementPolicy> make_round_robin_policy();

}  // namespace sched
