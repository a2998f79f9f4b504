#include "sim/trace_workload.h"

#include "trace/writer.h"

namespace sim {
namespace {

std::uint64_t number_for(std::unordered_map<std::string, std::uint64_t>& numbers,
                         const std::string& token) {
  return numbers.try_emplace(token, numbers.size() + 1).first->second;
}

}  // namespace

TraceWorkload::TraceWorkload(std::istream& input) : reader_(input) {}

std::unique_ptr<TraceWorkload> TraceWorkload::open(const std::string& path) {
  auto file = std::make_unique<std::ifstream>(path);
  if (!*file) throw TraceError("cannot open trace file " + path);
  auto workload = std::make_unique<TraceWorkload>(*file);
  workload->owned_ = std::move(file);
  return workload;
}

bool TraceWorkload::next(WorkloadEvent& event) {
  switch (reader_.next(read_)) {
    case trace::ReadResult::end:
      return false;
    case trace::ReadResult::bad_line:
      throw TraceError(reader_.last_error().describe());
    case trace::ReadResult::event:
      break;
  }
  event.time_ms = read_.time_ms;
  event.kind = read_.kind;
  event.room = number_for(rooms_, read_.room);
  event.user = number_for(users_, read_.user);
  event.bytes = read_.bytes;
  return true;
}

std::uint64_t write_trace(Workload& workload, std::ostream& output) {
  trace::Writer writer(output);
  WorkloadEvent event;
  trace::Event record;  // reused: short tokens stay in the strings' own storage
  while (workload.next(event)) {
    record.time_ms = event.time_ms;
    record.kind = event.kind;
    record.room = "r" + std::to_string(event.room);
    record.user = "u" + std::to_string(event.user);
    record.bytes = event.bytes;
    if (auto error = writer.write(record)) throw TraceError(error->describe());
  }
  return writer.events_written();
}

}  // namespace sim
