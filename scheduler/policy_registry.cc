#include <map>

#include "scheduler/policy.h"

namespace sched {
namespace {

// A function-local static, so that registrations from other files' static
// initialisers find it constructed whatever the link order.
std::map<std::string, PolicyFactory, std::less<>>& registry() {
  static std::map<std::string, PolicyFactory, std::less<>> factories;
  return factories;
}

}  // namespace

PolicyRegistration::PolicyRegistration(std::string name, PolicyFactory factory) {
  registry().emplace(std::move(name), std::move(factory));
}

std::unique_ptr<PlacementPolicy> make_policy(std::string_view name) {
  auto found = registry().find(name);
  if (found == registry().end()) return nullptr;
  return found->second();
}

std::vector<std::string> policy_names() {
  std::vector<std::string> names;
  for (const auto& [name, factory] : registry()) names.push_back(name);
  return names;
}

}  // namespace sched
