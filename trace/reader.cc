#include "trace/reader.h"

#include <array>
#include <charconv>
#include <string_view>

#include "trace/validation.h"

namespace trace {
namespace {

using Fields = std::array<std::string_view, kFieldCount>;

// Splits at commas; returns how many fields the line has (only the first
// kFieldCount are stored).
std::size_t split_fields(std::string_view line, Fields& fields) {
  std::size_t count = 0;
  std::size_t start = 0;
  for (std::size_t i = 0; i <= line.size(); ++i) {
    if (i < line.size() && line[i] != ',') continue;
    if (count < kFieldCount) fields[count] = line.substr(start, i - start);
    ++count;
    start = i + 1;
  }
  return count;
}

// The whole text must be the number: "12x" and " 12" are refused.
template <typename Number>
std::errc parse_number(std::string_view text, Number& value) {
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc()) return error;
  return end == text.data() + text.size() ? std::errc() : std::errc::invalid_argument;
}

std::string quoted(std::string_view text) { return "'" + std::string(text) + "'"; }

std::optional<Error> parse_time(std::string_view text, std::int64_t& time_ms) {
  if (text.empty()) return Error{0, "time_ms", "time_ms is empty; write milliseconds, e.g. 0", {}};
  const std::errc result = parse_number(text, time_ms);
  if (result == std::errc()) return std::nullopt;
  if (text.rfind("time_ms", 0) == 0) {
    return Error{0, "", "a header line must be exactly " + std::string(kHeader), {}};
  }
  if (result == std::errc::result_out_of_range) {
    return Error{0, "time_ms", "time_ms " + quoted(text) + " is too large", {}};
  }
  return Error{0,
               "time_ms",
               "time_ms " + quoted(text) + " is not a whole number of milliseconds (e.g. 1534)",
               {}};
}

std::optional<Error> parse_bytes(std::string_view text, EventKind kind, std::uint32_t& bytes) {
  bytes = 0;
  if (kind != EventKind::message) {
    if (text.empty()) return std::nullopt;
    return bytes_not_allowed(kind);
  }
  if (text.empty()) {
    return Error{
        0, "bytes", "a message needs its size in bytes, e.g. \"2210,message,r1,u2,87\"", {}};
  }
  if (parse_number(text, bytes) == std::errc()) return std::nullopt;
  return Error{
      0, "bytes", "bytes " + quoted(text) + " is not a whole number from 0 to 4294967295", {}};
}

}  // namespace

Reader::Reader(std::istream& input) : input_(input) {}

ReadResult Reader::next(Event& event) {
  while (std::getline(input_, line_)) {
    ++line_number_;
    if (!line_.empty() && line_.back() == '\r') line_.pop_back();  // written on Windows
    if (line_.empty() || line_[0] == '#' || line_ == kHeader) continue;
    return parse_line(event);
  }
  return ReadResult::end;
}

ReadResult Reader::parse_line(Event& event) {
  Fields fields;
  const std::size_t count = split_fields(line_, fields);
  if (count != kFieldCount) {
    return fail(Error{0,
                      "",
                      "expected 5 comma-separated fields (" + std::string(kHeader) + "), found " +
                          std::to_string(count) +
                          "; create, join and leave end with a comma (their bytes are empty)",
                      {}});
  }
  if (auto error = parse_time(fields[0], event.time_ms)) return fail(*std::move(error));
  const std::optional<EventKind> kind = parse_event_kind(fields[1]);
  if (!kind) {
    return fail(Error{0,
                      "event",
                      "event " + quoted(fields[1]) + " is not one of create, join, leave, message",
                      {}});
  }
  event.kind = *kind;
  event.room.assign(fields[2]);
  event.user.assign(fields[3]);
  if (auto error = parse_bytes(fields[4], event.kind, event.bytes)) {
    return fail(*std::move(error));
  }
  if (auto error = check_event(event, last_time_ms_)) return fail(*std::move(error));
  last_time_ms_ = event.time_ms;
  return ReadResult::event;
}

ReadResult Reader::fail(Error error) {
  error_ = std::move(error);
  error_.line = line_number_;
  error_.text = line_;
  return ReadResult::bad_line;
}

Trace read_all(std::istream& input, std::size_t errors_max) {
  Trace trace;
  Reader reader(input);
  Event event;
  for (ReadResult result; (result = reader.next(event)) != ReadResult::end;) {
    if (result == ReadResult::event) {
      trace.events.push_back(event);
      continue;
    }
    ++trace.bad_lines;
    if (trace.errors.size() < errors_max) trace.errors.push_back(reader.last_error());
  }
  return trace;
}

}  // namespace trace
