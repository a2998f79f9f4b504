#include "trace/validation.h"

#include <string>

namespace trace {
namespace {

bool is_forbidden_in_token(char c) {
  const auto byte = static_cast<unsigned char>(c);
  return c == ',' || c == ' ' || byte < 0x20 || byte == 0x7f;  // 0x7f: DEL
}

std::optional<Error> check_token(std::string_view field, std::string_view token) {
  const std::string name(field);
  if (token.empty()) {
    return Error{0, name, name + " is empty; every event names its " + name + " with a token", {}};
  }
  if (token.size() > kTokenLengthMax) {
    return Error{0,
                 name,
                 name + " token is " + std::to_string(token.size()) + " bytes long; at most " +
                     std::to_string(kTokenLengthMax) + " (tokens are short anonymised ids)",
                 {}};
  }
  for (char c : token) {
    if (!is_forbidden_in_token(c)) continue;
    const std::string what = c == ',' ? "a comma" : c == ' ' ? "a space" : "a control character";
    return Error{0,
                 name,
                 name + " token contains " + what +
                     "; tokens have no commas, spaces, tabs or control characters",
                 {}};
  }
  return std::nullopt;
}

}  // namespace

Error bytes_not_allowed(EventKind kind) {
  const std::string word(to_string(kind));
  return Error{0,
               "bytes",
               "bytes is only for message events; leave it empty for " + word +
                   " (the line ends with a comma: \"...," + word + ",ROOM,USER,\")",
               {}};
}

std::optional<Error> check_event(const Event& event, std::int64_t previous_time_ms) {
  if (event.time_ms < 0) {
    return Error{0,
                 "time_ms",
                 "time_ms is " + std::to_string(event.time_ms) +
                     "; times are milliseconds since the start of the trace, 0 or more",
                 {}};
  }
  if (event.time_ms < previous_time_ms) {
    return Error{0,
                 "time_ms",
                 "time goes backwards (" + std::to_string(event.time_ms) + " after " +
                     std::to_string(previous_time_ms) +
                     "); sort the events by time, keeping the file order of equal times",
                 {}};
  }
  if (auto error = check_token("room", event.room)) return error;
  if (auto error = check_token("user", event.user)) return error;
  if (event.kind != EventKind::message && event.bytes != 0) return bytes_not_allowed(event.kind);
  return std::nullopt;
}

}  // namespace trace
