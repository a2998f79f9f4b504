// chatctl's command line: what runs, and what an operator is told to fix.
#include "server/ctl/ctl_args.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <string>
#include <vector>

namespace chat::ctl {
namespace {

std::variant<CtlCommand, CtlExit> parse(std::vector<std::string> args) {
  args.insert(args.begin(), "chatctl");
  std::vector<const char*> argv;
  for (auto& arg : args) argv.push_back(arg.c_str());
  return parse_ctl_args(static_cast<int>(argv.size()), argv.data());
}

template <typename Command>
Command command(std::vector<std::string> args) {
  auto parsed = parse(args);
  if (auto* exit = std::get_if<CtlExit>(&parsed)) {
    ADD_FAILURE() << "refused: " << exit->message;
    return {};
  }
  auto* wanted = std::get_if<Command>(&std::get<CtlCommand>(parsed));
  if (wanted == nullptr) {
    ADD_FAILURE() << "another command";
    return {};
  }
  return *wanted;
}

CtlExit refusal(std::vector<std::string> args) {
  auto parsed = parse(args);
  if (auto* exit = std::get_if<CtlExit>(&parsed)) return *exit;
  ADD_FAILURE() << "accepted: " << ::testing::PrintToString(args);
  return {};
}

class CtlArgsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    unsetenv("ADMIN_TOKEN");
    unsetenv("CHATCTL_ADMIN");
  }
};

TEST_F(CtlArgsTest, Fleet) {
  auto fleet = command<FleetCommand>({"fleet", "--admin", "http://127.0.0.1:8081"});
  EXPECT_EQ(fleet.admin.origin, "http://127.0.0.1:8081");
  EXPECT_EQ(fleet.admin.token, "");
}

TEST_F(CtlArgsTest, DrainWithTokenAndTimeout) {
  auto drain = command<DrainCommand>({"drain", "local-1-40123", "--admin", "http://127.0.0.1:8081",
                                      "--admin-token", "t0ken", "--timeout", "30"});
  EXPECT_EQ(drain.server_id, "local-1-40123");
  EXPECT_EQ(drain.admin.token, "t0ken");
  EXPECT_EQ(drain.timeout, std::chrono::seconds(30));
  EXPECT_EQ(command<DrainCommand>({"drain", "x", "--admin", "127.0.0.1:1"}).timeout,
            std::chrono::seconds(120));
}

TEST_F(CtlArgsTest, TheAdminListenerMayBeABareHostPortOrHttps) {
  EXPECT_EQ(command<FleetCommand>({"fleet", "--admin", "127.0.0.1:8081"}).admin.origin,
            "http://127.0.0.1:8081");
  EXPECT_EQ(command<FleetCommand>({"fleet", "--admin", "https://admin.example:8443/"}).admin.origin,
            "https://admin.example:8443");
}

TEST_F(CtlArgsTest, TheEnvironmentCanGiveTheListenerAndToken) {
  setenv("CHATCTL_ADMIN", "127.0.0.1:9", 1);
  setenv("ADMIN_TOKEN", "from-env", 1);
  auto drain = command<DrainCommand>({"drain", "s1"});
  EXPECT_EQ(drain.admin.origin, "http://127.0.0.1:9");
  EXPECT_EQ(drain.admin.token, "from-env");
}

TEST_F(CtlArgsTest, HelpIsNotAnError) {
  auto help = refusal({"--help"});
  EXPECT_EQ(help.code, 0);
  EXPECT_NE(help.message.find("drain"), std::string::npos) << help.message;
  auto drain_help = refusal({"drain", "--help"});
  EXPECT_EQ(drain_help.code, 0);
  EXPECT_NE(drain_help.message.find("--timeout"), std::string::npos) << drain_help.message;
}

TEST_F(CtlArgsTest, NoCommandSaysWhatToRun) {
  auto exit = refusal({});
  EXPECT_EQ(exit.code, usage_error);
  EXPECT_NE(exit.message.find("chatctl fleet --admin URL"), std::string::npos) << exit.message;
}

TEST_F(CtlArgsTest, MistakesExitWith2AndSayWhatToFix) {
  struct Case {
    std::vector<std::string> args;
    std::string says;
  };
  const std::vector<Case> cases = {
      {{"frobnicate"}, "unknown command 'frobnicate'; the commands are fleet and drain"},
      {{"fleet"}, "--admin"},
      {{"drain", "--admin", "127.0.0.1:8081"}, "serverId"},
      {{"drain", "s1", "--admin", "ftp://127.0.0.1:8081"}, "like http://127.0.0.1:8081"},
      {{"drain", "s1", "--admin", "ws://127.0.0.1:8081"}, "not http:// or https://"},
      {{"drain", "s1", "--admin", "http://127.0.0.1:8081/api/fleet"}, "has a path"},
      {{"drain", "s1", "--admin", "http://127.0.0.1:notaport"}, "http://127.0.0.1:8081"},
      {{"drain", "a/b", "--admin", "127.0.0.1:8081"}, "is not a server id"},
      {{"drain", "s1", "--admin", "127.0.0.1:8081", "--timeout", "0"}, "--timeout"},
      {{"drain", "s1", "--admin", "127.0.0.1:8081", "--timeout", "soon"}, "--timeout"},
      {{"fleet", "--admin", "127.0.0.1:8081", "--colour"}, "--colour"},
  };
  for (const auto& c : cases) {
    auto exit = refusal(c.args);
    EXPECT_EQ(exit.code, usage_error) << ::testing::PrintToString(c.args);
    EXPECT_NE(exit.message.find(c.says), std::string::npos)
        << ::testing::PrintToString(c.args) << " said: " << exit.message;
  }
}

TEST_F(CtlArgsTest, AnErrorInACommandPointsAtThatCommandsHelp) {
  auto exit = refusal({"drain", "s1"});
  EXPECT_NE(exit.message.find("chatctl drain --help"), std::string::npos) << exit.message;
}

}  // namespace
}  // namespace chat::ctl
