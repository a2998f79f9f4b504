// Trace files as the simulator's workload: read with //trace, tokens turned
// into dense numbers; and any workload written out as a trace. The format is
// trace/FORMAT.md.
#pragma once

#include <cstdint>
#include <fstream>
#include <istream>
#include <memory>
#include <ostream>
#include <stdexcept>
#include <string>
#include <unordered_map>

#include "sim/workload.h"
#include "trace/reader.h"

namespace sim {

// A trace the simulator cannot use: bad input, not a failure of the system
// under test, so it ends the program with exit code 1, not a failure report.
struct TraceError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Room and user tokens become dense numbers in order of first appearance, so
// any anonymisation scheme works and a replay is deterministic. A run cannot
// go on past a bad line (its events would be missing), so next() throws
// TraceError with the first one.
class TraceWorkload final : public Workload {
 public:
  explicit TraceWorkload(std::istream& input);
  static std::unique_ptr<TraceWorkload> open(const std::string& path);  // throws TraceError
  bool next(WorkloadEvent& event) override;

 private:
  std::unique_ptr<std::ifstream> owned_;
  trace::Reader reader_;
  trace::Event read_;  // reused, so reading allocates only for new tokens
  std::unordered_map<std::string, std::uint64_t> rooms_;
  std::unordered_map<std::string, std::uint64_t> users_;
};

// Drains `workload` into `output` (rooms spelled r<N>, users u<N>); returns
// the number of events written. Throws TraceError if the workload breaks the
// format (a generator bug) or the stream fails.
std::uint64_t write_trace(Workload& workload, std::ostream& output);

}  // namespace sim
