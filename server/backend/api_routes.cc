#include "server/backend/api_routes.h"

#include <boost/beast/http/field.hpp>
#include <boost/beast/http/verb.hpp>
#include <boost/json/parse.hpp>

#include "metrics/families.h"
#include "network/host_port.h"
#include "server/backend/room_id.h"
#include "server/backend/user_id.h"
#include "server/common/http_util.h"
#include "server/common/operator_endpoints.h"

namespace chat {

namespace http = boost::beast::http;
using http::status;
using http::verb;

ApiRoutes::ApiRoutes(TokenPolicy tokens, RoomPlacement& placement, web::StaticFiles files,
                     metrics::Metrics& metrics, ApiOptions options)
    : tokens_(std::move(tokens)),
      placement_(placement),
      files_(std::move(files)),
      options_(options),
      admission_(options.limits, options.admission, metrics.registry()),
      requests_(metrics::counter_family(metrics.registry(), "chat_backend_http_requests_total",
                                        "HTTP requests answered, by route and status code.")),
      request_seconds_(metrics::histogram_family(metrics.registry(),
                                                 "chat_backend_http_request_seconds",
                                                 "Time to answer an HTTP request, by route.")) {}

namespace {

// What `pattern` matched of `path`: "" for a plain pattern, the last segment
// for one ending in ":name"; nullopt when it does not match.
std::optional<std::string_view> match(std::string_view pattern, std::string_view path) {
  auto colon = pattern.find(':');
  if (colon == std::string_view::npos) {
    return pattern == path ? std::optional<std::string_view>("") : std::nullopt;
  }
  std::string_view prefix = pattern.substr(0, colon);
  if (path.substr(0, prefix.size()) != prefix) return std::nullopt;
  return path.substr(prefix.size());
}

bool allows(verb route_method, verb method) {
  return method == route_method || (route_method == verb::get && method == verb::head);
}

}  // namespace

std::span<const ApiRoutes::Route> ApiRoutes::routes() {
  static constexpr Route table[] = {
      {"/api/login", verb::post, &ApiRoutes::login},
      {"/api/rooms", verb::post, &ApiRoutes::create_room},
      {"/api/rooms/:roomId", verb::get, &ApiRoutes::find_room},
      {"/healthz", verb::get, &ApiRoutes::health},
  };
  return table;
}

web::Respond ApiRoutes::instrumented(std::string_view route, web::Respond respond) {
  bool api = route.substr(0, 4) == "/api";
  auto started = std::chrono::steady_clock::now();
  return [this, api, route, started, respond = std::move(respond)](web::Response response) {
    if (api) web::allow_any_origin(response);
    requests(route, response.result_int()).Increment();
    request_seconds(route).Observe(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
    respond(std::move(response));
  };
}

prometheus::Histogram& ApiRoutes::request_seconds(std::string_view route) {
  std::lock_guard lock(metric_cache_mutex_);
  auto& child = seconds_by_route_[std::string(route)];
  if (!child) {
    child = &request_seconds_.Add({{"route", std::string(route)}}, metrics::latency_buckets());
  }
  return *child;
}

prometheus::Counter& ApiRoutes::requests(std::string_view route, unsigned code) {
  std::lock_guard lock(metric_cache_mutex_);
  auto& child = requests_by_route_code_[std::string(route) + ' ' + std::to_string(code)];
  if (!child) {
    child = &requests_.Add({{"route", std::string(route)}, {"code", std::to_string(code)}});
  }
  return *child;
}

void ApiRoutes::handle(web::Request request, web::Respond respond) {
  const std::string_view path = web::target_path(request.target());
  const verb method = request.method();
  const bool api = path.substr(0, 5) == "/api/";
  if (api && method == verb::options) {
    web::Response preflight{status::no_content, request.version()};
    preflight.keep_alive(request.keep_alive());
    return instrumented("/api/preflight", std::move(respond))(std::move(preflight));
  }
  for (const Route& route : routes()) {
    auto parameter = match(route.pattern, path);
    if (!parameter) continue;
    auto r = instrumented(route.pattern, std::move(respond));
    if (!allows(route.method, method)) {
      std::string allowed(http::to_string(route.method));
      auto response = web::error_response(request, status::method_not_allowed,
                                          "Use " + allowed + " for " + std::string(path));
      response.set(http::field::allow, allowed);
      return r(std::move(response));
    }
    return (this->*route.handler)(request, *parameter, std::move(r));
  }
  if (api) {
    return instrumented("/api/other", std::move(respond))(
        web::error_response(request, status::not_found, "No such API route: " + std::string(path)));
  }
  static_file(request, {}, instrumented("/static", std::move(respond)));
}

void ApiRoutes::static_file(const web::Request& request, std::string_view, web::Respond respond) {
  if (!allows(verb::get, request.method())) {
    auto response =
        web::error_response(request, status::method_not_allowed, "Use GET for the web client");
    response.set(http::field::allow, "GET");
    return respond(std::move(response));
  }
  if (!files_.enabled()) {
    return respond(web::error_response(request, status::not_found,
                                       "No web client here: start the backend with --static-dir"));
  }
  respond(files_.serve(request));
}

void ApiRoutes::health(const web::Request& request, std::string_view, web::Respond respond) {
  respond(web::health_response(request, ""));
}

void ApiRoutes::login(const web::Request& request, std::string_view, web::Respond respond) {
  const Caller caller = admission_.caller(request);
  if (auto refused = admission_.admit_address(request, caller, ApiAction::login)) {
    return respond(std::move(*refused));
  }
  std::string_view type = request[http::field::content_type];
  if (type.substr(0, type.find(';')) != "application/json") {
    return respond(web::error_response(request, status::unsupported_media_type,
                                       "Send JSON with Content-Type: application/json"));
  }
  boost::system::error_code ec;
  boost::json::value body = boost::json::parse(request.body(), ec);
  if (ec || !body.is_object()) {
    return respond(web::error_response(request, status::bad_request,
                                       "Body must be a JSON object like {\"userId\": \"alice\"}"));
  }
  const auto* user_id = body.as_object().if_contains("userId");
  if (user_id == nullptr || !user_id->is_string()) {
    return respond(web::error_response(request, status::bad_request,
                                       "userId is missing: send {\"userId\": \"alice\"}"));
  }
  UserIdCheck check = check_user_id(user_id->as_string(), options_.user_id_chars_max);
  if (!check.user_id)
    return respond(web::error_response(request, status::bad_request, check.error));
  if (auto refused = admission_.admit_user(request, caller, ApiAction::login, *check.user_id)) {
    return respond(std::move(*refused));
  }
  std::string token = issue_user_token(tokens_, {*check.user_id}, unix_now());
  respond(web::json_response(request, status::ok, {{"token", token}}));
}

std::optional<UserClaims> ApiRoutes::authorize(const web::Request& request,
                                               const web::Respond& respond) {
  auto token = web::bearer_token(request);
  std::string error =
      "Authorization header missing: send Authorization: Bearer <token from "
      "/api/login>";
  if (token) {
    auto check = check_user_token(tokens_, *token, unix_now());
    if (check.claims) return check.claims;
    error = check.error + ": log in again";
  }
  auto response = web::error_response(request, status::unauthorized, error);
  response.set(http::field::www_authenticate, "Bearer");
  respond(std::move(response));
  return std::nullopt;
}

namespace {

web::Response no_server_now(web::ReplyTo reply_to, const NoServerNow& no_server) {
  auto response = web::error_response(reply_to, status::service_unavailable, no_server.reason);
  response.set(http::field::retry_after, std::to_string(no_server.retry_after.count()));
  return response;
}

// Placement can answer neither now nor soon (docs/PROTOCOL.md: 502).
web::Response placement_failed(web::ReplyTo reply_to, const PlacementFailed& failed) {
  return web::error_response(reply_to, status::bad_gateway, failed.reason);
}

}  // namespace

void ApiRoutes::create_room(const web::Request& request, std::string_view, web::Respond respond) {
  const Caller caller = admission_.caller(request);
  if (auto refused = admission_.admit_address(request, caller, ApiAction::create_room)) {
    return respond(std::move(*refused));
  }
  auto user = authorize(request, respond);
  if (!user) return;
  if (auto refused =
          admission_.admit_user(request, caller, ApiAction::create_room, user->user_id)) {
    return respond(std::move(*refused));
  }
  placement_.create_room(
      user->user_id, admission_.unjoined_rooms_max(caller),
      [this, reply_to = web::ReplyTo(request),
       respond = std::move(respond)](CreateRoomResult result) {
        if (auto* created = std::get_if<RoomCreated>(&result)) {
          return respond(web::json_response(reply_to, status::ok, {{"roomId", created->room_id}}));
        }
        if (auto* unjoined = std::get_if<TooManyUnjoinedRooms>(&result)) {
          admission_.count_unjoined_refusal();
          return respond(web::too_many_requests(
              reply_to, unjoined->retry_after,
              "You have " + std::to_string(unjoined->held) +
                  " rooms nobody has joined yet, the most allowed: join one, or wait " +
                  std::to_string(unjoined->retry_after.count()) + " s for the oldest to be freed"));
        }
        if (auto* failed = std::get_if<PlacementFailed>(&result)) {
          return respond(placement_failed(reply_to, *failed));
        }
        respond(no_server_now(reply_to, std::get<NoServerNow>(result)));
      });
}

void ApiRoutes::find_room(const web::Request& request, std::string_view room_id,
                          web::Respond respond) {
  const Caller caller = admission_.caller(request);
  if (auto refused = admission_.admit_address(request, caller, ApiAction::find_room)) {
    return respond(std::move(*refused));
  }
  auto user = authorize(request, respond);
  if (!user) return;
  if (auto refused = admission_.admit_user(request, caller, ApiAction::find_room, user->user_id)) {
    return respond(std::move(*refused));
  }
  if (!plausible_room_id(room_id)) {
    return respond(
        web::error_response(request, status::bad_request,
                            "Not a room id: room ids are 1 to 64 letters, digits, '-' or '_'"));
  }
  auto answer = [this, room_id = std::string(room_id), user = *user,
                 reply_to = web::ReplyTo(request),
                 respond = std::move(respond)](FindRoomResult found) {
    if (auto* at = std::get_if<RoomAt>(&found)) {
      std::string token =
          issue_session_token(tokens_, {user.user_id, room_id, at->host}, unix_now());
      return respond(
          web::json_response(reply_to, status::ok, {{"host", at->host}, {"token", token}}));
    }
    if (std::holds_alternative<RoomUnknown>(found)) {
      // The seed answers an unknown room with nulls, not 404; clients rely on it.
      return respond(
          web::json_response(reply_to, status::ok, {{"host", nullptr}, {"token", nullptr}}));
    }
    if (auto* failed = std::get_if<PlacementFailed>(&found)) {
      return respond(placement_failed(reply_to, *failed));
    }
    respond(no_server_now(reply_to, std::get<NoServerNow>(found)));
  };
  // A client that could not reach the room's host says which
  // (docs/PROTOCOL.md, "History and failover"). Anything but a host:port is
  // ignored, not refused: the look-up is answered as usual.
  if (auto unreachable = web::query_parameter(request.target(), "unreachable")) {
    if (auto host = network::parse_host_port(*unreachable)) {
      return placement_.find_room_after_failure(std::string(room_id), host->to_string(),
                                                std::move(answer));
    }
  }
  placement_.find_room(std::string(room_id), std::move(answer));
}

}  // namespace chat
