#include "server/session/config.h"

#include <gtest/gtest.h>

#include <sys/wait.h>

#include <cstdlib>
#include <string>
#include <vector>

namespace chat {
namespace {

// Any non-zero exit: CLI11 has a code of its own for each kind of bad flag.
bool ExitedWithError(int status) { return WIFEXITED(status) && WEXITSTATUS(status) != 0; }

// Parses a command line (the program name is added) with a clean environment
// but for what the test sets.
SessionConfig parse(std::vector<std::string> args) {
  args.insert(args.begin(), "session");
  std::vector<char*> argv;
  for (auto& arg : args) argv.push_back(arg.data());
  return parse_session_config(static_cast<int>(argv.size()), argv.data());
}

class SessionConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* name : {"PORT", "JWT_SECRET", "ADVERTISED_HOST"}) unsetenv(name);
  }
};

TEST_F(SessionConfigTest, SeedDefaults) {
  setenv("JWT_SECRET", "s", 1);
  SessionConfig config = parse({});
  EXPECT_EQ(config.port, 8000);
  EXPECT_EQ(config.jwt_secret, "s");
  EXPECT_EQ(config.rooms_max, 10u);
  EXPECT_EQ(config.room.users_max, 100u);
  EXPECT_EQ(config.room.message_chars_max, 1000u);
  EXPECT_EQ(config.room.history_messages_max, 100u);
  EXPECT_TRUE(config.advertised_host.empty());
}

TEST_F(SessionConfigTest, EnvironmentThenFlags) {
  setenv("JWT_SECRET", "s", 1);
  setenv("PORT", "9001", 1);
  setenv("ADVERTISED_HOST", "chat.example:443", 1);
  EXPECT_EQ(parse({}).port, 9001);
  EXPECT_EQ(parse({}).advertised_host, "chat.example:443");
  SessionConfig config = parse({"--port", "9002", "--rooms-max", "3", "--idle-timeout", "5"});
  EXPECT_EQ(config.port, 9002) << "a flag beats the environment";
  EXPECT_EQ(config.rooms_max, 3u);
  EXPECT_EQ(config.idle_timeout, std::chrono::seconds(5));
}

TEST_F(SessionConfigTest, RefusesToStartWithoutASecret) {
  EXPECT_EXIT(parse({}), ::testing::ExitedWithCode(2), "JWT_SECRET is not set");
}

TEST_F(SessionConfigTest, RefusesValuesOutOfRange) {
  setenv("JWT_SECRET", "s", 1);
  EXPECT_EXIT(parse({"--rooms-max", "0"}), ExitedWithError, "rooms-max");
  EXPECT_EXIT(parse({"--port", "http"}), ExitedWithError, "port");
  EXPECT_EXIT(parse({"--no-such-flag"}), ExitedWithError, "no-such-flag");
}

}  // namespace
}  // namespace chat
