// The session server's public HTTP side: the token checks that gate the
// WebSocket upgrade, and /healthz. Operator endpoints are in admin_routes.h.
#pragma once

#include <memory>

#include "server/common/admission.h"
#include "server/common/http_server.h"
#include "server/common/rate_limiter.h"
#include "server/common/tokens.h"
#include "server/session/session_hub.h"

namespace chat {

class SessionRoutes : public web::Routes {
 public:
  explicit SessionRoutes(std::shared_ptr<SessionHub> hub);

  void handle(web::Request request, web::Respond respond) override;
  std::optional<web::Response> check_upgrade(const web::Request& request) override;
  void upgrade(boost::beast::tcp_stream stream, web::Request request) override;

 private:
  // The session claims of an upgrade request, or why it is refused.
  TokenCheck<SessionClaims> check_token(const web::Request& request) const;
  // The 429 for a refused upgrade; counted as rate_limited_connect.
  web::Response rate_limited(const web::Request& request, std::chrono::seconds retry_after,
                             const std::string& what, double per_minute) const;

  const std::shared_ptr<SessionHub> hub_;
  const TokenPolicy tokens_;
  // Upgrades by client address and by user: a connection flood is refused
  // with 429 before its token is even checked.
  RateLimiter connections_per_ip_;
  RateLimiter connections_per_user_;
};

}  // namespace chat
