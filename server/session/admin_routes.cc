#include "server/session/admin_routes.h"

#include <unistd.h>

#include <boost/beast/http/field.hpp>
#include <boost/beast/http/verb.hpp>
#include <boost/json/value.hpp>

#include "server/common/http_util.h"
#include "server/common/operator_endpoints.h"

namespace chat {

namespace http = boost::beast::http;

namespace {

web::Response status_response(SessionHub& hub, const web::Request& request) {
  boost::json::array rooms;
  for (const auto& room : hub.read_rooms(std::chrono::steady_clock::now())) {
    rooms.push_back({{"roomId", room.room_id},
                     {"users", room.users},
                     {"messagesTotal", room.messages_total},
                     {"emptySeconds", room.empty_seconds}});
  }
  const SessionConfig& config = hub.config();
  return web::json_response(request, http::status::ok,
                            {{"host", config.advertised_host},
                             {"draining", hub.draining()},
                             {"pid", static_cast<std::int64_t>(getpid())},
                             {"connections", hub.session_count()},
                             {"maxRooms", config.rooms_max},
                             {"maxUsersPerRoom", config.room_limits.users_max},
                             {"rooms", std::move(rooms)}});
}

}  // namespace

std::optional<web::Response> operator_response(SessionHub& hub, const web::Request& request) {
  std::string_view path = web::target_path(request.target());
  if (path == "/status") return status_response(hub, request);
  if (path == "/metrics") {
    hub.read_rooms(std::chrono::steady_clock::now());  // sets the rooms and users gauges
    hub.read_send_queues();
    return web::metrics_response(request, hub.metrics());
  }
  return std::nullopt;
}

void AdminRoutes::handle(web::Request request, web::Respond respond) {
  if (request.method() != http::verb::get && request.method() != http::verb::head) {
    auto response =
        web::error_response(request, http::status::method_not_allowed, "Only GET is served here");
    response.set(http::field::allow, "GET");
    return respond(std::move(response));
  }
  if (!web::operator_authorized(request, hub_->config().admin_token)) {
    return respond(web::operator_unauthorized(request));
  }
  if (web::target_path(request.target()) == "/healthz") {
    return respond(web::health_response(request, hub_->draining() ? "draining" : ""));
  }
  if (auto response = operator_response(*hub_, request)) return respond(std::move(*response));
  respond(web::error_response(request, http::status::not_found,
                              "Not found. Served here: /status, /metrics, /healthz"));
}

}  // namespace chat
