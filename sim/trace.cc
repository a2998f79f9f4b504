#include "sim/trace.h"

#include <charconv>
#include <string_view>
#include <vector>

namespace sim {
namespace {

constexpr std::size_t kFields = 5;

// Splits a line at commas into exactly kFields views; false otherwise.
bool split_fields(std::string_view line, std::string_view (&fields)[kFields]) {
  std::size_t field = 0;
  std::size_t start = 0;
  for (std::size_t i = 0; i <= line.size(); ++i) {
    if (i < line.size() && line[i] != ',') continue;
    if (field == kFields) return false;
    fields[field++] = line.substr(start, i - start);
    start = i + 1;
  }
  return field == kFields;
}

template <typename Number>
bool parse_number(std::string_view text, Number& value) {
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  return error == std::errc() && end == text.data() + text.size();
}

bool parse_kind(std::string_view text, EventKind& kind) {
  for (EventKind candidate :
       {EventKind::create_room, EventKind::join, EventKind::leave, EventKind::message}) {
    if (text == to_string(candidate)) {
      kind = candidate;
      return true;
    }
  }
  return false;
}

}  // namespace

TraceReader::TraceReader(std::istream& input) : input_(input) {}

std::unique_ptr<TraceReader> TraceReader::open(const std::string& path) {
  auto file = std::make_unique<std::ifstream>(path);
  if (!*file) throw TraceError("cannot open trace file " + path);
  auto reader = std::make_unique<TraceReader>(*file);
  reader->owned_ = std::move(file);
  return reader;
}

void TraceReader::fail(const std::string& what) const {
  throw TraceError("trace line " + std::to_string(line_number_) + ": " + what + ": \"" + line_ +
                   "\"");
}

std::uint64_t TraceReader::number_for(std::unordered_map<std::string, std::uint64_t>& ids,
                                      std::string_view token) {
  auto [entry, added] = ids.try_emplace(std::string(token), ids.size() + 1);
  return entry->second;
}

bool TraceReader::next(WorkloadEvent& event) {
  while (std::getline(input_, line_)) {
    ++line_number_;
    if (!line_.empty() && line_.back() == '\r') line_.pop_back();  // written on Windows
    if (line_.empty() || line_[0] == '#' || line_ == kTraceHeader) continue;
    std::string_view fields[kFields];
    if (!split_fields(line_, fields)) fail("expected 5 comma-separated fields");
    if (!parse_number(fields[0], event.time_ms) || event.time_ms < 0) fail("bad time_ms");
    if (event.time_ms < last_time_ms_) fail("time goes backwards");
    last_time_ms_ = event.time_ms;
    if (!parse_kind(fields[1], event.kind)) fail("unknown event");
    if (fields[2].empty()) fail("missing room");
    if (fields[3].empty()) fail("missing user");
    event.room = number_for(rooms_, fields[2]);
    event.user = number_for(users_, fields[3]);
    event.bytes = 0;
    if (event.kind == EventKind::message) {
      if (!parse_number(fields[4], event.bytes)) fail("bad bytes");
    } else if (!fields[4].empty()) {
      fail("bytes is only for message events");
    }
    return true;
  }
  return false;
}

TraceWriter::TraceWriter(std::ostream& output) : output_(output) {
  output_ << "# stateful-routing chat trace, format 1 (sim/TRACE_FORMAT.md)\n"
          << kTraceHeader << '\n';
}

void TraceWriter::write(const WorkloadEvent& event) {
  // Built in a buffer and written once: formatted stream output per field is
  // several times slower, and traces run to millions of lines.
  char line[96];
  char* out = line;
  char* const end = line + sizeof line;
  out = std::to_chars(out, end, event.time_ms).ptr;
  *out++ = ',';
  const std::string_view kind = to_string(event.kind);
  out = std::copy(kind.begin(), kind.end(), out);
  *out++ = ',';
  *out++ = 'r';
  out = std::to_chars(out, end, event.room).ptr;
  *out++ = ',';
  *out++ = 'u';
  out = std::to_chars(out, end, event.user).ptr;
  *out++ = ',';
  if (event.kind == EventKind::message) out = std::to_chars(out, end, event.bytes).ptr;
  *out++ = '\n';
  output_.write(line, out - line);
}

std::uint64_t write_trace(Workload& workload, std::ostream& output) {
  TraceWriter writer(output);
  WorkloadEvent event;
  std::uint64_t written = 0;
  while (workload.next(event)) {
    writer.write(event);
    ++written;
  }
  return written;
}

}  // namespace sim
