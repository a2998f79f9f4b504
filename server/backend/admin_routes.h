// The backend's operator endpoints, on a listener of their own (by default
// on loopback): metrics, the fleet as placement sees it, drains, and the list of
// session servers in Prometheus's HTTP service-discovery format, so that a
// Prometheus finds the servers the autoscaler starts and stops.
//
//   GET /metrics             Prometheus text format
//   GET /api/fleet           as on the public port (docs/PROTOCOL.md)
//   GET /sd/session-servers  [{"targets":["h:p"],"labels":{"server_id":..,"fleet":..,"state":..}}]
//                            (each target is where that server's /metrics is)
//   GET /healthz             {"status":"ok"}
//   POST /api/fleet/servers/:serverId/drain
//                            202 {"serverId","state":"draining","rooms":N}; 404, 409
#pragma once

#include "metrics/metrics.h"
#include "server/backend/placement.h"
#include "server/common/http_server.h"

namespace chat {

class AdminRoutes : public web::Routes {
 public:
  // With `admin_token` set, each request must carry it as its bearer token.
  AdminRoutes(RoomPlacement& placement, metrics::Metrics& metrics, std::string admin_token)
      : placement_(placement), metrics_(metrics), admin_token_(std::move(admin_token)) {}

  void handle(web::Request request, web::Respond respond) override;

 private:
  void drain(const web::Request& request, const std::string& server_id, web::Respond respond);

  RoomPlacement& placement_;
  metrics::Metrics& metrics_;
  const std::string admin_token_;
};

// The fleet as describe() gives it, as http_sd targets: every server with a
// host, at the address of its /metrics (adminHost).
boost::json::array service_discovery_targets(const boost::json::value& fleet);

}  // namespace chat
