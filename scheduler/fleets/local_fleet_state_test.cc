// The local fleet's record of its servers: written whole, read back, and
// adopted by the next backend only while the process still runs the
// session binary (a pid may be reused by anything).
#include "scheduler/fleets/local_fleet_state.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "scheduler/fleets/local_fleet.h"

namespace sched {
namespace {

std::string temp_path(const std::string& name) {
  const char* dir = std::getenv("TEST_TMPDIR");
  return (std::filesystem::path(dir ? dir : "/tmp") / name).string();
}

// A stand-in for a session server: a process that runs until killed.
pid_t start_sleeper() {
  pid_t pid = fork();
  if (pid == 0) {
    execl("/bin/sleep", "sleep", "120", static_cast<char*>(nullptr));
    _exit(127);
  }
  // Adoption checks the program a pid runs: wait until it is sleep, not our fork.
  for (int i = 0; i < 1000 && !session_process_alive(pid, "/bin/sleep"); ++i) usleep(5000);
  return pid;
}

TEST(LocalFleetState, WrittenWholeAndReadBack) {
  const auto path = temp_path("state-roundtrip.json");
  std::vector<RecordedServer> servers{{"local-3-8000", 1234, "127.0.0.1:8000", "127.0.0.1:9000"},
                                      {"local-4-8001", 1235, "127.0.0.1:8001", ""}};
  std::string error;
  ASSERT_TRUE(write_fleet_state(path, servers, error)) << error;
  EXPECT_EQ(read_fleet_state(path, error), servers);
  EXPECT_TRUE(error.empty());
  EXPECT_TRUE(read_fleet_state(temp_path("no-such-file.json"), error).empty());
  std::ofstream(path) << "{not json";
  EXPECT_TRUE(read_fleet_state(path, error).empty());
  EXPECT_NE(error.find("not a JSON array"), std::string::npos);
}

TEST(LocalFleetState, OnlyALiveProcessOfTheBinaryCounts) {
  pid_t sleeper = start_sleeper();
  EXPECT_TRUE(session_process_alive(sleeper, "/bin/sleep"));
  EXPECT_FALSE(session_process_alive(sleeper, "/bin/cat")) << "a reused pid is not adopted";
  kill(sleeper, SIGKILL);
  waitpid(sleeper, nullptr, 0);
  EXPECT_FALSE(session_process_alive(sleeper, "/bin/sleep"));
  EXPECT_EQ(local_id_number("local-17-40123"), 17u);
  EXPECT_EQ(local_id_number("127.0.0.1:8000"), 0u);
}

TEST(LocalFleetState, ANewFleetAdoptsWhatTheRecordListsAndStillRuns) {
  pid_t alive = start_sleeper();
  pid_t dead = start_sleeper();
  kill(dead, SIGKILL);
  waitpid(dead, nullptr, 0);
  const auto path = temp_path("state-adopt.json");
  std::string error;
  ASSERT_TRUE(write_fleet_state(path,
                                {{"local-7-8000", alive, "127.0.0.1:8000", "127.0.0.1:9000"},
                                 {"local-8-8001", dead, "127.0.0.1:8001", "127.0.0.1:9001"}},
                                error));
  boost::asio::io_context io;
  LocalFleetOptions options;
  options.session_binary = "/bin/sleep";
  options.state_file = path;
  {
    LocalFleet fleet(io, options);
    auto running = fleet.running_servers();
    ASSERT_EQ(running.size(), 1u);
    EXPECT_EQ(running[0].id, "local-7-8000");
    EXPECT_EQ(running[0].admin_host, "127.0.0.1:9000");
    EXPECT_EQ(read_fleet_state(path, error).size(), 1u) << "the dead one is dropped";
    fleet.leave_running();
  }
  EXPECT_EQ(kill(alive, 0), 0) << "left running when the fleet let go";
  {
    LocalFleet fleet(io, options);
    EXPECT_EQ(fleet.running_servers().size(), 1u) << "adopted again by the next backend";
    fleet.stop_server("local-7-8000");
  }
  // Stopped: SIGTERM ends sleep. It is our child here, so reap it.
  int status = 0;
  EXPECT_EQ(waitpid(alive, &status, 0), alive);
  EXPECT_TRUE(WIFSIGNALED(status));
  EXPECT_TRUE(read_fleet_state(path, error).empty());
}

}  // namespace
}  // namespace sched
