// Asks session servers for GET /status and says what it learned: a report,
// or why the server could not be heard. The backend calls it once a tick
// for every server (why polling, rather than servers reporting in: see the
// README's "How the backend learns the truth").
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <chrono>
#include <functional>
#include <string>
#include <variant>

#include "network/http_client.h"
#include "scheduler/scheduler.h"

namespace chat {

struct StatusPollerOptions {
  std::string scheme = "http";  // https for servers behind TLS (Hathora)
  std::chrono::milliseconds timeout{800};
  std::string admin_token;  // sent as the bearer token when set
};

// A server that answers 404 (the seed's own session server has no /status)
// is alive but has nothing to report: the scheduler keeps its own counts.
struct NoStatusEndpoint {};
// No answer, an error status, or a body that is not a report.
struct NotHeard {
  std::string why;
  // The connection was refused, or reset before any answer: nothing listens
  // there any more, as after a crash. Otherwise (a timeout, an error answer)
  // the server may only be slow, and one failure says little.
  bool process_gone = false;
};
using PollResult = std::variant<sched::StatusReport, NoStatusEndpoint, NotHeard>;

class StatusPoller {
 public:
  using OnResult = std::function<void(const sched::ServerId&, PollResult)>;

  // `on_result` runs on `executor` (the scheduler's strand), once per poll.
  StatusPoller(boost::asio::any_io_executor executor, StatusPollerOptions options,
               OnResult on_result);

  // One request to `host`.
  void poll(const sched::ServerId& id, const std::string& host);

 private:
  boost::asio::any_io_executor executor_;
  const StatusPollerOptions options_;
  OnResult on_result_;
  network::HttpClient client_;
};

}  // namespace chat
