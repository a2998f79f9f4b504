// Asks a session server to drain (its admin POST /drain, docs/PROTOCOL.md):
// it stops taking connections and messages, stores what it accepted, closes
// its clients with 1012 "Room moving", and only then answers, so the wait
// is long. What it answers is parsed here; the scheduler is told by the caller.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <chrono>
#include <functional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "network/http_client.h"
#include "network/result.h"

namespace chat {

struct SessionDrainOptions {
  std::string scheme = "http";
  // Generous: the server answers once every client is closed and its
  // messages are stored, which waits on Redis.
  std::chrono::milliseconds timeout{30000};
  std::string admin_token;  // sent as the bearer token when set
};

// 200 {"rooms":["r1","r2"],"unstored":0}
struct SessionDrained {
  std::vector<std::string> rooms;
  long long unstored = 0;  // accepted messages that could not be stored (Redis down)
};
struct SessionDrainFailed {
  std::string why;  // which server, and what it answered or why it did not
};
using SessionDrainResult = std::variant<SessionDrained, SessionDrainFailed>;

// The body of a 200 answer; an error value for anything else.
network::Result<SessionDrained> parse_session_drained(std::string_view body);

class SessionDrain {
 public:
  SessionDrain(boost::asio::any_io_executor executor, SessionDrainOptions options);

  // POST /drain at `admin_host`; `done` runs on the executor.
  void drain(const std::string& admin_host, std::function<void(SessionDrainResult)> done);

 private:
  boost::asio::any_io_executor executor_;
  const SessionDrainOptions options_;
  network::HttpClient client_;
};

}  // namespace chat
