// A trace line that breaks the format: where, which field, and what to write
// instead. The reader and the writer both report this, as a value.
#pragma once

#include <cstdint>
#include <string>

namespace trace {

struct Error {
  std::int64_t line = 0;  // 1-based line number in the file
  std::string field;      // "time_ms", "event", "room", "user", "bytes"; empty: the whole line
  std::string problem;    // what is wrong and how to fix it
  std::string text;       // the line as read, cut short (the reader's errors only)

  // One line for a person: "trace line 4, field bytes: ...: "4,join,r1,u1,7"".
  std::string describe() const;
};

}  // namespace trace
