#include "server/session/session_routes.h"

#include "server/common/http_util.h"
#include "server/common/operator_endpoints.h"

#include <boost/beast/http/field.hpp>
#include <boost/beast/http/verb.hpp>

#include <unistd.h>

namespace chat {

namespace http = boost::beast::http;

SessionRoutes::SessionRoutes(SessionContext& context, metrics::Metrics& metrics, TokenPolicy tokens)
    : context_(context), metrics_(metrics), tokens_(std::move(tokens)) {}

web::Response SessionRoutes::status(const web::Request& request) const {
  auto now = std::chrono::steady_clock::now();
  boost::json::array rooms;
  std::size_t users = 0;
  for (const auto& room : context_.rooms.status(now)) {
    users += room.users;
    rooms.push_back({{"roomId", room.room_id},
                     {"users", room.users},
                     {"messagesTotal", room.messages_total},
                     {"emptySeconds", room.empty_seconds}});
  }
  context_.metrics.rooms.Set(static_cast<double>(rooms.size()));
  context_.metrics.users.Set(static_cast<double>(users));
  return web::json_response(
      request, http::status::ok,
      {{"host", context_.config.advertised_host},
       {"draining", draining_.load()},
       {"pid", static_cast<std::int64_t>(getpid())},
       {"connections", context_.tracker.size()},
       {"maxRooms", context_.config.rooms_max},
       {"maxUsersPerRoom", context_.config.room.users_max},
       {"rooms", std::move(rooms)}});
}

void SessionRoutes::handle(web::Request request, web::Respond respond) {
  std::string_view path = web::target_path(request.target());
  if (request.method() != http::verb::get && request.method() != http::verb::head) {
    return respond(web::error_response(request, http::status::method_not_allowed,
                                        "Only GET is served here"));
  }
  if (path == "/healthz") return respond(web::health_response(request, draining_ ? "draining" : ""));
  if (path == "/status") return respond(status(request));
  if (path == "/metrics") {
    status(request);  // refreshes the room and user gauges
    return respond(web::metrics_response(request, metrics_));
  }
  respond(web::error_response(
      request, http::status::not_found,
      "Not found. Connect with a WebSocket to /?token=<session token>; see /status and /metrics"));
}

TokenCheck<SessionClaims> SessionRoutes::check_token(const web::Request& request) const {
  auto token = web::query_parameter(request.target(), "token");
  if (!token || token->empty()) return {std::nullopt, "missing token: connect to /?token=<session token>"};
  auto check = check_session_token(tokens_, *token, unix_now());
  if (!check.claims) return check;
  // The token names the server it was issued for; a token for another server
  // must not open a room here (the backend placed the room elsewhere).
  std::string_view expected = context_.config.advertised_host;
  if (expected.empty()) expected = request[http::field::host];
  if (check.claims->host != expected) {
    return {std::nullopt, "token is for host " + check.claims->host + ", this is " +
                              std::string(expected)};
  }
  return check;
}

std::optional<web::Response> SessionRoutes::check_upgrade(const web::Request& request) {
  if (draining_) {
    context_.metrics.rejected("draining").Increment();
    auto response = web::error_response(request, http::status::service_unavailable,
                                         "Server is shutting down; look the room up again");
    response.set(http::field::retry_after, "1");
    return response;
  }
  auto check = check_token(request);
  if (!check.claims) {
    context_.metrics.rejected("bad_token").Increment();
    return web::error_response(request, http::status::unauthorized, check.error);
  }
  return std::nullopt;
}

void SessionRoutes::upgrade(boost::beast::tcp_stream stream, web::Request request) {
  auto check = check_token(request);  // cheap (one HMAC); checked before the upgrade too
  if (!check.claims) return;
  start_websocket_session(std::move(stream), std::move(request), std::move(*check.claims),
                          context_);
}

}  // namespace chat
