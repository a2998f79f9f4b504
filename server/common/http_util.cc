#include "server/common/http_util.h"

#include <boost/beast/http/field.hpp>
#include <boost/json/serialize.hpp>
#include <charconv>
#include "network/percent_encoding.h"

namespace chat::web {

namespace http = boost::beast::http;

Response json_response(ReplyTo reply_to, http::status status, const boost::json::value& body) {
  Response response{status, reply_to.version};
  response.set(http::field::content_type, "application/json");
  response.set(http::field::cache_control, "no-store");
  response.keep_alive(reply_to.keep_alive);
  response.body() = boost::json::serialize(body);
  return response;
}

namespace {

// Length of the well-formed UTF-8 sequence at the start of `text`, or 0
// (RFC 3629: no overlong forms, no surrogates, nothing past U+10FFFF).
std::size_t utf8_sequence_length(std::string_view text) {
  auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
  unsigned char lead = byte(0);
  if (lead < 0x80) return 1;
  std::size_t length = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : 2;
  if (lead < 0xC2 || lead > 0xF4 || text.size() < length) return 0;
  unsigned char low = lead == 0xE0 ? 0xA0 : lead == 0xF0 ? 0x90 : 0x80;
  unsigned char high = lead == 0xED ? 0x9F : lead == 0xF4 ? 0x8F : 0xBF;
  if (byte(1) < low || byte(1) > high) return 0;
  for (std::size_t i = 2; i < length; ++i) {
    if ((byte(i) & 0xC0) != 0x80) return 0;
  }
  return length;
}

// `text` with each byte that is not part of valid UTF-8 replaced by U+FFFD.
std::string valid_utf8(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  while (!text.empty()) {
    std::size_t length = utf8_sequence_length(text);
    out += length ? text.substr(0, length) : std::string_view("\xEF\xBF\xBD");
    text.remove_prefix(length ? length : 1);
  }
  return out;
}

}  // namespace

// Messages may quote what the client sent (a path): JSON must be UTF-8.
Response error_response(ReplyTo reply_to, http::status status, std::string_view message) {
  return json_response(reply_to, status, boost::json::object{{"error", valid_utf8(message)}});
}

std::optional<std::string_view> bearer_token(const Request& request) {
  auto it = request.find(http::field::authorization);
  if (it == request.end()) return std::nullopt;
  std::string_view value = it->value();
  constexpr std::string_view scheme = "Bearer ";
  if (value.size() <= scheme.size()) return std::nullopt;
  // The scheme is case-insensitive (RFC 7235).
  for (std::size_t i = 0; i < scheme.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(value[i])) !=
        std::tolower(static_cast<unsigned char>(scheme[i]))) {
      return std::nullopt;
    }
  }
  value.remove_prefix(scheme.size());
  while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  while (!value.empty() && value.back() == ' ') value.remove_suffix(1);
  if (value.empty()) return std::nullopt;
  return value;
}

std::string_view target_path(std::string_view target) { return target.substr(0, target.find('?')); }

std::optional<std::string> query_parameter(std::string_view target, std::string_view name) {
  auto question = target.find('?');
  if (question == std::string_view::npos) return std::nullopt;
  std::string_view query = target.substr(question + 1);
  while (!query.empty()) {
    auto amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    auto eq = pair.find('=');
    if (pair.substr(0, eq) == name) {
      if (eq == std::string_view::npos) return std::string();
      std::string value(pair.substr(eq + 1));
      for (char& c : value) {
        if (c == '+') c = ' ';  // form encoding in queries
      }
      return network::percent_decode(value);
    }
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  return std::nullopt;
}

Response too_many_requests(ReplyTo reply_to, std::chrono::seconds retry_after,
                           std::string_view message) {
  auto response = error_response(reply_to, http::status::too_many_requests, message);
  response.set(http::field::retry_after, std::to_string(retry_after.count()));
  return response;
}

std::string_view peer_address(const Request& request) {
  auto found = request.find(peer_address_field);
  if (found == request.end()) return {};
  return {found->value().data(), found->value().size()};
}

std::string forwarded_for(const Request& request) {
  std::string joined;
  for (auto [it, end] = request.equal_range("X-Forwarded-For"); it != end; ++it) {
    if (!joined.empty()) joined += ',';
    joined += it->value();
  }
  return joined;
}

void allow_any_origin(Response& response) {
  response.set(http::field::access_control_allow_origin, "*");
  response.set(http::field::access_control_allow_headers, "Authorization, Content-Type");
  response.set(http::field::access_control_allow_methods, "GET, POST, OPTIONS");
  response.set(http::field::access_control_max_age, "600");
  // A page may read when to retry a 429 or 503.
  response.set(http::field::access_control_expose_headers, "Retry-After");
}

}  // namespace chat::web
