#include "server/backend/api_routes.h"

#include "server/backend/room_id.h"
#include "server/backend/user_id.h"
#include "server/common/http_util.h"
#include "server/common/operator_endpoints.h"

#include <boost/beast/http/field.hpp>
#include <boost/beast/http/verb.hpp>
#include <boost/json/parse.hpp>

namespace chat {

namespace http = boost::beast::http;
using http::status;
using http::verb;

ApiRoutes::ApiRoutes(TokenPolicy tokens, RoomPlacement& placement, web::StaticFiles files,
                     metrics::Metrics& metrics, ApiOptions options)
    : tokens_(std::move(tokens)),
      placement_(placement),
      files_(std::move(files)),
      metrics_(metrics),
      options_(options),
      requests_(prometheus::BuildCounter()
                    .Name("chat_backend_http_requests_total")
                    .Help("HTTP requests answered, by route and status code.")
                    .Register(metrics.registry())),
      request_seconds_(prometheus::BuildHistogram()
                           .Name("chat_backend_http_request_seconds")
                           .Help("Time to answer an HTTP request, by route.")
                           .Register(metrics.registry())) {}

web::Respond ApiRoutes::instrumented(const web::Request& request, std::string route,
                                      web::Respond respond) {
  bool api = route.rfind("/api", 0) == 0;
  auto started = std::chrono::steady_clock::now();
  return [this, api, route = std::move(route), started,
          respond = std::move(respond)](web::Response response) {
    if (api) web::allow_any_origin(response);
    requests(route, response.result_int()).Increment();
    request_seconds(route).Observe(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
    respond(std::move(response));
  };
}

prometheus::Histogram& ApiRoutes::request_seconds(const std::string& route) {
  std::lock_guard lock(metric_cache_mutex_);
  auto& child = seconds_by_route_[route];
  if (!child) child = &request_seconds_.Add({{"route", route}}, metrics::latency_buckets());
  return *child;
}

prometheus::Counter& ApiRoutes::requests(const std::string& route, unsigned code) {
  std::lock_guard lock(metric_cache_mutex_);
  auto& child = requests_by_route_code_[route + ' ' + std::to_string(code)];
  if (!child) child = &requests_.Add({{"route", route}, {"code", std::to_string(code)}});
  return *child;
}

void ApiRoutes::handle(web::Request request, web::Respond respond) {
  const std::string path(web::target_path(request.target()));
  const verb method = request.method();
  auto method_not_allowed = [&](std::string_view allowed, web::Respond r) {
    auto response = web::error_response(request, status::method_not_allowed,
                                         "Use " + std::string(allowed) + " for " + path);
    response.set(http::field::allow, allowed);
    r(std::move(response));
  };

  if (path.rfind("/api/", 0) == 0 && method == verb::options) {
    web::Response preflight{status::no_content, request.version()};
    preflight.keep_alive(request.keep_alive());
    return instrumented(request, "/api/preflight", std::move(respond))(std::move(preflight));
  }
  if (path == "/api/login") {
    auto r = instrumented(request, path, std::move(respond));
    if (method != verb::post) return method_not_allowed("POST", std::move(r));
    return login(request, std::move(r));
  }
  if (path == "/api/rooms") {
    auto r = instrumented(request, path, std::move(respond));
    if (method != verb::post) return method_not_allowed("POST", std::move(r));
    return create_room(request, std::move(r));
  }
  if (path.rfind("/api/rooms/", 0) == 0) {
    auto r = instrumented(request, "/api/rooms/:roomId", std::move(respond));
    if (method != verb::get) return method_not_allowed("GET", std::move(r));
    return find_room(request, path.substr(std::string_view("/api/rooms/").size()), std::move(r));
  }
  if (path == "/api/fleet") {
    auto r = instrumented(request, path, std::move(respond));
    if (method != verb::get) return method_not_allowed("GET", std::move(r));
    return placement_.describe([shape = request, r = std::move(r)](boost::json::value fleet) {
      r(web::json_response(shape, status::ok, fleet));
    });
  }
  if (path.rfind("/api/", 0) == 0) {
    return instrumented(request, "/api/other", std::move(respond))(
        web::error_response(request, status::not_found, "No such API route: " + path));
  }
  if (path == "/healthz") {
    return instrumented(request, path, std::move(respond))(web::health_response(request, ""));
  }
  if (path == "/metrics") {
    return instrumented(request, path, std::move(respond))(web::metrics_response(request, metrics_));
  }
  auto r = instrumented(request, "/static", std::move(respond));
  if (method != verb::get && method != verb::head) return method_not_allowed("GET", std::move(r));
  if (!files_.enabled()) {
    return r(web::error_response(request, status::not_found,
                                  "No web client here: start the backend with --static-dir"));
  }
  r(files_.serve(request));
}

void ApiRoutes::login(const web::Request& request, web::Respond respond) {
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
  if (!check.user_id) return respond(web::error_response(request, status::bad_request, check.error));
  std::string token = issue_user_token(tokens_, {*check.user_id}, unix_now());
  respond(web::json_response(request, status::ok, {{"token", token}}));
}

std::optional<UserClaims> ApiRoutes::authorize(const web::Request& request,
                                               const web::Respond& respond) {
  auto token = web::bearer_token(request);
  std::string error = "Authorization header missing: send Authorization: Bearer <token from "
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

void ApiRoutes::create_room(const web::Request& request, web::Respond respond) {
  if (!authorize(request, respond)) return;
  placement_.create_room([request_version = request.version(), keep_alive = request.keep_alive(),
                          respond = std::move(respond)](CreatedRoom created) {
    web::Request shape;
    shape.version(request_version);
    shape.keep_alive(keep_alive);
    if (created.room_id) {
      return respond(web::json_response(shape, status::ok, {{"roomId", *created.room_id}}));
    }
    auto response = web::error_response(shape, status::service_unavailable, created.error);
    response.set(http::field::retry_after, std::to_string(created.retry_after.count()));
    respond(std::move(response));
  });
}

void ApiRoutes::find_room(const web::Request& request, std::string room_id,
                          web::Respond respond) {
  auto user = authorize(request, respond);
  if (!user) return;
  if (!plausible_room_id(room_id)) {
    return respond(web::error_response(
        request, status::bad_request,
        "Not a room id: room ids are 1 to 64 letters, digits, '-' or '_'"));
  }
  placement_.find_room(room_id, [this, room_id, user = *user, version = request.version(),
                                 keep_alive = request.keep_alive(),
                                 respond = std::move(respond)](RoomHost found) {
    web::Request shape;
    shape.version(version);
    shape.keep_alive(keep_alive);
    if (!found.error.empty()) {
      auto response = web::error_response(shape, status::service_unavailable, found.error);
      response.set(http::field::retry_after, std::to_string(found.retry_after.count()));
      return respond(std::move(response));
    }
    if (!found.host) {
      // The seed answers an unknown room with nulls, not 404; clients rely on it.
      return respond(web::json_response(shape, status::ok, {{"host", nullptr}, {"token", nullptr}}));
    }
    std::string token = issue_session_token(tokens_, {user.user_id, room_id, *found.host}, unix_now());
    respond(web::json_response(shape, status::ok, {{"host", *found.host}, {"token", token}}));
  });
}

}  // namespace chat
