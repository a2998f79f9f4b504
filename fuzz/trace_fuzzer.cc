// The trace reader (trace/): a trace file is whatever the person running
// the simulator or the load generator points it at. The input is the file.
// Invariants: every event read follows the format's rules (check_event);
// bad lines are counted, and reported with their line numbers in order;
// what was read, written back with the Writer, reads back the same with no
// bad line (the reader and the writer agree on the format).
#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>

#include "fuzz/fuzz_util.h"
#include "trace/reader.h"
#include "trace/validation.h"
#include "trace/writer.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::istringstream input(std::string(reinterpret_cast<const char*>(data), size));
  trace::Trace read = trace::read_all(input, 10);
  FUZZ_CHECK(read.errors.size() <= 10 && read.errors.size() <= read.bad_lines);
  for (std::size_t i = 1; i < read.errors.size(); ++i) {
    FUZZ_CHECK(read.errors[i - 1].line < read.errors[i].line);
  }
  for (const auto& error : read.errors) FUZZ_CHECK(!error.describe().empty());

  std::int64_t previous_time_ms = 0;
  std::ostringstream written;
  trace::Writer writer(written);
  for (const trace::Event& event : read.events) {
    FUZZ_CHECK(!trace::check_event(event, previous_time_ms));
    previous_time_ms = event.time_ms;
    FUZZ_CHECK(!writer.write(event));
  }
  std::istringstream again(written.str());
  trace::Trace reread = trace::read_all(again);
  FUZZ_CHECK(reread.bad_lines == 0);
  FUZZ_CHECK(reread.events == read.events);
  return 0;
}
