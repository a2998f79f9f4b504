// The endpoints both binaries serve for their operators, built once so that
// their formats cannot drift apart: /metrics (Prometheus's text format) and
// /healthz (what a load balancer asks before sending traffic).
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "metrics/metrics.h"
#include "server/common/http_server.h"

namespace chat::web {

// The binary's metrics, process figures refreshed.
Response metrics_response(const Request& request, metrics::Metrics& metrics);

// chat_http_dropped_connections_total{listener,reason}: each connection a
// listener dropped or held off on its own, so that a slow or malformed flood
// shows on the dashboards. Register it once per binary.
prometheus::Family<prometheus::Counter>& dropped_connections(metrics::Metrics& metrics);
// The options of a binary's operators' listener: a few scrapers and pollers,
// not the public, so few connections; what it drops counted as "admin".
ServerOptions operator_listener_options(const std::string& address, unsigned short port,
                                        prometheus::Family<prometheus::Counter>& dropped);

// For ServerOptions::on_dropped: counts into that family under `listener`.
std::function<void(std::string_view reason)> count_dropped(
    prometheus::Family<prometheus::Counter>& family, std::string listener);

// Operator endpoints may be protected by a shared secret (ADMIN_TOKEN): true
// when `admin_token` is empty or the request carries it as its bearer token
// (compared in constant time).
bool operator_authorized(const Request& request, std::string_view admin_token);
// 401 with a WWW-Authenticate challenge, for a request that is not.
Response operator_unauthorized(const Request& request);

// 200 {"status":"ok"} when `unhealthy_reason` is empty; otherwise 503
// {"status": unhealthy_reason}, e.g. "draining", so traffic goes elsewhere.
Response health_response(const Request& request, std::string_view unhealthy_reason);

}  // namespace chat::web
