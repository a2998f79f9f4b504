#include "server/session/session_routes.h"

#include <boost/beast/http/field.hpp>
#include <boost/beast/http/verb.hpp>

#include "server/common/http_util.h"
#include "server/common/operator_endpoints.h"
#include "server/session/admin_routes.h"
#include "server/session/websocket_session.h"

namespace chat {

namespace http = boost::beast::http;

SessionRoutes::SessionRoutes(std::shared_ptr<SessionHub> hub)
    : hub_(std::move(hub)),
      tokens_{hub_->config().token_keys},
      connections_per_ip_(hub_->config().connections_per_ip_per_minute,
                          hub_->config().admission.keys_max),
      connections_per_user_(hub_->config().connections_per_user_per_minute,
                            hub_->config().admission.keys_max) {}

void SessionRoutes::handle(web::Request request, web::Respond respond) {
  std::string_view path = web::target_path(request.target());
  if (request.method() != http::verb::get && request.method() != http::verb::head) {
    return respond(
        web::error_response(request, http::status::method_not_allowed, "Only GET is served here"));
  }
  if (path == "/healthz") {
    return respond(web::health_response(request, hub_->draining() ? "draining" : ""));
  }
  // Where a cloud exposes one port only, operators reach /status and /metrics
  // here with the admin token; without it they do not exist on this port.
  const std::string& admin_token = hub_->config().admin_token;
  if (!admin_token.empty() && web::operator_authorized(request, admin_token)) {
    if (auto response = operator_response(*hub_, request)) return respond(std::move(*response));
  }
  respond(web::error_response(request, http::status::not_found,
                              "Not found. Connect with a WebSocket to /?token=<session token>"));
}

TokenCheck<SessionClaims> SessionRoutes::check_token(const web::Request& request) const {
  auto token = web::query_parameter(request.target(), "token");
  if (!token || token->empty())
    return {std::nullopt, "missing token: connect to /?token=<session token>"};
  auto check = check_session_token(tokens_, *token, unix_now());
  if (!check.claims) return check;
  // The token names the server it was issued for; a token for another server
  // must not open a room here (the backend placed the room elsewhere).
  const std::string& expected = hub_->config().advertised_host;
  if (check.claims->host != expected) {
    return {std::nullopt, "token is for host " + check.claims->host + ", this is " + expected};
  }
  return check;
}

std::optional<web::Response> SessionRoutes::check_upgrade(const web::Request& request) {
  if (hub_->draining()) {
    hub_->session_metrics().rejected("draining").Increment();
    auto response =
        web::error_response(request, http::status::service_unavailable,
                            "Server is draining (shutting down, or its rooms are moving); "
                            "look the room up again");
    response.set(http::field::retry_after, "1");
    return response;
  }
  const std::size_t connections_max = hub_->config().connections_max;
  if (connections_max != 0 && hub_->session_count() >= connections_max) {
    // Each connection is a descriptor: refuse here, with a reason, rather
    // than run out of them for the clients already in their rooms.
    hub_->session_metrics().rejected("connections_max").Increment();
    auto response = web::error_response(request, http::status::service_unavailable,
                                        "Server is at its connection limit; try again soon");
    response.set(http::field::retry_after, "2");
    return response;
  }
  const Caller caller = identify_caller(web::peer_address(request), web::forwarded_for(request),
                                        hub_->config().admission);
  const auto now = RateLimiter::Clock::now();
  if (!caller.exempt) {
    if (auto retry_after = connections_per_ip_.take(caller.key, now)) {
      return rate_limited(request, *retry_after, "connections from this address",
                          connections_per_ip_.per_minute());
    }
  }
  auto check = check_token(request);
  if (!check.claims) {
    hub_->session_metrics().rejected("bad_token").Increment();
    return web::error_response(request, http::status::unauthorized, check.error);
  }
  if (!caller.exempt) {
    if (auto retry_after = connections_per_user_.take(check.claims->user_id, now)) {
      return rate_limited(request, *retry_after, "connections as this user",
                          connections_per_user_.per_minute());
    }
  }
  return std::nullopt;
}

web::Response SessionRoutes::rate_limited(const web::Request& request,
                                          std::chrono::seconds retry_after, const std::string& what,
                                          double per_minute) const {
  hub_->session_metrics().rejected("rate_limited_connect").Increment();
  return web::too_many_requests(
      request, retry_after,
      "Too many " + what + " (at most " + std::to_string(static_cast<long>(per_minute)) +
          " a minute); try again in " + std::to_string(retry_after.count()) + " s");
}

void SessionRoutes::upgrade(boost::beast::tcp_stream stream, web::Request request) {
  auto check = check_token(request);  // cheap (one HMAC); checked before the upgrade too
  if (!check.claims) return;
  start_websocket_session(std::move(stream), std::move(request), std::move(*check.claims), hub_);
}

}  // namespace chat
