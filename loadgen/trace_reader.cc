#include "loadgen/trace_reader.h"

#include <charconv>
#include <string_view>

namespace loadgen {
namespace {

std::vector<std::string_view> split_fields(std::string_view line) {
  std::vector<std::string_view> fields;
  while (true) {
    auto comma = line.find(',');
    auto field = line.substr(0, comma);
    while (!field.empty() && (field.front() == ' ' || field.front() == '\t')) {
      field.remove_prefix(1);
    }
    while (!field.empty() && (field.back() == ' ' || field.back() == '\t' ||
                              field.back() == '\r')) {
      field.remove_suffix(1);
    }
    fields.push_back(field);
    if (comma == std::string_view::npos) return fields;
    line.remove_prefix(comma + 1);
  }
}

template <class Int>
bool parse_int(std::string_view text, Int& value) {
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  return ec == std::errc() && end == text.data() + text.size();
}

}  // namespace

Trace read_trace(std::istream& in) {
  Trace trace;
  std::string line;
  int number = 0;
  std::uint64_t last_time = 0;
  while (std::getline(in, line)) {
    ++number;
    std::string_view view(line);
    if (view.find_first_not_of(" \t\r") == std::string_view::npos || view.front() == '#') {
      continue;
    }
    if (view.rfind("time_ms", 0) == 0) continue;  // the header
    auto fail = [&](const std::string& what) {
      trace.errors.push_back("line " + std::to_string(number) + ": " + what);
    };
    auto fields = split_fields(view);
    if (fields.size() != 5) {
      fail("expected 5 fields time_ms,event,room,user,bytes, got " +
           std::to_string(fields.size()));
      continue;
    }
    TraceEvent event;
    if (!parse_int(fields[0], event.time_ms)) {
      fail("time_ms '" + std::string(fields[0]) + "' is not a whole number");
      continue;
    }
    if (event.time_ms < last_time) {
      fail("time goes backwards (" + std::to_string(event.time_ms) + " < " +
           std::to_string(last_time) + ")");
      continue;
    }
    if (fields[1] == "create") event.kind = TraceEvent::Kind::create;
    else if (fields[1] == "join") event.kind = TraceEvent::Kind::join;
    else if (fields[1] == "leave") event.kind = TraceEvent::Kind::leave;
    else if (fields[1] == "message") event.kind = TraceEvent::Kind::message;
    else {
      fail("event '" + std::string(fields[1]) + "' is not create, join, leave or message");
      continue;
    }
    if (fields[2].empty() || fields[3].empty()) {
      fail("room and user must not be empty");
      continue;
    }
    if (!fields[4].empty() && (!parse_int(fields[4], event.size) || event.size < 0)) {
      fail("size '" + std::string(fields[4]) + "' is not a non-negative number");
      continue;
    }
    event.room = std::string(fields[2]);
    event.user = std::string(fields[3]);
    last_time = event.time_ms;
    trace.events.push_back(std::move(event));
  }
  return trace;
}

}  // namespace loadgen
