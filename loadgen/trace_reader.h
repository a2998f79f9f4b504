// Reads a trace to replay: the simulator's trace format (sim/trace.h, "format
// 1"; sim/TRACE_FORMAT.md was not written yet when this was), a CSV with one
// event a line:
//
//   time_ms,event,room,user,bytes
//   0,create,r1,alice,0
//   5,join,r1,alice,0
//   900,message,r1,alice,120
//   2000,leave,r1,alice,0
//
// event is create | join | leave | message; room and user are names local to
// the trace; bytes is the message length (empty for other events). The header
// line (starting with "time_ms"), blank lines and lines starting with '#' are
// skipped. Times must not go backwards. Kept in this one file so it is easy
// to align with sim/TRACE_FORMAT.md.
#pragma once

#include <cstdint>
#include <istream>
#include <string>
#include <vector>

namespace loadgen {

struct TraceEvent {
  enum class Kind { create, join, leave, message };
  std::uint64_t time_ms = 0;
  Kind kind = Kind::message;
  std::string room;
  std::string user;
  int size = 0;
};

struct Trace {
  std::vector<TraceEvent> events;
  std::vector<std::string> errors;  // "line N: what is wrong"
};

Trace read_trace(std::istream& in);

}  // namespace loadgen
