#include "server/common/operator_endpoints.h"

#include <openssl/crypto.h>

#include <boost/beast/http/field.hpp>

#include "metrics/families.h"
#include "server/common/http_util.h"

namespace chat::web {

namespace http = boost::beast::http;

Response metrics_response(const Request& request, metrics::Metrics& metrics) {
  Response response{http::status::ok, request.version()};
  response.set(http::field::content_type, "text/plain; version=0.0.4; charset=utf-8");
  response.keep_alive(request.keep_alive());
  response.body() = metrics.render();
  return response;
}

prometheus::Family<prometheus::Counter>& dropped_connections(metrics::Metrics& metrics) {
  return metrics::counter_family(
      metrics.registry(), "chat_http_dropped_connections_total",
      "Connections a listener dropped or held off on its own, by reason (timeout, "
      "body_too_large, headers_too_large, malformed, at_capacity, accept_failed).");
}

std::function<void(std::string_view reason)> count_dropped(
    prometheus::Family<prometheus::Counter>& family, std::string listener) {
  // Every series from 0, so a rate over them is 0 (not absent) until a drop.
  for (const char* reason : {"timeout", "body_too_large", "headers_too_large", "malformed",
                             "at_capacity", "accept_failed"}) {
    family.Add({{"listener", listener}, {"reason", reason}});
  }
  return [&family, listener = std::move(listener)](std::string_view reason) {
    family.Add({{"listener", listener}, {"reason", std::string(reason)}}).Increment();
  };
}

ServerOptions operator_listener_options(const std::string& address, unsigned short port,
                                        prometheus::Family<prometheus::Counter>& dropped) {
  ServerOptions options;
  options.address = address;
  options.port = port;
  options.connections_max = 64;
  options.on_dropped = count_dropped(dropped, "admin");
  return options;
}

bool operator_authorized(const Request& request, std::string_view admin_token) {
  if (admin_token.empty()) return true;
  auto token = bearer_token(request);
  return token && token->size() == admin_token.size() &&
         CRYPTO_memcmp(token->data(), admin_token.data(), admin_token.size()) == 0;
}

Response operator_unauthorized(const Request& request) {
  auto response = error_response(request, http::status::unauthorized,
                                 "Operators only: send Authorization: Bearer <ADMIN_TOKEN>");
  response.set(http::field::www_authenticate, "Bearer");
  return response;
}

Response health_response(const Request& request, std::string_view unhealthy_reason) {
  if (unhealthy_reason.empty()) return json_response(request, http::status::ok, {{"status", "ok"}});
  return json_response(request, http::status::service_unavailable, {{"status", unhealthy_reason}});
}

}  // namespace chat::web
