// The session server's HTTP side: status for the scheduler, health, metrics,
// and the token checks that gate the WebSocket upgrade.
#pragma once

#include "server/common/http_server.h"
#include "metrics/metrics.h"
#include "server/common/tokens.h"
#include "server/session/websocket_session.h"

#include <atomic>

namespace chat {

class SessionRoutes : public web::Routes {
 public:
  SessionRoutes(SessionContext& context, metrics::Metrics& metrics, TokenPolicy tokens);

  void handle(web::Request request, web::Respond respond) override;
  std::optional<web::Response> check_upgrade(const web::Request& request) override;
  void upgrade(boost::beast::tcp_stream stream, web::Request request) override;

  void set_draining() { draining_ = true; }
  bool draining() const { return draining_; }

 private:
  // The session claims of an upgrade request, or why it is refused.
  TokenCheck<SessionClaims> check_token(const web::Request& request) const;
  web::Response status(const web::Request& request) const;

  SessionContext& context_;
  metrics::Metrics& metrics_;
  const TokenPolicy tokens_;
  std::atomic<bool> draining_{false};
};

}  // namespace chat
