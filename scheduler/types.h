// The words the scheduler speaks: ids, server states, the time unit.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace sched {

// Server ids are strings because they come from the fleet provider, which
// names servers its own way: the static fleet uses the host ("h:p"), the
// local fleet "local-<port>", the Hathora fleet "hathora-<n>". Inside the
// scheduler each server also gets a ServerKey, a number in registration
// order, so indexes stay cheap.
using ServerId = std::string;
using ServerKey = std::uint64_t;
using RoomId = std::string;
// The room table's own handle on a room (room_table.h): a slot and its
// generation, so a key outliving its room is recognised. Never 0.
using RoomKey = std::uint64_t;
inline constexpr RoomKey kNoRoomKey = 0;

// All times are milliseconds on the caller's clock (real or simulated).
using Millis = std::chrono::milliseconds;

enum class ServerState {
  starting,  // asked of the fleet, not answering yet
  ready,     // answering; takes new rooms while it has a free slot
  draining,  // keeps its rooms, takes no new ones
  gone,      // stopped by us or declared dead; holds no slot
};

std::string_view to_string(ServerState state);

}  // namespace sched
