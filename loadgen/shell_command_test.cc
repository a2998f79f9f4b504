#include "loadgen/shell_command.h"

#include <gtest/gtest.h>

#include <thread>

namespace loadgen {
namespace {

using std::chrono::milliseconds;

void wait(const ShellCommand& command) {
  while (!command.done()) std::this_thread::sleep_for(milliseconds(5));
}

TEST(ShellCommand, ExitCodeAndBothStreams) {
  ShellCommand command("echo out; echo err >&2; exit 3", milliseconds(60000));
  wait(command);
  EXPECT_TRUE(command.result().started);
  EXPECT_EQ(command.result().exit_code, 3);
  EXPECT_FALSE(command.succeeded());
  EXPECT_EQ(command.result().output, "out\nerr\n");
  EXPECT_EQ(command.describe(), "exited with 3");
}

TEST(ShellCommand, AMissingProgramIsTheShells127WithItsMessage) {
  ShellCommand command("no-such-program-for-this-test --flag", milliseconds(60000));
  wait(command);
  EXPECT_EQ(command.result().exit_code, 127);
  EXPECT_NE(command.result().output.find("no-such-program-for-this-test"), std::string::npos);
}

TEST(ShellCommand, Success) {
  ShellCommand command("true", milliseconds(60000));
  wait(command);
  EXPECT_TRUE(command.succeeded());
  EXPECT_EQ(command.describe(), "exited with 0");
}

TEST(ShellCommand, KilledWithWhatItStartedAfterItsTimeout) {
  // The shell starts a sleep that holds the output pipe: both go.
  ShellCommand command("sleep 600 & sleep 600", milliseconds(50));
  wait(command);
  EXPECT_TRUE(command.result().timed_out);
  EXPECT_EQ(command.result().signal, 9);
  EXPECT_FALSE(command.succeeded());
}

TEST(ShellCommand, TheDestructorEndsACommandStillRunning) {
  ShellCommand command("sleep 600", milliseconds(600000));
  EXPECT_FALSE(command.done());
}

TEST(ShellCommand, OutputIsBounded) {
  ShellCommand command("head -c 200000 /dev/zero | tr '\\0' x", milliseconds(60000));
  wait(command);
  EXPECT_EQ(command.result().exit_code, 0);
  EXPECT_EQ(command.result().output.size(), ShellCommand::kOutputMax);
}

}  // namespace
}  // namespace loadgen
