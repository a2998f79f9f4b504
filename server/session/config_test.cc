#include "server/session/config.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <string>
#include <vector>

namespace chat {
namespace {

// Long enough: both binaries refuse secrets under 32 bytes.
constexpr const char* kSecret = "session-config-test-secret-32-bytes";
constexpr const char* kOtherSecret = "another-session-config-test-secret-32-bytes";

// Parses a command line (the program name is added) with a clean environment
// but for what the test sets.
ParsedConfig<SessionConfig> parse(std::vector<std::string> args) {
  args.insert(args.begin(), "session");
  std::vector<const char*> argv;
  for (const auto& arg : args) argv.push_back(arg.c_str());
  return parse_session_config(static_cast<int>(argv.size()), argv.data());
}

// The config of a command line that must parse.
SessionConfig config_of(std::vector<std::string> args) {
  auto parsed = parse(std::move(args));
  if (const auto* exit = std::get_if<ExitNow>(&parsed)) {
    ADD_FAILURE() << "refused (" << exit->code << "): " << exit->message;
    return {};
  }
  return std::get<SessionConfig>(std::move(parsed));
}

// Why a command line that must not start the server does not.
ExitNow exit_of(std::vector<std::string> args) {
  auto parsed = parse(std::move(args));
  if (const auto* exit = std::get_if<ExitNow>(&parsed)) return *exit;
  ADD_FAILURE() << "accepted, but should not start";
  return {};
}

class SessionConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* name : {"PORT", "JWT_SECRET", "ADVERTISED_HOST", "ADMIN_TOKEN"}) {
      unsetenv(name);
    }
  }
};

TEST_F(SessionConfigTest, SeedDefaults) {
  setenv("JWT_SECRET", kSecret, 1);
  SessionConfig config = config_of({"--advertised-host", "127.0.0.1:8000"});
  EXPECT_EQ(config.address, "127.0.0.1");
  EXPECT_EQ(config.port, 8000);
  EXPECT_EQ(config.jwt_secret, kSecret);
  EXPECT_EQ(config.rooms_max, 10u);
  EXPECT_EQ(config.room_limits.users_max, 100u);
  EXPECT_EQ(config.room_limits.message_chars_max, 1000u);
  EXPECT_EQ(config.room_limits.history_messages_max, 100u);
  EXPECT_EQ(config.room_limits.messages_per_second, 10.0);
  EXPECT_EQ(config.room_limits.messages_burst, 20.0);
  EXPECT_EQ(config.room_limits.refused_messages_per_minute, 60.0);
  EXPECT_EQ(config.admin_address, "127.0.0.1");
  EXPECT_EQ(config.admin_port, 0);
  EXPECT_TRUE(config.admin_token.empty());
  EXPECT_EQ(config.threads, 1);
  EXPECT_EQ(config.cork_delay, std::chrono::microseconds(500));
}

TEST_F(SessionConfigTest, RefusesToStartWithoutAnAdvertisedHost) {
  setenv("JWT_SECRET", kSecret, 1);
  ExitNow exit = exit_of({"--port", "8123"});
  EXPECT_EQ(exit.code, 2);
  EXPECT_NE(exit.message.find("--advertised-host 127.0.0.1:8123"), std::string::npos)
      << exit.message;
}

TEST_F(SessionConfigTest, EnvironmentThenFlags) {
  setenv("JWT_SECRET", kSecret, 1);
  setenv("PORT", "9001", 1);
  setenv("ADVERTISED_HOST", "chat.example:443", 1);
  EXPECT_EQ(config_of({}).port, 9001);
  EXPECT_EQ(config_of({}).advertised_host, "chat.example:443");
  SessionConfig config = config_of({"--port", "9002", "--rooms-max", "3", "--idle-timeout", "5"});
  EXPECT_EQ(config.port, 9002) << "a flag beats the environment";
  EXPECT_EQ(config.rooms_max, 3u);
  EXPECT_EQ(config.idle_timeout, std::chrono::seconds(5));
  setenv("ADVERTISED_HOST", "chat.example:443", 1);
  EXPECT_EQ(config_of({"--jwt-secret", kOtherSecret}).jwt_secret, kOtherSecret);
}

TEST_F(SessionConfigTest, EveryFlagReachesItsField) {
  SessionConfig config = config_of({"--jwt-secret",
                                    kSecret,
                                    "--address",
                                    "0.0.0.0",
                                    "--threads",
                                    "3",
                                    "--users-per-room-max",
                                    "7",
                                    "--message-chars-max",
                                    "50",
                                    "--history-messages",
                                    "0",
                                    "--messages-per-second",
                                    "0",
                                    "--messages-burst",
                                    "4",
                                    "--refused-messages-per-minute",
                                    "0",
                                    "--empty-room-ttl",
                                    "9",
                                    "--frame-bytes-max",
                                    "2048",
                                    "--send-queue-bytes-max",
                                    "65536",
                                    "--tcp-nodelay",
                                    "false",
                                    "--cork-us",
                                    "2000",
                                    "--http-timeout",
                                    "11",
                                    "--shutdown-grace",
                                    "0",
                                    "--advertised-host",
                                    "h:1",
                                    "--admin-address",
                                    "127.0.0.2",
                                    "--admin-port",
                                    "9100",
                                    "--admin-token",
                                    "tok"});
  EXPECT_EQ(config.address, "0.0.0.0");
  EXPECT_EQ(config.threads, 3);
  EXPECT_EQ(config.room_limits.users_max, 7u);
  EXPECT_EQ(config.room_limits.message_chars_max, 50u);
  EXPECT_EQ(config.room_limits.history_messages_max, 0u);
  EXPECT_EQ(config.room_limits.messages_per_second, 0.0);
  EXPECT_EQ(config.room_limits.messages_burst, 4.0);
  EXPECT_EQ(config.room_limits.refused_messages_per_minute, 0.0);
  EXPECT_EQ(config.empty_room_ttl, std::chrono::seconds(9));
  EXPECT_EQ(config.frame_bytes_max, 2048u);
  EXPECT_EQ(config.send_queue_bytes_max, 65536u);
  EXPECT_FALSE(config.tcp_nodelay);
  EXPECT_EQ(config.cork_delay, std::chrono::microseconds(2000));
  EXPECT_EQ(config.http_timeout, std::chrono::seconds(11));
  EXPECT_EQ(config.shutdown_grace, std::chrono::seconds(0));
  EXPECT_EQ(config.advertised_host, "h:1");
  EXPECT_EQ(config.admin_address, "127.0.0.2");
  EXPECT_EQ(config.admin_port, 9100);
  EXPECT_EQ(config.admin_token, "tok");
}

TEST_F(SessionConfigTest, RefusesToStartWithoutASecret) {
  ExitNow exit = exit_of({});
  EXPECT_EQ(exit.code, 2);
  EXPECT_NE(exit.message.find("JWT_SECRET is not set"), std::string::npos) << exit.message;
  EXPECT_EQ(exit_of({"--jwt-secret", ""}).code, 2) << "an empty secret is no secret";
}

TEST_F(SessionConfigTest, RefusesASecretShorterThan32BytesSayingHowToMakeOne) {
  setenv("JWT_SECRET", std::string(31, 'k').c_str(), 1);
  ExitNow exit = exit_of({});
  EXPECT_EQ(exit.code, 2);
  EXPECT_NE(exit.message.find("JWT_SECRET is 31 bytes"), std::string::npos) << exit.message;
  EXPECT_NE(exit.message.find("head -c 32 /dev/urandom | base64"), std::string::npos)
      << exit.message;
  EXPECT_EQ(exit_of({"--jwt-secret", "change-me"}).code, 2);
}

TEST_F(SessionConfigTest, RefusesBadValuesAndSaysWhich) {
  setenv("JWT_SECRET", kSecret, 1);
  // CLI11 has an exit code of its own for each kind of bad flag: any but 0.
  for (const auto& [args, named] : std::vector<std::pair<std::vector<std::string>, std::string>>{
           {{"--rooms-max", "0"}, "rooms-max"},
           {{"--port", "http"}, "port"},
           {{"--threads", "1000"}, "threads"},
           {{"--cork-us", "-1"}, "cork-us"},
           {{"--cork-us", "200000"}, "cork-us"},
           {{"--idle-timeout", "1"}, "idle-timeout"},
           {{"--no-such-flag"}, "no-such-flag"},
       }) {
    ExitNow exit = exit_of(args);
    EXPECT_NE(exit.code, 0) << named;
    EXPECT_NE(exit.message.find(named), std::string::npos) << exit.message;
  }
}

TEST_F(SessionConfigTest, RefusesABadPortFromTheEnvironment) {
  setenv("JWT_SECRET", kSecret, 1);
  setenv("PORT", "eighty", 1);
  ExitNow exit = exit_of({});
  EXPECT_NE(exit.code, 0);
  EXPECT_NE(exit.message.find("eighty"), std::string::npos) << exit.message;
}

TEST_F(SessionConfigTest, HelpIsAnExitWithoutError) {
  ExitNow exit = exit_of({"--help"});
  EXPECT_EQ(exit.code, 0);
  for (const char* flag : {"--rooms-max", "--users-per-room-max", "--shutdown-grace", "PORT"}) {
    EXPECT_NE(exit.message.find(flag), std::string::npos) << flag << " missing from:\n" << exit.message;
  }
}

}  // namespace
}  // namespace chat
