#include "server/backend/config.h"

#include <gtest/gtest.h>

#include <sys/wait.h>

#include <cstdlib>
#include <string>
#include <vector>

namespace chat {
namespace {

// Any non-zero exit: CLI11 has a code of its own for each kind of bad flag.
bool ExitedWithError(int status) { return WIFEXITED(status) && WEXITSTATUS(status) != 0; }

BackendConfig parse(std::vector<std::string> args) {
  args.insert(args.begin(), "backend");
  std::vector<char*> argv;
  for (auto& arg : args) argv.push_back(arg.data());
  return parse_backend_config(static_cast<int>(argv.size()), argv.data());
}

class BackendConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* name : {"PORT", "JWT_SECRET", "SESSION_SERVER_HOST", "HATHORA_APP_ID",
                             "HATHORA_TOKEN", "STATIC_DIR", "SESSION_BINARY"}) {
      unsetenv(name);
    }
    setenv("JWT_SECRET", "s", 1);
  }
};

TEST_F(BackendConfigTest, SeedDefaults) {
  BackendConfig config = parse({});
  EXPECT_EQ(config.port, 8080);
  EXPECT_EQ(config.fleet, "static");
  EXPECT_EQ(config.policy, "random");
  EXPECT_EQ(config.session_server_hosts, "localhost:8000");
  EXPECT_EQ(config.status_scheme, "http");
  EXPECT_EQ(config.rooms_per_server, 10);
}

TEST_F(BackendConfigTest, SeedEnvironment) {
  setenv("PORT", "3000", 1);
  setenv("SESSION_SERVER_HOST", "a:1,b:2", 1);
  BackendConfig config = parse({});
  EXPECT_EQ(config.port, 3000);
  EXPECT_EQ(config.session_server_hosts, "a:1,b:2");
}

TEST_F(BackendConfigTest, HathoraWhenItsEnvironmentIsSet) {
  setenv("HATHORA_APP_ID", "app", 1);
  setenv("HATHORA_TOKEN", "tok", 1);
  BackendConfig config = parse({});
  EXPECT_EQ(config.fleet, "hathora");
  EXPECT_EQ(config.status_scheme, "https");
  EXPECT_EQ(config.hathora_app_id, "app");
}

TEST_F(BackendConfigTest, RefusesContradictionsWithAReason) {
  EXPECT_EXIT(parse({"--fleet", "hathora"}), ::testing::ExitedWithCode(2), "HATHORA_APP_ID");
  EXPECT_EXIT(parse({"--min-servers", "5", "--max-servers", "2"}), ::testing::ExitedWithCode(2),
              "min-servers");
  EXPECT_EXIT(parse({"--policy", "cheapest"}), ExitedWithError, "policy");
  EXPECT_EXIT(parse({"--fleet", "cloud"}), ExitedWithError, "fleet");
}

TEST_F(BackendConfigTest, LocalFleetTakesAnExplicitSessionBinary) {
  BackendConfig config = parse({"--fleet", "local", "--session-binary", "/bin/true",
                                "--session-arg=--threads=1", "--session-arg=--rooms-max=5"});
  EXPECT_EQ(config.session_binary, "/bin/true");
  EXPECT_EQ(config.session_args, (std::vector<std::string>{"--threads=1", "--rooms-max=5"}));
}

TEST_F(BackendConfigTest, RefusesToStartWithoutASecret) {
  unsetenv("JWT_SECRET");
  EXPECT_EXIT(parse({}), ::testing::ExitedWithCode(2), "JWT_SECRET is not set");
}

}  // namespace
}  // namespace chat
