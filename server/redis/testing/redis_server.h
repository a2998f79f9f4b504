// A private redis-server for one test: on a free loopback port, with nothing
// on disk (no snapshots, no append-only file), killed and started again on
// the same port as the test needs. The C++ twin of tests/support/redis.mjs.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

#include "server/redis/redis_url.h"

namespace chat::redis::testing {

class RedisServer {
 public:
  // Starts it and waits until it answers PING; throws std::runtime_error
  // with its output when it does not within 10 s. `password`: the server
  // requires it (requirepass), and this helper's own commands give it.
  explicit RedisServer(std::string password = "");
  ~RedisServer();
  RedisServer(const RedisServer&) = delete;
  RedisServer& operator=(const RedisServer&) = delete;

  // SIGKILL: gone without a word, as in a crash. Waits until it has exited.
  void kill();
  // SIGSTOP: it neither reads nor answers, as a hung host; kill() still works.
  void freeze();
  // SIGCONT: it goes on where it stopped.
  void thaw();
  // Starts it again on the same port (so the same URL), waiting for PING.
  void restart();

  std::uint16_t port() const { return port_; }
  RedisUrl url() const;

  // One command on a connection of its own, blocking (a test's thread only).
  // The reply as text: strings and statuses as they are, integers in
  // decimal, "(nil)", "error: ..." for an error reply, "array of N".
  // Throws when Redis cannot be reached.
  std::string command(const std::vector<std::string>& args) const;

 private:
  void start();

  std::string password_;
  std::uint16_t port_ = 0;
  pid_t pid_ = -1;
  std::string output_path_;  // what redis-server printed, for a failure's message
};

}  // namespace chat::redis::testing
