// The backend's HTTP API (docs/PROTOCOL.md): login, create a room, find a
// room's host; plus health, metrics and the web client's files.
#pragma once

#include "server/backend/placement.h"
#include "server/common/http_server.h"
#include "server/common/metrics.h"
#include "server/common/static_files.h"
#include "server/common/tokens.h"

#include <mutex>
#include <unordered_map>

namespace chat {

struct ApiOptions {
  std::size_t user_id_chars_max = 32;
};

class ApiRoutes : public http::Routes {
 public:
  ApiRoutes(TokenPolicy tokens, RoomPlacement& placement, http::StaticFiles files,
            Metrics& metrics, ApiOptions options);

  void handle(http::Request request, http::Respond respond) override;

 private:
  void login(const http::Request& request, http::Respond respond);
  void create_room(const http::Request& request, http::Respond respond);
  void find_room(const http::Request& request, std::string room_id, http::Respond respond);
  // The caller's user id, or nullopt after answering 401.
  std::optional<UserClaims> authorize(const http::Request& request, const http::Respond& respond);
  // Wraps `respond` to add CORS headers and count the answer under `route`.
  http::Respond instrumented(const http::Request& request, std::string route, http::Respond respond);

  const TokenPolicy tokens_;
  RoomPlacement& placement_;
  const http::StaticFiles files_;
  Metrics& metrics_;
  const ApiOptions options_;
  prometheus::Family<prometheus::Counter>& requests_;
  prometheus::Family<prometheus::Histogram>& request_seconds_;
  // Metric children by route (and code), so answering a request neither
  // hashes label sets nor builds bucket vectors on the hot path.
  prometheus::Histogram& request_seconds(const std::string& route);
  prometheus::Counter& requests(const std::string& route, unsigned code);
  std::mutex metric_cache_mutex_;
  std::unordered_map<std::string, prometheus::Histogram*> seconds_by_route_;
  std::unordered_map<std::string, prometheus::Counter*> requests_by_route_code_;
};

}  // namespace chat
