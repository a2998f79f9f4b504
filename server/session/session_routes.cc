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
    : hub_(std::move(hub)), tokens_{hub_->config().jwt_secret} {}

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
    auto response = web::error_response(request, http::status::service_unavailable,
                                        "Server is shutting down; look the room up again");
    response.set(http::field::retry_after, "1");
    return response;
  }
  auto check = check_token(request);
  if (!check.claims) {
    hub_->session_metrics().rejected("bad_token").Increment();
    return web::error_response(request, http::status::unauthorized, check.error);
  }
  return std::nullopt;
}

void SessionRoutes::upgrade(boost::beast::tcp_stream stream, web::Request request) {
  auto check = check_token(request);  // cheap (one HMAC); checked before the upgrade too
  if (!check.claims) return;
  start_websocket_session(std::move(stream), std::move(request), std::move(*check.claims), hub_);
}

}  // namespace chat
