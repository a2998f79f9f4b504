// The session server's operator endpoints, on a listener of their own (by
// default on loopback): nothing public may list room ids, which are the only
// capability a room has.
//
//   GET /status   rooms and their user counts, for the backend's scheduler
//   GET /metrics  Prometheus text format
//   GET /healthz  {"status":"ok"}, 503 {"status":"draining"}
//   POST /drain   moves the rooms away (room_drain.h); answers once done
//   POST /rooms/:roomId/reserve  holds a slot for a room (room_reserve.h)
//
// With an admin token set, each request must carry it as its bearer token.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <memory>
#include <optional>

#include "server/common/http_server.h"
#include "server/session/session_hub.h"

namespace chat {

// /status or /metrics for an authorized operator; nullopt for other paths.
std::optional<web::Response> operator_response(SessionHub& hub, const web::Request& request);

class AdminRoutes : public web::Routes {
 public:
  // `executor` runs drains (their timers).
  AdminRoutes(std::shared_ptr<SessionHub> hub, boost::asio::any_io_executor executor)
      : hub_(std::move(hub)), executor_(std::move(executor)) {}
  void handle(web::Request request, web::Respond respond) override;

 private:
  void drain(web::Request request, web::Respond respond);

  const std::shared_ptr<SessionHub> hub_;
  const boost::asio::any_io_executor executor_;
};

}  // namespace chat
