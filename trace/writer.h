// Writes a trace (trace/FORMAT.md) event by event to a stream, as a run or a
// recording produces them. Every event is checked by the same rules the
// reader applies, so what is written can always be read back; an event that
// breaks them is refused (nothing is written) and reported as a value.
#pragma once

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>

#include "trace/error.h"
#include "trace/event.h"

namespace trace {

class Writer {
 public:
  // Writes the comment and header lines at once.
  explicit Writer(std::ostream& output);

  // Appends one line. The error's line is the one the event would have had.
  // The stream is not flushed: its owner decides how often (a recorder may
  // flush every second, a simulator once at the end).
  [[nodiscard]] std::optional<Error> write(const Event& event);
  std::uint64_t events_written() const { return events_written_; }
  // Header included: what a recorder rotates its file by.
  std::uint64_t bytes_written() const { return bytes_written_; }

 private:
  std::ostream& output_;
  std::string line_;  // reused: traces run to millions of lines
  std::int64_t line_number_ = 0;
  std::int64_t last_time_ms_ = 0;
  std::uint64_t events_written_ = 0;
  std::uint64_t bytes_written_ = 0;
};

}  // namespace trace
