// Reads a trace (trace/FORMAT.md) one event at a time, in constant memory, so
// a recording of millions of lines streams through. A bad line is reported
// as a value with its line number, field and fix; reading can go on past it,
// so a person sees every bad line at once.
#pragma once

#include <cstddef>
#include <cstdint>
#include <istream>
#include <string>
#include <vector>

#include "trace/error.h"
#include "trace/event.h"

namespace trace {

enum class ReadResult { event, bad_line, end };

class Reader {
 public:
  explicit Reader(std::istream& input);

  // event: `event` holds the next one (its strings reuse their storage, so a
  // caller that keeps one Event reads without allocating). bad_line:
  // last_error() says what is wrong; the next call goes on with the next
  // line, and time order is checked against the last good event. end: the
  // input is exhausted.
  ReadResult next(Event& event);
  const Error& last_error() const { return error_; }
  std::int64_t line_number() const { return line_number_; }

 private:
  ReadResult parse_line(Event& event);
  ReadResult fail(Error error);

  std::istream& input_;
  std::string line_;
  std::int64_t line_number_ = 0;
  std::int64_t last_time_ms_ = 0;
  Error error_;
};

// A whole trace in memory, for callers that need it all before they start.
struct Trace {
  std::vector<Event> events;
  std::vector<Error> errors;  // the first errors_max bad lines, in file order
  std::size_t bad_lines = 0;  // all of them
};

Trace read_all(std::istream& input, std::size_t errors_max = 100);

}  // namespace trace
