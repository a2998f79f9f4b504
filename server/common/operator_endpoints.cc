#include "server/common/operator_endpoints.h"

#include <boost/beast/http/field.hpp>

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

Response health_response(const Request& request, std::string_view unhealthy_reason) {
  if (unhealthy_reason.empty()) return json_response(request, http::status::ok, {{"status", "ok"}});
  return json_response(request, http::status::service_unavailable, {{"status", unhealthy_reason}});
}

}  // namespace chat::web
