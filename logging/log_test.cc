// The log's lines as a collector or a person reads them, and its limit on
// floods. Lines go to stdout, captured here.
#include "logging/log.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "logging/log_flags.h"

namespace logging {
namespace {

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

template <class F>
std::vector<std::string> captured(F&& log) {
  testing::internal::CaptureStdout();
  log();
  return lines_of(testing::internal::GetCapturedStdout());
}

TEST(Log, JsonLinesAreOneObjectEachWithTimeLevelComponentAndMessage) {
  configure("backend", {Level::info, Format::json});
  const auto lines = captured([] {
    warning("room \"r1\" refused:\nfull");
    info("plain");
  });
  ASSERT_EQ(lines.size(), 2u);
  const auto first = boost::json::parse(lines[0]).as_object();
  EXPECT_EQ(first.at("level").as_string(), "warning");
  EXPECT_EQ(first.at("component").as_string(), "backend");
  EXPECT_EQ(first.at("message").as_string(), "room \"r1\" refused:\nfull");
  EXPECT_TRUE(std::regex_match(std::string(first.at("time").as_string()),
                               std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)")));
  EXPECT_EQ(boost::json::parse(lines[1]).as_object().at("level").as_string(), "info");
}

TEST(Log, TextLinesStartWithTimeLevelAndComponent) {
  configure("session", {Level::info, Format::text});
  const auto lines = captured([] { error("history not stored"); });
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_TRUE(std::regex_match(
      lines[0], std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z error session: history not stored)")))
      << lines[0];
}

TEST(Log, LinesBelowTheLevelAreLeftOut) {
  configure("session", {Level::warning, Format::text});
  const auto lines = captured([] {
    debug("a");
    info("b");
    warning("c");
  });
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_NE(lines[0].find("warning session: c"), std::string::npos);
}

TEST(Log, AFloodOfOneKindIsCutAndCountedAndOtherKindsPass) {
  configure("backend", {Level::info, Format::text});
  const auto start = std::chrono::steady_clock::now();
  const auto lines = captured([&] {
    for (int i = 0; i < 100; ++i) limited(Level::warning, "refusal", "refused " + std::to_string(i), start);
    limited(Level::warning, "timeout", "a timeout", start);
    limited(Level::warning, "refusal", "after the window", start + kLimitedWindow);
  });
  ASSERT_EQ(lines.size(), static_cast<std::size_t>(kLimitedLines) + 2);
  EXPECT_NE(lines[kLimitedLines - 1].find("refused 4"), std::string::npos);
  EXPECT_NE(lines[kLimitedLines].find("a timeout"), std::string::npos);
  EXPECT_NE(lines.back().find("after the window (and 95 more refusal left out"), std::string::npos)
      << lines.back();
}

TEST(LogFlags, LevelAndFormatAreReadAndBadValuesRefused) {
  Options options;
  CLI::App app;
  add_log_flags(app, options);
  app.parse(std::vector<std::string>{"json", "--log-format", "warning", "--log-level"});
  EXPECT_EQ(options.level, Level::warning);
  EXPECT_EQ(options.format, Format::json);
  CLI::App strict;
  Options other;
  add_log_flags(strict, other);
  EXPECT_THROW(strict.parse(std::vector<std::string>{"loud", "--log-level"}), CLI::ParseError);
}

}  // namespace
}  // namespace logging
