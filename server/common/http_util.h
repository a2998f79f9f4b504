// Helpers for answering HTTP requests: JSON bodies, errors, tokens, queries.
#pragma once

#include <boost/beast/http/status.hpp>
#include <boost/json/value.hpp>
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "server/common/http_server.h"

namespace chat::web {

// What an answer echoes of its request: the HTTP version and keep-alive.
// Taken from the request (implicitly), and kept by handlers that answer
// later, when the request itself is gone.
struct ReplyTo {
  ReplyTo(const Request& request)  // NOLINT: implicit, so a request can be passed
      : version(request.version() ? request.version() : 11), keep_alive(request.keep_alive()) {}
  unsigned version;
  bool keep_alive;
};

// A JSON answer that keeps the request's HTTP version and keep-alive.
Response json_response(ReplyTo reply_to, boost::beast::http::status status,
                       const boost::json::value& body);
// {"error": message}: what went wrong and what to do about it.
Response error_response(ReplyTo reply_to, boost::beast::http::status status,
                        std::string_view message);

// 429 Too Many Requests with Retry-After (whole seconds) and {"error": message}.
Response too_many_requests(ReplyTo reply_to, std::chrono::seconds retry_after,
                           std::string_view message);

// The connection's peer address, as HttpServer set it (peer_address_field);
// empty for a request that did not come through HttpServer.
std::string_view peer_address(const Request& request);
// Every X-Forwarded-For value of the request, in order, joined by commas.
std::string forwarded_for(const Request& request);

// The token of an `Authorization: Bearer <token>` header.
std::optional<std::string_view> bearer_token(const Request& request);

// The path of a request target, without its query.
std::string_view target_path(std::string_view target);
// One query parameter, percent-decoded; nullopt when absent or badly encoded.
std::optional<std::string> query_parameter(std::string_view target, std::string_view name);

// CORS headers that let a page from any origin call the API (as the seed's cors()).
void allow_any_origin(Response& response);

}  // namespace chat::web
