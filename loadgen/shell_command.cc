#include "loadgen/shell_command.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

extern char** environ;

namespace loadgen {

ShellCommand::ShellCommand(const std::string& command, std::chrono::milliseconds timeout) {
  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_CLOEXEC) != 0) {
    result_.start_error = std::string("pipe: ") + std::strerror(errno);
    done_.store(true, std::memory_order_release);
    return;
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], STDERR_FILENO);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawnattr_t attributes;
  posix_spawnattr_init(&attributes);
  // Its own process group, so that a timeout kills what it started too.
  posix_spawnattr_setpgroup(&attributes, 0);
  posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETPGROUP);
  std::string shell = "/bin/sh", dash_c = "-c", text = command;
  char* argv[] = {shell.data(), dash_c.data(), text.data(), nullptr};
  int failed = ::posix_spawn(&pid_, "/bin/sh", &actions, &attributes, argv, environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attributes);
  ::close(pipe_fds[1]);
  if (failed) {
    ::close(pipe_fds[0]);
    result_.start_error = std::string("/bin/sh: ") + std::strerror(failed);
    done_.store(true, std::memory_order_release);
    return;
  }
  result_.started = true;
  waiter_ = std::thread([this, fd = pipe_fds[0], timeout] { wait_for_exit(fd, timeout); });
}

ShellCommand::~ShellCommand() {
  if (!waiter_.joinable()) return;
  if (!done()) ::kill(-pid_, SIGKILL);
  waiter_.join();
}

void ShellCommand::wait_for_exit(int output_fd, std::chrono::milliseconds timeout) {
  auto start = std::chrono::steady_clock::now();
  auto deadline = start + timeout;
  char buffer[4096];
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0 && !result_.timed_out) {
      result_.timed_out = true;
      ::kill(-pid_, SIGKILL);
    }
    pollfd ready{output_fd, POLLIN, 0};
    int polled = ::poll(&ready, 1, result_.timed_out ? 1000 : static_cast<int>(left.count()));
    if (polled < 0 && errno == EINTR) continue;
    if (polled == 0) {
      if (result_.timed_out) break;  // a grandchild holds the pipe: stop reading
      continue;
    }
    auto got = ::read(output_fd, buffer, sizeof buffer);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) break;  // every writer is gone
    auto room = kOutputMax - std::min(kOutputMax, result_.output.size());
    result_.output.append(buffer, std::min<std::size_t>(room, static_cast<std::size_t>(got)));
  }
  ::close(output_fd);
  int status = 0;
  while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(status)) result_.exit_code = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) result_.signal = WTERMSIG(status);
  result_.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  done_.store(true, std::memory_order_release);
}

std::string ShellCommand::describe() const {
  if (!done()) return "still running";
  if (!result_.started) return "could not be started: " + result_.start_error;
  if (result_.timed_out) {
    return "killed after its timeout of " + std::to_string(static_cast<int>(result_.seconds)) +
           " s";
  }
  if (result_.signal) return "killed by signal " + std::to_string(result_.signal);
  return "exited with " + std::to_string(result_.exit_code);
}

}  // namespace loadgen
