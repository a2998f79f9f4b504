#include "server/session/admin_routes.h"

#include <unistd.h>

#include <boost/beast/http/field.hpp>
#include <boost/beast/http/verb.hpp>
#include <boost/json/value.hpp>
#include <iostream>

#include "server/common/http_util.h"
#include "server/common/operator_endpoints.h"
#include "server/session/room_drain.h"
#include "server/session/room_reserve.h"
#include "logging/log.h"

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
  boost::json::array reserved;
  for (const auto& reservation : hub.rooms().reservations(std::chrono::steady_clock::now())) {
    reserved.push_back(
        {{"roomId", reservation.room_id}, {"expiresInSeconds", reservation.expires_in_seconds}});
  }
  const SessionConfig& config = hub.config();
  return web::json_response(request, http::status::ok,
                            {{"host", config.advertised_host},
                             {"draining", hub.draining()},
                             {"pid", static_cast<std::int64_t>(getpid())},
                             {"connections", hub.session_count()},
                             {"maxRooms", config.rooms_max},
                             {"maxUsersPerRoom", config.room_limits.users_max},
                             {"rooms", std::move(rooms)},
                             {"reserved", std::move(reserved)}});
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
  if (web::target_path(request.target()) == "/drain") return drain(std::move(request), respond);
  if (auto room_id = reserve_target(web::target_path(request.target()))) {
    // Who asks first: a caller without the token learns nothing, not even
    // which methods a path takes.
    if (!web::operator_authorized(request, hub_->config().admin_token)) {
      return respond(web::operator_unauthorized(request));
    }
    if (request.method() != http::verb::post) {
      auto response = web::error_response(request, http::status::method_not_allowed,
                                          "POST /rooms/:roomId/reserve holds a slot for a room");
      response.set(http::field::allow, "POST");
      return respond(std::move(response));
    }
    return respond(reserve_response(*hub_, request, *room_id));
  }
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
                              "Not found. Served here: /status, /metrics, /healthz, POST /drain, "
                              "POST /rooms/:roomId/reserve"));
}

// Answers once the clients are closed and the history stored: the backend
// places the rooms elsewhere only then. Asked twice, it drains twice (the
// second finds nothing left to wait for).
void AdminRoutes::drain(web::Request request, web::Respond respond) {
  // Who asks first, as for every operator's path.
  if (!web::operator_authorized(request, hub_->config().admin_token)) {
    return respond(web::operator_unauthorized(request));
  }
  if (request.method() != http::verb::post) {
    auto response = web::error_response(request, http::status::method_not_allowed,
                                        "POST /drain moves this server's rooms away");
    response.set(http::field::allow, "POST");
    return respond(std::move(response));
  }
  const SessionConfig& config = hub_->config();
  DrainDeadlines deadlines{
      config.history_timeout + std::chrono::seconds(1),
      std::chrono::duration_cast<std::chrono::milliseconds>(config.shutdown_grace)};
  logging::info("draining: moving " + std::to_string(hub_->rooms().room_count()) + " rooms away");
  drain_rooms(executor_, hub_, CloseReason::room_moving, deadlines,
              [request = std::move(request), respond](DrainOutcome outcome) {
                boost::json::array rooms;
                for (auto& room : outcome.rooms) rooms.emplace_back(room);
                logging::info("drained " + std::to_string(rooms.size()) + " rooms (" +
                              std::to_string(outcome.unstored) + " messages unstored, " +
                              std::to_string(outcome.connections_left) + " connections left)");
                respond(web::json_response(request, http::status::ok,
                                           {{"rooms", std::move(rooms)},
                                            {"unstored", outcome.unstored},
                                            {"appendsAbandoned", outcome.appends_abandoned},
                                            {"connectionsLeft", outcome.connections_left}}));
              });
}

}  // namespace chat
