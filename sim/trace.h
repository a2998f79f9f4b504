// The trace file: one workload format for the simulator, the load generator
// and recordings from production. Specified in sim/TRACE_FORMAT.md.
#pragma once

#include <cstdint>
#include <fstream>
#include <istream>
#include <memory>
#include <ostream>
#include <string>
#include <unordered_map>

#include "sim/workload.h"

namespace sim {

inline constexpr std::string_view kTraceHeader = "time_ms,event,room,user,bytes";

// Thrown with the file's line number for a malformed or out-of-order trace.
struct TraceError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Reads a trace. Room and user tokens become dense numbers in order of first
// appearance, so any anonymisation scheme works and a replay is deterministic.
class TraceReader final : public Workload {
 public:
  explicit TraceReader(std::istream& input);
  static std::unique_ptr<TraceReader> open(const std::string& path);  // throws TraceError
  bool next(WorkloadEvent& event) override;

 private:
  std::uint64_t number_for(std::unordered_map<std::string, std::uint64_t>& ids,
                           std::string_view token);
  [[noreturn]] void fail(const std::string& what) const;

  std::unique_ptr<std::ifstream> owned_;
  std::istream& input_;
  std::string line_;
  std::int64_t line_number_ = 0;
  std::int64_t last_time_ms_ = 0;
  std::unordered_map<std::string, std::uint64_t> rooms_;
  std::unordered_map<std::string, std::uint64_t> users_;
};

class TraceWriter {
 public:
  explicit TraceWriter(std::ostream& output);  // writes the header
  void write(const WorkloadEvent& event);

 private:
  std::ostream& output_;
};

// Drains `workload` into `output`; returns the number of events written.
std::uint64_t write_trace(Workload& workload, std::ostream& output);

}  // namespace sim
