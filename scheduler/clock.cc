#include "scheduler/clock.h"

#include <cstdio>
#include <memory>

namespace sched {

RoomIdGenerator sequential_room_ids(std::string prefix) {
  auto next = std::make_shared<std::uint64_t>(0);
  return [prefix = std::move(prefix), next] { return prefix + std::to_string(++*next); };
}

RoomIdGenerator seeded_room_ids(std::uint64_t seed) {
  auto random = std::make_shared<Random>(seed);
  return [random] {
    char digits[17];
    std::snprintf(digits, sizeof digits, "%016llx", static_cast<unsigned long long>((*random)()));
    return RoomId(digits);
  };
}

}  // namespace sched
