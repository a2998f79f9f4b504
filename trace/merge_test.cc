// The merge of per-process recordings: one time line from 0, creations
// before joins at the same millisecond, rotated files read oldest first, and
// bad input named by file.
#include "trace/merge.h"

#include <gtest/gtest.h>

#include <sstream>

#include "trace/reader.h"

namespace trace {
namespace {

constexpr const char* kBackend =
    "# backend\n"
    "time_ms,event,room,user,bytes\n"
    "1700000000100,create,r1,u1,\n"
    "1700000000900,create,r2,u2,\n";
constexpr const char* kSession =
    "1700000000100,join,r1,u1,\n"
    "1700000000500,message,r1,u1,12\n"
    "1700000000900,join,r2,u2,\n"
    "1700000002000,leave,r1,u1,\n";

std::vector<Event> merged_events(std::vector<std::string> texts, MergeResult* out = nullptr,
                                 MergeOptions options = {}) {
  std::vector<std::istringstream> inputs;
  inputs.reserve(texts.size());
  for (auto& text : texts) inputs.emplace_back(text);
  std::vector<MergeSource> sources;
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    sources.push_back({"file" + std::to_string(i), {&inputs[i]}});
  }
  std::stringstream output;
  MergeResult result = merge(sources, output, options);
  if (out) *out = result;
  const Trace read = read_all(output);
  EXPECT_EQ(read.bad_lines, 0u);
  return read.events;
}

TEST(Merge, OneTimeLineFromZeroCreationsFirstAtEqualTimes) {
  MergeResult result;
  // The session server's file first: the order of the files must not matter.
  const auto events = merged_events({kSession, kBackend}, &result);
  ASSERT_EQ(events.size(), 6u);
  EXPECT_EQ(result.origin_ms, 1700000000100);
  EXPECT_EQ(result.duration_ms, 1900);
  EXPECT_EQ(events[0].time_ms, 0);
  EXPECT_EQ(events[0].kind, EventKind::create);
  EXPECT_EQ(events[1].kind, EventKind::join);
  EXPECT_EQ(events[2].kind, EventKind::message);
  EXPECT_EQ(events[2].bytes, 12u);
  EXPECT_EQ(events[3].kind, EventKind::create);  // r2 at 800
  EXPECT_EQ(events[3].time_ms, 800);
  EXPECT_EQ(events[4].kind, EventKind::join);
  EXPECT_EQ(events[5].kind, EventKind::leave);
  EXPECT_EQ(result.by_kind, (std::array<std::uint64_t, 4>{2, 2, 1, 1}));
  EXPECT_EQ(result.joins_of_rooms_not_created, 0u);
  EXPECT_EQ(result.messages_not_joined, 0u);
}

TEST(Merge, KeepsTimesWhenAskedAndNotesJoinsOfRoomsNeverCreated) {
  MergeResult result;
  MergeOptions options;
  options.start_at_zero = false;
  const auto events = merged_events({kSession}, &result, options);
  ASSERT_EQ(events.size(), 4u);
  EXPECT_EQ(events[0].time_ms, 1700000000100);
  EXPECT_EQ(result.joins_of_rooms_not_created, 2u);  // the backend's file left out
}

TEST(Merge, AtEqualTimesOneSourceKeepsItsOwnOrder) {
  // A user who leaves and joins again within a millisecond, in one file.
  const auto events = merged_events({"5,leave,r1,u1,\n5,join,r1,u1,\n"});
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].kind, EventKind::leave);
  EXPECT_EQ(events[1].kind, EventKind::join);
}

TEST(Merge, NamesTheFileAndLineOfABadLine) {
  MergeResult result;
  std::istringstream good(kBackend), bad("10,join,r1,u1,\n5,join,r1,u2,\n");
  std::stringstream output;
  result = merge({{"backend.trace", {&good}}, {"session.trace", {&bad}}}, output);
  EXPECT_EQ(result.bad_lines, 1u);
  ASSERT_EQ(result.errors.size(), 1u);
  EXPECT_NE(result.errors[0].find("session.trace"), std::string::npos) << result.errors[0];
  EXPECT_NE(result.errors[0].find("trace line 2"), std::string::npos) << result.errors[0];
}

TEST(Merge, ReadsRotatedFilesOfOneProcessAsOneStreamOldestFirst) {
  EXPECT_EQ(group_rotated_files({"b.trace", "a.trace.1", "a.trace", "a.trace.10", "a.trace.2"}),
            (std::vector<std::vector<std::string>>{
                {"b.trace"}, {"a.trace.10", "a.trace.2", "a.trace.1", "a.trace"}}));
  std::istringstream older("1,join,r1,u1,\n7,leave,r1,u1,\n"), newer("7,join,r1,u1,\n");
  std::stringstream output;
  const MergeResult result = merge({{"a.trace", {&older, &newer}}}, output);
  EXPECT_EQ(result.bad_lines, 0u);
  const Trace read = read_all(output);
  ASSERT_EQ(read.events.size(), 3u);
  EXPECT_EQ(read.events[1].kind, EventKind::leave);  // the rotation's order, not the kinds'
  std::istringstream swapped_new("7,join,r1,u1,\n"), swapped_old("1,join,r1,u1,\n");
  std::stringstream ignored;
  EXPECT_EQ(merge({{"a.trace", {&swapped_new, &swapped_old}}}, ignored).bad_lines, 1u);
}

}  // namespace
}  // namespace trace
