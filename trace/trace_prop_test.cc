// Properties of the trace library over random events: whatever the writer
// accepts, the reader gives back unchanged; and the writer and the reader
// accept and refuse the same events (one validation, two directions).
#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <cstdint>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

#include "trace/reader.h"
#include "trace/writer.h"

namespace trace {
namespace {

bool allowed_in_token(char c) {
  const auto byte = static_cast<unsigned char>(c);
  return c != ',' && c != ' ' && byte >= 0x20 && byte != 0x7f;
}

// Any valid token: 1 to kTokenLengthMax bytes, UTF-8 and '#' included.
rc::Gen<std::string> valid_token() {
  return rc::gen::mapcat(
      rc::gen::inRange<std::size_t>(1, kTokenLengthMax + 1), [](std::size_t length) {
        return rc::gen::container<std::string>(
            length, rc::gen::suchThat(rc::gen::arbitrary<char>(), allowed_in_token));
      });
}

rc::Gen<EventKind> any_kind() {
  return rc::gen::element(EventKind::create, EventKind::join, EventKind::leave, EventKind::message);
}

// A valid trace: times never go backwards (repeats included), from 0 or from
// far along the int64 range; sizes only on messages.
std::vector<Event> valid_events() {
  const bool starts_late = *rc::gen::arbitrary<bool>();
  std::int64_t time_ms =
      starts_late ? *rc::gen::inRange<std::int64_t>(0, std::numeric_limits<std::int64_t>::max() / 2)
                  : 0;
  const auto count = *rc::gen::inRange<std::size_t>(0, 60);
  std::vector<Event> events;
  for (std::size_t i = 0; i < count; ++i) {
    time_ms += *rc::gen::oneOf(rc::gen::just<std::int64_t>(0),
                               rc::gen::inRange<std::int64_t>(0, 100'000'000));
    Event event;
    event.time_ms = time_ms;
    event.kind = *any_kind();
    event.room = *valid_token();
    event.user = *valid_token();
    if (event.kind == EventKind::message) event.bytes = *rc::gen::arbitrary<std::uint32_t>();
    events.push_back(std::move(event));
  }
  return events;
}

RC_GTEST_PROP(TraceProperties, WritingThenReadingGivesTheTraceBack, ()) {
  const std::vector<Event> events = valid_events();
  std::stringstream text;
  Writer writer(text);
  for (const Event& event : events) {
    const auto error = writer.write(event);
    RC_ASSERT_FALSE(error.has_value());
  }
  RC_ASSERT(writer.bytes_written() == text.str().size());  // what a recorder rotates by
  const Trace read = read_all(text);
  if (!read.errors.empty()) RC_LOG() << read.errors.front().describe() << "\n";
  RC_ASSERT(read.bad_lines == 0u);
  RC_ASSERT(read.events == events);
}

// Fields that may break any rule: empty, commas, spaces, tabs, negative or
// out-of-order times, sizes on non-messages.
rc::Gen<std::string> doubtful_token() {
  return rc::gen::container<std::string>(
      rc::gen::element('a', 'Z', '#', ',', ' ', '\t', '\x7f', '\xc3', '\xa9'));
}

// The line a careless hand would write for `event`, without any check.
std::string as_line(const Event& event) {
  std::string line = std::to_string(event.time_ms) + "," + std::string(to_string(event.kind)) +
                     "," + event.room + "," + event.user + ",";
  if (event.kind == EventKind::message || event.bytes != 0) line += std::to_string(event.bytes);
  return line;
}

RC_GTEST_PROP(TraceProperties, TheWriterRefusesExactlyWhatTheReaderRefuses, ()) {
  const std::int64_t previous_ms = *rc::gen::inRange<std::int64_t>(0, 5);
  Event event;
  event.time_ms = *rc::gen::inRange<std::int64_t>(-2, 8);
  event.kind = *any_kind();
  event.room = *doubtful_token();
  event.user = *doubtful_token();
  event.bytes = *rc::gen::element<std::uint32_t>(0, 1, 4'294'967'295u);

  std::ostringstream written;
  Writer writer(written);
  RC_ASSERT_FALSE(writer.write({previous_ms, EventKind::join, "r0", "u0", 0}).has_value());
  const auto write_error = writer.write(event);

  std::istringstream text("# as the writer begins\ntime_ms,event,room,user,bytes\n" +
                          std::to_string(previous_ms) + ",join,r0,u0,\n" + as_line(event) + "\n");
  Reader reader(text);
  Event read;
  RC_ASSERT(reader.next(read) == ReadResult::event);
  const ReadResult result = reader.next(read);
  RC_LOG() << as_line(event) << " -> " << (write_error ? write_error->describe() : "written")
           << " / " << (result == ReadResult::bad_line ? reader.last_error().describe() : "read")
           << "\n";
  RC_ASSERT(write_error.has_value() == (result == ReadResult::bad_line));
  if (write_error) {
    // Both name the same line; with a comma in a token the reader sees a
    // wrong field count where the writer sees the token, so fields may differ.
    RC_ASSERT(write_error->line == reader.last_error().line);
  } else {
    RC_ASSERT(read == event);
  }
}

}  // namespace
}  // namespace trace
