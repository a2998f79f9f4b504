#include "trace/writer.h"

#include <charconv>

#include "trace/validation.h"

namespace trace {
namespace {

constexpr std::string_view kFirstLine = "# stateful-routing chat trace, format 1 (trace/FORMAT.md)";

template <typename Number>
void append_number(std::string& out, Number value) {
  char digits[24];  // an int64 with its sign is at most 20 characters
  const auto end = std::to_chars(digits, digits + sizeof digits, value).ptr;
  out.append(digits, end);
}

}  // namespace

Writer::Writer(std::ostream& output) : output_(output) {
  output_ << kFirstLine << '\n' << kHeader << '\n';
  line_number_ = 2;
  bytes_written_ = kFirstLine.size() + kHeader.size() + 2;
}

std::optional<Error> Writer::write(const Event& event) {
  const std::int64_t line_number = line_number_ + 1;
  if (auto error = check_event(event, last_time_ms_)) {
    error->line = line_number;
    return error;
  }
  // Built in one buffer and written once: formatted stream output per field
  // is several times slower.
  line_.clear();
  append_number(line_, event.time_ms);
  line_ += ',';
  line_ += to_string(event.kind);
  line_ += ',';
  line_ += event.room;
  line_ += ',';
  line_ += event.user;
  line_ += ',';
  if (event.kind == EventKind::message) append_number(line_, event.bytes);
  line_ += '\n';
  output_.write(line_.data(), static_cast<std::streamsize>(line_.size()));
  if (!output_) return Error{line_number, "", "cannot write: the output stream failed", {}};
  line_number_ = line_number;
  last_time_ms_ = event.time_ms;
  ++events_written_;
  bytes_written_ += line_.size();
  return std::nullopt;
}

}  // namespace trace
