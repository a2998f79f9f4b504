#include "server/backend/admin_routes.h"

#include <boost/beast/http/field.hpp>
#include <boost/beast/http/verb.hpp>

#include "server/common/http_util.h"
#include "server/common/operator_endpoints.h"
#include "network/percent_encoding.h"

namespace chat {

namespace http = boost::beast::http;

boost::json::array service_discovery_targets(const boost::json::value& fleet) {
  boost::json::array targets;
  const auto* object = fleet.if_object();
  const auto* servers = object ? object->if_contains("servers") : nullptr;
  if (servers == nullptr || !servers->is_array()) return targets;
  const auto* fleet_name = object->if_contains("fleet");
  for (const auto& server : servers->as_array()) {
    const auto* fields = server.if_object();
    // Where its /metrics is: its admin listener, else its public host.
    const auto* host = fields ? fields->if_contains("adminHost") : nullptr;
    if (host == nullptr || !host->is_string() || host->as_string().empty()) continue;
    boost::json::object labels;
    if (const auto* id = fields->if_contains("id")) labels["server_id"] = *id;
    if (fleet_name) labels["fleet"] = *fleet_name;
    if (const auto* state = fields->if_contains("state")) labels["state"] = *state;
    targets.push_back(
        boost::json::object{{"targets", boost::json::array{*host}}, {"labels", std::move(labels)}});
  }
  return targets;
}

namespace {

// The server id of "/api/fleet/servers/<id>/drain", percent-decoded; nullopt
// for any other path.
std::optional<std::string> drain_target(std::string_view path) {
  constexpr std::string_view prefix = "/api/fleet/servers/";
  constexpr std::string_view suffix = "/drain";
  if (!path.starts_with(prefix) || !path.ends_with(suffix)) return std::nullopt;
  if (path.size() <= prefix.size() + suffix.size()) return std::nullopt;
  auto id = path.substr(prefix.size(), path.size() - prefix.size() - suffix.size());
  if (id.find('/') != std::string_view::npos) return std::nullopt;
  auto decoded = network::percent_decode(id);
  if (!decoded || decoded->empty()) return std::nullopt;
  return decoded;
}

web::Response method_not_allowed(const web::Request& request, const char* allowed) {
  auto response = web::error_response(request, http::status::method_not_allowed,
                                      std::string("Use ") + allowed + " here");
  response.set(http::field::allow, allowed);
  return response;
}

}  // namespace

void AdminRoutes::handle(web::Request request, web::Respond respond) {
  const std::string_view path = web::target_path(request.target());
  // Nobody without the secret learns anything here, not even which routes exist.
  if (!web::operator_authorized(request, admin_token_)) {
    return respond(web::operator_unauthorized(request));
  }
  if (auto drain_id = drain_target(path)) {
    if (request.method() != http::verb::post) return respond(method_not_allowed(request, "POST"));
    return drain(request, *drain_id, std::move(respond));
  }
  if (request.method() != http::verb::get && request.method() != http::verb::head) {
    return respond(method_not_allowed(request, "GET"));
  }
  if (path == "/metrics") return respond(web::metrics_response(request, metrics_));
  if (path == "/healthz") return respond(web::health_response(request, ""));
  if (path == "/api/fleet" || path == "/sd/session-servers") {
    bool discovery = path == "/sd/session-servers";
    return placement_.describe([discovery, reply_to = web::ReplyTo(request),
                                respond = std::move(respond)](boost::json::value fleet) {
      if (discovery) fleet = service_discovery_targets(fleet);
      respond(web::json_response(reply_to, http::status::ok, fleet));
    });
  }
  respond(web::error_response(request, http::status::not_found,
                              "Not found. Served here: /metrics, /api/fleet, "
                              "/sd/session-servers, /healthz, "
                              "POST /api/fleet/servers/:serverId/drain"));
}

void AdminRoutes::drain(const web::Request& request, const std::string& server_id,
                        web::Respond respond) {
  placement_.drain_server(server_id, [reply_to = web::ReplyTo(request),
                                      respond = std::move(respond)](DrainResult result) {
    if (auto* started = std::get_if<DrainStarted>(&result)) {
      return respond(web::json_response(
          reply_to, http::status::accepted,
          {{"serverId", started->server_id}, {"state", "draining"}, {"rooms", started->rooms}}));
    }
    const auto& refused = std::get<DrainRefused>(result);
    respond(web::error_response(
        reply_to, refused.unknown_server ? http::status::not_found : http::status::conflict,
        refused.reason));
  });
}

}  // namespace chat
