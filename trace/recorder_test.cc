// The recorder as a server uses it: events in, a valid anonymised trace out,
// in time order, rotated at its bound, and drops counted rather than waited
// for. Every check is on what stop() leaves on disk, never on timing.
#include "trace/recorder.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>
#include <vector>

#include "trace/anonymise.h"
#include "trace/reader.h"

namespace trace {
namespace {

namespace fs = std::filesystem;

std::string temp_path(const std::string& name) {
  const char* dir = std::getenv("TEST_TMPDIR");
  return (fs::path(dir ? dir : "/tmp") / name).string();
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

Trace read_trace(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return read_all(in);
}

RecorderOptions options_for(const std::string& path) {
  RecorderOptions options;
  options.path = path;
  options.secret = "a secret every process of the recording shares";
  return options;
}

TEST(SipHash, MatchesTheReferenceVectors) {
  // From the SipHash paper's test vectors: key 00..0f.
  const std::uint64_t k0 = 0x0706050403020100ULL, k1 = 0x0f0e0d0c0b0a0908ULL;
  EXPECT_EQ(siphash24(k0, k1, ""), 0x726fdb47dd0e0e31ULL);
  std::string fifteen;
  for (char c = 0; c < 15; ++c) fifteen += c;
  EXPECT_EQ(siphash24(k0, k1, fifteen), 0xa129ca6149be45e5ULL);
}

TEST(Anonymiser, SameSecretSameTokensOtherSecretOthers) {
  const Anonymiser a("one secret"), b("one secret"), c("another secret");
  EXPECT_EQ(a.room_token("Xy7_room"), b.room_token("Xy7_room"));
  EXPECT_NE(a.room_token("Xy7_room"), c.room_token("Xy7_room"));
  EXPECT_NE(a.room_token("alice"), a.user_token("alice"));
  EXPECT_EQ(a.room_token("Xy7_room").size(), 17u);
  EXPECT_EQ(a.room_token("Xy7_room")[0], 'r');
  EXPECT_EQ(a.user_token("alice")[0], 'u');
}

TEST(Recorder, WritesAnonymisedEventsInTimeOrderWithSizesOnly) {
  const std::string path = temp_path("ordered.trace");
  std::string error;
  auto recorder = Recorder::open(options_for(path), error);
  ASSERT_TRUE(recorder) << error;
  // A creation is recorded when answered, with the earlier time it was asked.
  recorder->record_at(1'700'000'001'000, EventKind::join, "room-ABC", "alice");
  recorder->record_at(1'700'000'000'500, EventKind::create, "room-ABC", "alice");
  recorder->record_at(1'700'000'002'000, EventKind::message, "room-ABC", "alice", 87);
  recorder->record_at(1'700'000'002'000, EventKind::leave, "room-ABC", "alice", 5);
  recorder->stop();
  EXPECT_EQ(recorder->events_written(), 4u);
  EXPECT_EQ(recorder->events_dropped(), 0u);

  const Trace written = read_trace(path);
  ASSERT_EQ(written.bad_lines, 0u);
  ASSERT_EQ(written.events.size(), 4u);
  const Anonymiser tokens(options_for(path).secret);
  EXPECT_EQ(written.events[0].kind, EventKind::create);
  EXPECT_EQ(written.events[0].time_ms, 1'700'000'000'500);
  EXPECT_EQ(written.events[0].room, tokens.room_token("room-ABC"));
  EXPECT_EQ(written.events[0].user, tokens.user_token("alice"));
  EXPECT_EQ(written.events[1].kind, EventKind::join);
  EXPECT_EQ(written.events[2].kind, EventKind::message);
  EXPECT_EQ(written.events[2].bytes, 87u);
  EXPECT_EQ(written.events[3].kind, EventKind::leave);  // same time: recording order
  EXPECT_EQ(written.events[3].bytes, 0u);               // sizes only on messages
  const std::string text = read_file(path);
  EXPECT_EQ(text.find("room-ABC"), std::string::npos);
  EXPECT_EQ(text.find("alice"), std::string::npos);
}

TEST(Recorder, RotatesAtTheBoundAndKeepsTheNewestFiles) {
  const std::string path = temp_path("rotated.trace");
  RecorderOptions options = options_for(path);
  options.file_bytes_max = 300;
  options.rotated_files_max = 2;
  std::string error;
  auto recorder = Recorder::open(options, error);
  ASSERT_TRUE(recorder) << error;
  for (int i = 0; i < 100; ++i) {
    recorder->record_at(1'000 + i, EventKind::message, "room", "user", static_cast<unsigned>(i));
  }
  recorder->stop();
  EXPECT_EQ(recorder->events_written(), 100u);
  EXPECT_FALSE(fs::exists(path + ".3"));
  std::int64_t previous_last = -1;
  for (const std::string& file : {path + ".2", path + ".1", path}) {
    ASSERT_TRUE(fs::exists(file)) << file;
    EXPECT_LE(fs::file_size(file), 300u + 64u) << file;  // the bound, plus the line that crossed it
    const Trace part = read_trace(file);
    EXPECT_EQ(part.bad_lines, 0u) << file;
    ASSERT_FALSE(part.events.empty()) << file;
    EXPECT_GT(part.events.front().time_ms, previous_last) << file;  // oldest first
    previous_last = part.events.back().time_ms;
  }
  EXPECT_EQ(previous_last, 1'099);  // the newest event is in FILE
}

TEST(Recorder, DropsAndCountsWhatItCannotBuffer) {
  RecorderOptions options = options_for(temp_path("full.trace"));
  options.buffered_events_max = 0;
  std::uint64_t reported = 0;
  options.on_dropped = [&reported](std::uint64_t n) { reported += n; };
  std::string error;
  auto recorder = Recorder::open(options, error);
  ASSERT_TRUE(recorder) << error;
  for (int i = 0; i < 5; ++i) recorder->record(EventKind::join, "room", "user");
  recorder->stop();
  recorder->record(EventKind::leave, "room", "user");  // after stop: dropped too
  EXPECT_EQ(recorder->events_written(), 0u);
  EXPECT_EQ(recorder->events_dropped(), 6u);
  EXPECT_EQ(reported, 6u);
  EXPECT_EQ(read_trace(options.path).events.size(), 0u);
}

TEST(Recorder, ManyThreadsAtOnceEveryEventWrittenOrCountedAndInTimeOrder) {
  RecorderOptions options = options_for(temp_path("threads.trace"));
  options.buffered_events_max = 512;  // small: some rounds fill it
  std::string error;
  auto recorder = Recorder::open(options, error);
  ASSERT_TRUE(recorder) << error;
  constexpr int kThreads = 4, kEach = 20000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&recorder, t] {
      const std::string user = "user" + std::to_string(t);
      for (int i = 0; i < kEach; ++i) {
        recorder->record(EventKind::message, "room", user, static_cast<unsigned>(i));
      }
    });
  }
  for (auto& thread : threads) thread.join();
  recorder->stop();
  EXPECT_EQ(recorder->events_written() + recorder->events_dropped(),
            std::uint64_t{kThreads} * kEach);
  const Trace written = read_trace(options.path);
  EXPECT_EQ(written.bad_lines, 0u);
  EXPECT_EQ(written.events.size(), recorder->events_written());
}

TEST(Recorder, NamesItsFileAfterTheProcessWhenAskedAndSaysWhyItCannotOpen) {
  std::string error;
  auto recorder = Recorder::open(options_for(temp_path("session-%p.trace")), error);
  ASSERT_TRUE(recorder) << error;
  EXPECT_EQ(recorder->path(), temp_path("session-" + std::to_string(::getpid()) + ".trace"));
  recorder.reset();
  EXPECT_FALSE(Recorder::open(options_for("/nonexistent-dir/x.trace"), error));
  EXPECT_NE(error.find("/nonexistent-dir/x.trace"), std::string::npos);
}

}  // namespace
}  // namespace trace
