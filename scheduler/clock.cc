#include "scheduler/clock.h"

#include <charconv>
#include <cstdio>
#include <memory>

namespace sched {

RoomIdGenerator sequential_room_ids(std::string prefix) {
  auto next = std::make_shared<std::uint64_t>(0);
  // Written into one string, not concatenated from two: one id per room.
  return [prefix = std::move(prefix), next] {
    char digits[20];
    const auto end = std::to_chars(digits, digits + sizeof digits, ++*next).ptr;
    RoomId id;
    id.reserve(prefix.size() + static_cast<std::size_t>(end - digits));
    id.append(prefix).append(digits, end);
    return id;
  };
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
