#include "trace/error.h"

namespace trace {
namespace {

// Enough of a line to recognise it, not a whole corrupt file in one message.
constexpr std::size_t kQuotedLengthMax = 120;

}  // namespace

std::string Error::describe() const {
  std::string out = "trace line " + std::to_string(line);
  if (!field.empty()) out += ", field " + field;
  out += ": " + problem;
  if (!text.empty()) {
    out += ": \"" + text.substr(0, kQuotedLengthMax);
    out += text.size() > kQuotedLengthMax ? "...\"" : "\"";
  }
  return out;
}

}  // namespace trace
