// Reads a trace to replay. The simulator (sim/) did not document its trace
// format yet when this was written, so this is a plain CSV, one event a line:
//
//   time_ms,event,room,user,size
//   0,create,r1,alice,0
//   5,join,r1,alice,0
//   900,message,r1,alice,120
//   2000,leave,r1,alice,0
//
// event is create | join | leave | message; room and user are names local to
// the trace; size is the message length in bytes (ignored otherwise). A first
// line starting with "time_ms", blank lines and lines starting with '#' are
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
