// The limits of one room, with the seed's defaults (PROTOCOL.md).
#pragma once

#include <chrono>
#include <cstddef>

namespace chat {

struct RoomLimits {
  std::size_t users_max = 100;
  std::size_t message_chars_max = 1000;  // Unicode code points, as JavaScript's length is close to
  std::size_t history_messages_max = 100;
  // Token bucket per member: a steady rate and a burst above it.
  double messages_per_second = 10.0;
  double messages_burst = 20.0;
  // Refused frames (empty, binary, too long, too fast) draw on an allowance
  // of this many, refilled at this many a minute; a refused frame when it is
  // spent closes the member (1008). 0: never closed for refusals.
  double refused_messages_per_minute = 60.0;
  // v2 message ids remembered to drop duplicates, and so the number of
  // messages a room loads back from the log (docs/PROTOCOL.md): a client
  // re-sends within seconds of a reconnect, and 10,000 is over a minute of a
  // full room at 100 messages a second.
  std::size_t remembered_ids_max = 10000;
};

}  // namespace chat
