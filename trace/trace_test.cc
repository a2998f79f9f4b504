// The trace library against its specification: the examples in FORMAT.md
// (read from the file itself, so the doc cannot drift from the code), the
// example in the load generator's README, and each kind of bad line with the
// message a person sees.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "trace/reader.h"
#include "trace/writer.h"

namespace trace {
namespace {

// The fenced code blocks of a Markdown file whose opening fence line is
// exactly `fence` ("```csv", or "```" for blocks without a language).
std::vector<std::string> code_blocks(const std::string& path, const std::string& fence) {
  std::ifstream file(path);
  EXPECT_TRUE(file) << "cannot open " << path;
  std::vector<std::string> blocks;
  std::string line;
  bool inside = false;
  bool wanted = false;
  while (std::getline(file, line)) {
    if (line.rfind("```", 0) == 0) {
      wanted = !inside && line == fence;
      inside = !inside;
      if (wanted) blocks.emplace_back();
    } else if (inside && wanted) {
      blocks.back() += line + "\n";
    }
  }
  return blocks;
}

Trace read_text(const std::string& text) {
  std::istringstream input(text);
  return read_all(input);
}

std::string first_error(const Trace& trace) {
  return trace.errors.empty() ? "(no error)" : trace.errors.front().describe();
}

TEST(Format, TheDocsExampleReads) {
  const std::vector<std::string> examples = code_blocks("trace/FORMAT.md", "```csv");
  ASSERT_EQ(examples.size(), 1u);
  const Trace trace = read_text(examples[0]);
  ASSERT_EQ(trace.bad_lines, 0u) << first_error(trace);
  const std::vector<Event> expected = {
      {0, EventKind::create, "r1", "u1", 0},    {0, EventKind::join, "r1", "u1", 0},
      {1534, EventKind::join, "r1", "u2", 0},   {2210, EventKind::message, "r1", "u2", 87},
      {61000, EventKind::leave, "r1", "u2", 0}, {900000, EventKind::leave, "r1", "u1", 0},
  };
  EXPECT_EQ(trace.events, expected);
}

TEST(Format, TheDocsErrorsAreTheReadersWords) {
  const std::vector<std::string> blocks = code_blocks("trace/FORMAT.md", "```");
  // The error block is the one that names trace lines.
  std::string documented;
  for (const std::string& block : blocks) {
    if (block.rfind("trace line", 0) == 0) documented = block;
  }
  ASSERT_FALSE(documented.empty()) << "FORMAT.md shows no errors";
  const Trace trace = read_text(
      "time_ms,event,room,user,bytes\n"
      "10,join,r1,u1,\n"
      "5,join,r1,u1,\n"
      "7,join,r1,u2,0\n"
      "9,leave,r1,u1\n");
  std::string produced;
  for (const Error& error : trace.errors) produced += error.describe() + "\n";
  EXPECT_EQ(produced, documented);
}

TEST(Format, TheLoadgenReadmeExampleReads) {
  const Trace trace = read_text(
      "time_ms,event,room,user,bytes\n"
      "0,create,r1,u1,\n"
      "5,join,r1,u1,\n"
      "900,message,r1,u1,120\n"
      "2000,leave,r1,u1,\n");
  EXPECT_EQ(trace.bad_lines, 0u) << first_error(trace);
  EXPECT_EQ(trace.events.size(), 4u);
}

TEST(Reader, SkipsCommentsBlankLinesHeadersAndCarriageReturns) {
  const Trace trace = read_text(
      "# a comment\n"
      "\n"
      "time_ms,event,room,user,bytes\r\n"
      "5,join,r1,alice,\r\n"
      "\r\n"
      "900,message,r1,alice,120\r\n");
  ASSERT_EQ(trace.bad_lines, 0u) << first_error(trace);
  ASSERT_EQ(trace.events.size(), 2u);
  EXPECT_EQ(trace.events[0], (Event{5, EventKind::join, "r1", "alice", 0}));
  EXPECT_EQ(trace.events[1], (Event{900, EventKind::message, "r1", "alice", 120}));
}

TEST(Reader, AcceptsUtf8TokensAndEqualTimes) {
  const Trace trace = read_text("7,join,salle-é,ユーザー,\n7,leave,salle-é,ユーザー,\n");
  ASSERT_EQ(trace.bad_lines, 0u) << first_error(trace);
  EXPECT_EQ(trace.events[1].user, "ユーザー");
}

// One bad line and the error it must give: the field and words a person needs.
struct BadLine {
  std::string line;
  std::string field;
  std::string problem_contains;
};

class ReaderRefuses : public testing::TestWithParam<BadLine> {};

TEST_P(ReaderRefuses, WithTheFieldAndTheFix) {
  const BadLine& bad = GetParam();
  std::istringstream input("1,create,r0,u0,\n" + bad.line + "\n");
  Reader reader(input);
  Event event;
  ASSERT_EQ(reader.next(event), ReadResult::event);
  ASSERT_EQ(reader.next(event), ReadResult::bad_line) << bad.line;
  const Error& error = reader.last_error();
  EXPECT_EQ(error.line, 2);
  EXPECT_EQ(error.field, bad.field) << error.describe();
  EXPECT_NE(error.problem.find(bad.problem_contains), std::string::npos) << error.describe();
  EXPECT_EQ(error.text, bad.line);
  EXPECT_EQ(reader.next(event), ReadResult::end);
}

INSTANTIATE_TEST_SUITE_P(
    BadLines, ReaderRefuses,
    testing::Values(
        BadLine{"0,join,r1,u1,", "time_ms", "time goes backwards (0 after 1)"},
        BadLine{"-5,join,r1,u1,", "time_ms", "0 or more"},
        BadLine{"x,join,r1,u1,", "time_ms", "'x' is not a whole number of milliseconds"},
        BadLine{"+5,join,r1,u1,", "time_ms", "not a whole number"},
        BadLine{" 5,join,r1,u1,", "time_ms", "not a whole number"},
        BadLine{",join,r1,u1,", "time_ms", "time_ms is empty"},
        BadLine{"99999999999999999999,join,r1,u1,", "time_ms", "too large"},
        BadLine{"time_ms,event,room,user,size", "", "header line must be exactly"},
        BadLine{"5,dance,r1,u1,", "event", "'dance' is not one of create, join, leave, message"},
        BadLine{"5,Join,r1,u1,", "event", "'Join' is not one of"},
        BadLine{"5,join,,u1,", "room", "room is empty"},
        BadLine{"5,join,r1,,", "user", "user is empty"},
        BadLine{"5,join,r 1,u1,", "room", "contains a space"},
        BadLine{"5,join,r1,u\t1,", "user", "contains a control character"},
        BadLine{"5,join,r1," + std::string(256, 'u') + ",", "user", "at most 255"},
        BadLine{"5,join,r1,u1,0", "bytes", "only for message events; leave it empty for join"},
        BadLine{"5,create,r1,u1,12", "bytes", "leave it empty for create"},
        BadLine{"5,message,r1,u1,", "bytes", "a message needs its size"},
        BadLine{"5,message,r1,u1,-3", "bytes", "'-3' is not a whole number from 0"},
        BadLine{"5,message,r1,u1,4294967296", "bytes", "'4294967296' is not a whole number"},
        BadLine{"5,message,r1,u1,12b", "bytes", "'12b' is not a whole number"},
        BadLine{"5,join,r1", "", "found 3; create, join and leave end with a comma"},
        BadLine{"5,join,r1,u1", "", "found 4"}, BadLine{"5,message,r1,u1,10,extra", "", "found 6"},
        BadLine{"   ", "", "found 1"}));

TEST(Reader, GoesOnAfterABadLineAndCountsEveryOne) {
  const Trace trace = read_text(
      "10,join,r1,u1,\n"
      "5,join,r1,u2,\n"
      "20,dance,r1,u1,\n"
      "30,join,r1\n"
      "x,join,r1,u1,\n"
      "40,message,r1,u1,-3\n"
      "12,leave,r1,u1,\n");
  EXPECT_EQ(trace.bad_lines, 5u);
  ASSERT_EQ(trace.errors.size(), 5u);
  const std::vector<std::int64_t> lines = {trace.errors[0].line, trace.errors[1].line,
                                           trace.errors[2].line, trace.errors[3].line,
                                           trace.errors[4].line};
  EXPECT_EQ(lines, (std::vector<std::int64_t>{2, 3, 4, 5, 6}));
  // Time order is checked against the last good line (10), not the bad ones.
  ASSERT_EQ(trace.events.size(), 2u);
  EXPECT_EQ(trace.events[1].time_ms, 12);
}

TEST(Reader, KeepsOnlyTheFirstErrorsButCountsAll) {
  std::string text;
  for (int i = 0; i < 10; ++i) text += "bad\n";
  std::istringstream input(text);
  const Trace trace = read_all(input, 3);
  EXPECT_EQ(trace.bad_lines, 10u);
  EXPECT_EQ(trace.errors.size(), 3u);
}

TEST(Error, QuotesALongLineShort) {
  const Trace trace = read_text("5,join,r1," + std::string(300, 'u') + ",\n");
  ASSERT_EQ(trace.errors.size(), 1u);
  const std::string described = trace.errors[0].describe();
  EXPECT_LT(described.size(), 300u);
  EXPECT_NE(described.find("...\""), std::string::npos) << described;
}

TEST(Writer, WritesTheHeaderAndOneLineAnEvent) {
  std::ostringstream output;
  Writer writer(output);
  EXPECT_FALSE(writer.write({0, EventKind::create, "r1", "u1", 0}));
  EXPECT_FALSE(writer.write({2210, EventKind::message, "r1", "u2", 87}));
  EXPECT_FALSE(writer.write({61000, EventKind::leave, "r1", "u2", 0}));
  EXPECT_EQ(writer.events_written(), 3u);
  EXPECT_EQ(output.str(),
            "# stateful-routing chat trace, format 1 (trace/FORMAT.md)\n"
            "time_ms,event,room,user,bytes\n"
            "0,create,r1,u1,\n"
            "2210,message,r1,u2,87\n"
            "61000,leave,r1,u2,\n");
}

TEST(Writer, RefusesWhatTheReaderWouldRefuseAndWritesNothingForIt) {
  std::ostringstream output;
  Writer writer(output);
  ASSERT_FALSE(writer.write({10, EventKind::join, "r1", "u1", 0}));
  const std::size_t size_before = output.str().size();

  const auto backwards = writer.write({5, EventKind::join, "r1", "u2", 0});
  ASSERT_TRUE(backwards);
  EXPECT_EQ(backwards->line, 4);  // comment, header, the first event, then this one
  EXPECT_EQ(backwards->field, "time_ms");
  EXPECT_NE(backwards->problem.find("time goes backwards"), std::string::npos);

  const auto comma = writer.write({10, EventKind::join, "r,1", "u2", 0});
  ASSERT_TRUE(comma);
  EXPECT_EQ(comma->field, "room");
  EXPECT_NE(comma->problem.find("contains a comma"), std::string::npos);

  const auto sized_join = writer.write({10, EventKind::join, "r1", "u2", 5});
  ASSERT_TRUE(sized_join);
  EXPECT_EQ(sized_join->field, "bytes");

  const auto no_user = writer.write({10, EventKind::leave, "r1", "", 0});
  ASSERT_TRUE(no_user);
  EXPECT_EQ(no_user->field, "user");

  EXPECT_EQ(output.str().size(), size_before);
  EXPECT_EQ(writer.events_written(), 1u);
  // A refusal does not move the time on: the next good event still follows 10.
  EXPECT_FALSE(writer.write({10, EventKind::leave, "r1", "u1", 0}));
}

TEST(Writer, ReportsAFailedStream) {
  std::ostringstream output;
  Writer writer(output);
  output.setstate(std::ios::badbit);
  const auto error = writer.write({0, EventKind::join, "r1", "u1", 0});
  ASSERT_TRUE(error);
  EXPECT_NE(error->problem.find("cannot write"), std::string::npos);
  EXPECT_EQ(writer.events_written(), 0u);
}

}  // namespace
}  // namespace trace
