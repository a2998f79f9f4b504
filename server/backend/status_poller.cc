#include "server/backend/status_poller.h"

#include <boost/asio/bind_executor.hpp>

#include "server/backend/status_report.h"

namespace chat {

namespace {

PollResult interpret(const network::HttpResponse& response) {
  if (!response.answered()) {
    return NotHeard{response.error, response.failure == network::HttpFailure::connect ||
                                        response.failure == network::HttpFailure::receive};
  }
  if (response.status == 404) return NoStatusEndpoint{};
  if (response.status != 200) {
    return NotHeard{"GET /status answered HTTP " + std::to_string(response.status)};
  }
  auto report = parse_status_report(response.body);
  if (!report) return NotHeard{"GET /status: " + report.error()};
  return std::move(report).value();
}

}  // namespace

StatusPoller::StatusPoller(boost::asio::any_io_executor executor, StatusPollerOptions options,
                           OnResult on_result)
    : executor_(executor),
      options_(std::move(options)),
      on_result_(std::move(on_result)),
      // One connection per server, kept alive from one poll to the next.
      client_(executor, network::HttpClientOptions{.connections_per_origin_max = 1,
                                                   .user_agent = "scalable-chat-backend"}) {}

void StatusPoller::poll(const sched::ServerId& id, const std::string& host) {
  network::HttpRequest request;
  request.url = options_.scheme + "://" + host + "/status";
  request.timeout = options_.timeout;
  request.bearer = options_.admin_token;
  client_.async_fetch(
      std::move(request),
      boost::asio::bind_executor(executor_, [this, id](network::HttpResponse response) {
        on_result_(id, interpret(response));
      }));
}

}  // namespace chat
