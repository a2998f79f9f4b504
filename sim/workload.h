// What users do, independent of any scheduler: the events of a trace. The
// synthetic generator and the trace reader both produce this stream, in
// non-decreasing time order; the simulator consumes it, and so does the trace
// writer. Ids are small integers here; the trace format spells them as
// anonymised tokens (trace/FORMAT.md).
#pragma once

#include <cstdint>

#include "trace/event.h"

namespace sim {

// What a user does: one vocabulary with the trace format (trace::to_string
// spells it).
using EventKind = trace::EventKind;

struct WorkloadEvent {
  std::int64_t time_ms = 0;
  EventKind kind = EventKind::create;
  std::uint64_t room = 0;   // the workload's room id, not the scheduler's
  std::uint64_t user = 0;   // for create: the user who asks for it
  std::uint32_t bytes = 0;  // message size; 0 for the other kinds
};

class Workload {
 public:
  virtual ~Workload() = default;
  // The next event, or false once the workload is over.
  virtual bool next(WorkloadEvent& event) = 0;
};

}  // namespace sim
