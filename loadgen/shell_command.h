// A shell command run in the background (/bin/sh -c), for a scenario that
// causes a fault at a chosen moment: the caller polls done() from its event
// loop, which stays free meanwhile. Its stdout and stderr are read together
// (the first 64 KiB kept), and a command that outlives its timeout is killed
// with its whole process group. Asio-free.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>

namespace loadgen {

class ShellCommand {
 public:
  static constexpr std::size_t kOutputMax = 64 * 1024;

  struct Result {
    bool started = false;
    std::string start_error;  // why it could not be started
    int exit_code = -1;       // when it exited
    int signal = 0;           // when a signal ended it
    bool timed_out = false;   // killed after the timeout
    std::string output;       // stdout and stderr, interleaved as written
    double seconds = 0;
  };

  ShellCommand(const std::string& command, std::chrono::milliseconds timeout);
  // Waits for the command (killing it first if it still runs).
  ~ShellCommand();
  ShellCommand(const ShellCommand&) = delete;
  ShellCommand& operator=(const ShellCommand&) = delete;

  bool done() const { return done_.load(std::memory_order_acquire); }
  const Result& result() const { return result_; }  // once done()
  bool succeeded() const { return done() && result_.exit_code == 0; }
  // "exited with 0", "exited with 127", "killed by signal 9", "killed after 60 s", ...
  std::string describe() const;

 private:
  void wait_for_exit(int output_fd, std::chrono::milliseconds timeout);

  Result result_;
  pid_t pid_ = -1;
  std::atomic<bool> done_{false};
  std::thread waiter_;
};

}  // namespace loadgen
