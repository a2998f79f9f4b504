// The rules an event must follow, in one place: the reader applies them to
// every line it parses and the writer to every event before it writes it,
// so a written trace is always one the reader accepts.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "trace/error.h"
#include "trace/event.h"

namespace trace {

// Checks one event against the format and the previous event's time (0 for
// the first). On a problem, the Error's field and problem are filled; the
// caller adds the line number and text.
std::optional<Error> check_event(const Event& event, std::int64_t previous_time_ms);

// For a non-message event that carries a size: the problem, worded once for
// the reader (a non-empty field) and the writer (a non-zero size).
Error bytes_not_allowed(EventKind kind);

}  // namespace trace
