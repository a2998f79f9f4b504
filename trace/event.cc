#include "trace/event.h"

namespace trace {

std::string_view to_string(EventKind kind) {
  switch (kind) {
    case EventKind::create:
      return "create";
    case EventKind::join:
      return "join";
    case EventKind::leave:
      return "leave";
    case EventKind::message:
      return "message";
  }
  return "unknown";
}

std::optional<EventKind> parse_event_kind(std::string_view word) {
  for (EventKind kind :
       {EventKind::create, EventKind::join, EventKind::leave, EventKind::message}) {
    if (word == to_string(kind)) return kind;
  }
  return std::nullopt;
}

}  // namespace trace
