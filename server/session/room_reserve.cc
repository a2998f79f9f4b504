#include "server/session/room_reserve.h"

#include <boost/beast/http/field.hpp>
#include <boost/json/parse.hpp>
#include <chrono>
#include <variant>

#include "server/common/http_util.h"
#include "network/percent_encoding.h"

namespace chat {

namespace http = boost::beast::http;

namespace {

// As the backend makes them (1 to 64 letters, digits, '-', '_'): a room id
// is also a Redis key and a log line, so nothing else is taken.
bool plausible_room_id(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  for (char c : id) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '_';
    if (!ok) return false;
  }
  return true;
}

// The body's "ttlSeconds" (1 to 86400), the configured time when there is
// no body, or the reason the body is refused.
std::variant<std::chrono::seconds, std::string> reservation_ttl(const web::Request& request,
                                                                std::chrono::seconds fallback) {
  if (request.body().empty()) return fallback;
  boost::system::error_code ec;
  auto body = boost::json::parse(request.body(), ec);
  if (ec || !body.is_object()) return std::string("the body must be a JSON object");
  const auto* ttl = body.as_object().if_contains("ttlSeconds");
  if (ttl == nullptr) return fallback;
  if (!ttl->is_int64() || ttl->as_int64() < 1 || ttl->as_int64() > 86400) {
    return std::string("\"ttlSeconds\" must be a whole number from 1 to 86400");
  }
  return std::chrono::seconds(ttl->as_int64());
}

}  // namespace

std::optional<std::string> reserve_target(std::string_view path) {
  constexpr std::string_view prefix = "/rooms/";
  constexpr std::string_view suffix = "/reserve";
  if (!path.starts_with(prefix) || !path.ends_with(suffix)) return std::nullopt;
  if (path.size() < prefix.size() + suffix.size()) return std::nullopt;
  auto id = path.substr(prefix.size(), path.size() - prefix.size() - suffix.size());
  if (id.find('/') != std::string_view::npos) return std::nullopt;
  auto decoded = network::percent_decode(id);
  return decoded ? decoded : std::string();  // "" is refused below as a bad id
}

web::Response reserve_response(SessionHub& hub, const web::Request& request,
                               const std::string& room_id) {
  if (!plausible_room_id(room_id)) {
    return web::error_response(request, http::status::bad_request,
                               "Not a room id: room ids are 1 to 64 letters, digits, '-' or '_'");
  }
  auto ttl = reservation_ttl(request, hub.config().reservation_ttl);
  if (auto* error = std::get_if<std::string>(&ttl)) {
    return web::error_response(request, http::status::bad_request,
                               *error + ", like {\"ttlSeconds\": 60}, or no body");
  }
  const auto now = std::chrono::steady_clock::now();
  using Reservation = RoomRegistry::Reservation;
  Reservation result = hub.draining() ? Reservation::draining
                                      : hub.rooms().reserve(room_id, now, now + std::get<0>(ttl));
  switch (result) {
    case Reservation::reserved:
    case Reservation::held:
      return web::json_response(request, http::status::ok,
                                {{"roomId", room_id}, {"reserved", true}});
    case Reservation::full:
      return web::json_response(
          request, http::status::conflict,
          {{"error", "Server is full: its " + std::to_string(hub.config().rooms_max) +
                         " room slots are held by rooms or reservations; place the room on "
                         "another server"},
           {"reason", "full"}});
    case Reservation::draining:
      break;
  }
  return web::json_response(
      request, http::status::conflict,
      {{"error", "Server is draining: it takes no new rooms; place the room on another server"},
       {"reason", "draining"}});
}

}  // namespace chat
