#include "server/common/process.h"

#include <sys/resource.h>

#include <iostream>
#include <thread>
#include <vector>
#include "logging/log.h"

namespace chat {

std::uint64_t raise_open_files_limit() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return 0;
  if (limit.rlim_cur < limit.rlim_max) {
    rlimit raised = limit;
    raised.rlim_cur = limit.rlim_max;
    if (setrlimit(RLIMIT_NOFILE, &raised) == 0) limit = raised;
  }
  return limit.rlim_cur;
}

std::size_t connections_within(std::uint64_t open_files_max) {
  // Files, timers and outgoing calls, and the operators' listener's 64.
  constexpr std::uint64_t reserve = 64 + 64;
  return open_files_max > 2 * reserve ? open_files_max - reserve : open_files_max / 2;
}

namespace {

void run_guarded(boost::asio::io_context& io, std::string_view name) {
  for (;;) {
    try {
      io.run();
      return;  // stopped, or out of work
    } catch (const std::exception& error) {
      logging::error("a handler failed and was dropped: " + std::string(error.what()));
    } catch (...) {
      logging::error("a handler failed and was dropped");
    }
  }
}

}  // namespace

void run_io_threads(boost::asio::io_context& io, int threads, std::string_view name) {
  std::vector<std::thread> others;
  for (int i = 1; i < threads; ++i) others.emplace_back([&io, name] { run_guarded(io, name); });
  run_guarded(io, name);
  for (auto& thread : others) thread.join();
}

}  // namespace chat
