// The backend's public HTTP API (docs/PROTOCOL.md): login, create a room,
// find a room's host; plus /healthz and the web client's files. Nothing here
// lists rooms or hosts: operators' endpoints are in admin_routes.h.
#pragma once

#include <boost/beast/http/verb.hpp>
#include <mutex>
#include <span>
#include <string_view>
#include <unordered_map>

#include "metrics/metrics.h"
#include "server/backend/api_admission.h"
#include "server/backend/placement.h"
#include "server/common/http_server.h"
#include "server/common/static_files.h"
#include "server/common/tokens.h"

namespace chat {

struct ApiOptions {
  std::size_t user_id_chars_max = 32;
  ApiLimits limits;
  AdmissionOptions admission;
};

class ApiRoutes : public web::Routes {
 public:
  ApiRoutes(TokenPolicy tokens, RoomPlacement& placement, web::StaticFiles files,
            metrics::Metrics& metrics, ApiOptions options);

  void handle(web::Request request, web::Respond respond) override;

 private:
  // `parameter` is what a route's trailing ":name" matched (the room id), else empty.
  using Handler = void (ApiRoutes::*)(const web::Request&, std::string_view parameter,
                                      web::Respond);
  struct Route {
    // "/api/rooms" matches itself; "/api/rooms/:roomId" matches one more
    // segment, given to the handler. Also the route's metric label.
    std::string_view pattern;
    boost::beast::http::verb method;  // GET routes answer HEAD too
    Handler handler;
  };
  static std::span<const Route> routes();

  void login(const web::Request& request, std::string_view, web::Respond respond);
  void create_room(const web::Request& request, std::string_view, web::Respond respond);
  void find_room(const web::Request& request, std::string_view room_id, web::Respond respond);
  void health(const web::Request& request, std::string_view, web::Respond respond);
  void static_file(const web::Request& request, std::string_view, web::Respond respond);
  // The caller's user id, or nullopt after answering 401.
  std::optional<UserClaims> authorize(const web::Request& request, const web::Respond& respond);
  // Wraps `respond` to add CORS headers and count the answer under `route`.
  web::Respond instrumented(std::string_view route, web::Respond respond);

  const TokenPolicy tokens_;
  RoomPlacement& placement_;
  const web::StaticFiles files_;
  const ApiOptions options_;
  ApiAdmission admission_;
  prometheus::Family<prometheus::Counter>& requests_;
  prometheus::Family<prometheus::Histogram>& request_seconds_;
  // Metric children by route (and code), so answering a request neither
  // hashes label sets nor builds bucket vectors on the hot path.
  prometheus::Histogram& request_seconds(std::string_view route);
  prometheus::Counter& requests(std::string_view route, unsigned code);
  std::mutex metric_cache_mutex_;
  std::unordered_map<std::string, prometheus::Histogram*> seconds_by_route_;
  std::unordered_map<std::string, prometheus::Counter*> requests_by_route_code_;
};

}  // namespace chat
