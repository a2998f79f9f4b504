// One event of a trace: what one user did at one moment. The record both the
// reader produces and the writer takes; the format is trace/FORMAT.md.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace trace {

// The header line a trace may carry (the writer always writes it).
inline constexpr std::string_view kHeader = "time_ms,event,room,user,bytes";
inline constexpr std::size_t kFieldCount = 5;
// Tokens are anonymised ids, short by nature: the bound keeps a corrupt file
// (one endless "token") from being taken for a trace.
inline constexpr std::size_t kTokenLengthMax = 255;

enum class EventKind : std::uint8_t { create, join, leave, message };

// The word the format uses for the kind: "create", "join", "leave", "message".
std::string_view to_string(EventKind kind);
std::optional<EventKind> parse_event_kind(std::string_view word);

struct Event {
  std::int64_t time_ms = 0;  // since the start of the trace
  EventKind kind = EventKind::create;
  std::string room;         // the trace's token for the room
  std::string user;         // the trace's token for the user
  std::uint32_t bytes = 0;  // message size; 0 for the other kinds

  friend bool operator==(const Event&, const Event&) = default;
};

}  // namespace trace
