// The merge over random recordings: whatever the processes wrote, the merged
// trace holds every event once, in time order, each process's events in its
// own order, and reads back without a bad line.
#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <memory>
#include <sstream>

#include "trace/merge.h"
#include "trace/reader.h"
#include "trace/writer.h"

namespace trace {
namespace {

// One process's recording: times from a shared epoch, non-decreasing, many
// equal (servers record several events a millisecond).
std::vector<Event> recording(std::size_t process) {
  std::int64_t time_ms = 1'700'000'000'000 + *rc::gen::inRange<std::int64_t>(0, 1000);
  const auto count = *rc::gen::inRange<std::size_t>(0, 40);
  std::vector<Event> events;
  for (std::size_t i = 0; i < count; ++i) {
    time_ms += *rc::gen::element<std::int64_t>(0, 0, 1, 3, 250);
    Event event;
    event.time_ms = time_ms;
    event.kind =
        *rc::gen::element(EventKind::create, EventKind::join, EventKind::leave, EventKind::message);
    event.room = "r" + std::to_string(*rc::gen::inRange(0, 5));
    // The process and position in the user token let the check find each
    // event's origin.
    event.user = "p" + std::to_string(process) + "e" + std::to_string(i);
    if (event.kind == EventKind::message) event.bytes = *rc::gen::inRange<std::uint32_t>(0, 5000);
    events.push_back(std::move(event));
  }
  return events;
}

RC_GTEST_PROP(MergeProperties, EveryEventOnceInTimeOrderEachProcessInItsOrder, ()) {
  const auto processes = *rc::gen::inRange<std::size_t>(1, 6);
  std::vector<std::vector<Event>> recordings;
  std::vector<std::unique_ptr<std::stringstream>> files;
  std::vector<MergeSource> sources;
  for (std::size_t p = 0; p < processes; ++p) {
    recordings.push_back(recording(p));
    files.push_back(std::make_unique<std::stringstream>());
    Writer writer(*files.back());
    for (const Event& event : recordings.back()) RC_ASSERT_FALSE(writer.write(event).has_value());
    sources.push_back({"p" + std::to_string(p), {files.back().get()}});
  }
  std::stringstream output;
  const MergeResult result = merge(sources, output);
  RC_ASSERT(result.bad_lines == 0u);
  const Trace merged = read_all(output);
  RC_ASSERT(merged.bad_lines == 0u);

  std::vector<Event> expected;
  std::int64_t origin = INT64_MAX;
  for (const auto& events : recordings) {
    expected.insert(expected.end(), events.begin(), events.end());
    if (!events.empty()) origin = std::min(origin, events.front().time_ms);
  }
  RC_ASSERT(merged.events.size() == expected.size());
  for (Event& event : expected) event.time_ms -= origin;
  auto by_user = [](const Event& a, const Event& b) { return a.user < b.user; };
  std::vector<Event> got = merged.events;
  std::sort(got.begin(), got.end(), by_user);
  std::sort(expected.begin(), expected.end(), by_user);
  RC_ASSERT(got == expected);  // once each, unchanged but for the time's origin

  std::vector<std::size_t> next_of_process(processes, 0);
  for (std::size_t i = 0; i < merged.events.size(); ++i) {
    const Event& event = merged.events[i];
    if (i > 0) RC_ASSERT(merged.events[i - 1].time_ms <= event.time_ms);
    const std::size_t e = event.user.find('e');
    const std::size_t p = std::stoul(event.user.substr(1, e - 1));
    RC_ASSERT(std::stoul(event.user.substr(e + 1)) == next_of_process[p]++);
  }
}

}  // namespace
}  // namespace trace
