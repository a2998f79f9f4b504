// Merges the traces that several processes recorded (the backend's creations,
// each session server's joins, leaves and messages) into one trace in time
// order, read and written by this library, so the result is valid by
// construction. A process's rotated files (FILE.2, FILE.1, FILE) are read as
// one stream, oldest first.
#pragma once

#include <array>
#include <cstdint>
#include <istream>
#include <ostream>
#include <string>
#include <vector>

#include "trace/error.h"

namespace trace {

// The input files grouped by process: "x.trace.2", "x.trace.1" and "x.trace"
// make one group, in that order; groups keep the order of their first file.
std::vector<std::vector<std::string>> group_rotated_files(const std::vector<std::string>& paths);

struct MergeSource {
  std::string name;                    // for errors: the file's name
  std::vector<std::istream*> streams;  // one process, oldest first
};

struct MergeOptions {
  // Times are moved so that the first event is at 0 (a recording's times
  // are Unix milliseconds); false keeps them as they are.
  bool start_at_zero = true;
  std::size_t errors_max = 20;
};

struct MergeResult {
  std::uint64_t events = 0;
  std::array<std::uint64_t, 4> by_kind{};  // create, join, leave, message
  std::int64_t origin_ms = 0;              // subtracted from every time
  std::int64_t duration_ms = 0;            // last time minus first
  std::vector<std::string> errors;         // bad lines, with their file; none: the trace is whole
  std::uint64_t bad_lines = 0;
  // Not errors of the format (FORMAT.md lets a trace hold them), but signs
  // of a file left out or records dropped: joins of rooms no creation in the
  // merged trace named, and messages of users not joined to their room then.
  std::uint64_t joins_of_rooms_not_created = 0;
  std::uint64_t messages_not_joined = 0;
};

// Reads every source and writes the merged trace. At equal times, a
// creation comes before a join, a join before a message, a message before a
// leave, whichever process recorded them; within one source the file order
// is kept. On bad lines the output is incomplete and result.errors says why.
MergeResult merge(const std::vector<MergeSource>& sources, std::ostream& output,
                  const MergeOptions& options = {});

}  // namespace trace
