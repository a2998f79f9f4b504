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
#include "control/events.h"
#include "scheduler/scheduler.h"

namespace chat {

struct StatusPollerOptions {
  std::string scheme = "http";  // https for servers behind TLS (Hathora)
  std::chrono::milliseconds timeout{800};
  std::string admin_token;  // sent as the bearer token when set
};

// A server that answers 404 (the seed's own session server has no /status)
// is alive but has nothing to report (NoStatusEndpoint); no answer, an error
// status, or a body that is not a report is NotHeard (control/events.h).
using core::NoStatusEndpoint;
using core::NotHeard;
using PollResult = core::StatusResult;

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
