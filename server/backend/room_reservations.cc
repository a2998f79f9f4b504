#include "server/backend/room_reservations.h"

#include <boost/asio/bind_executor.hpp>
#include <boost/json/parse.hpp>

namespace chat {

namespace {

ReserveOutcome interpret(const network::HttpResponse& response) {
  if (!response.answered()) return ReservationFailed{response.error};
  if (response.status == 200) return Reserved{};
  if (response.status == 404 || response.status == 405) return NoReservations{};
  if (response.status == 409) {
    boost::system::error_code ec;
    auto body = boost::json::parse(response.body, ec);
    const auto* object = ec ? nullptr : body.if_object();
    const auto* reason = object ? object->if_contains("reason") : nullptr;
    return ReservationRefused{reason && reason->is_string() ? std::string(reason->as_string())
                                                            : "refused"};
  }
  return ReservationFailed{"POST /rooms/:roomId/reserve answered HTTP " +
                           std::to_string(response.status)};
}

}  // namespace

RoomReservations::RoomReservations(boost::asio::any_io_executor executor,
                                   RoomReservationsOptions options)
    : executor_(executor),
      options_(std::move(options)),
      // A few connections a server: reservations come in bursts of creations.
      client_(executor, network::HttpClientOptions{.connections_per_origin_max = 4,
                                                   .user_agent = "scalable-chat-backend"}) {}

void RoomReservations::reserve(const std::string& operators_host, const std::string& room_id,
                               std::chrono::seconds ttl, std::function<void(ReserveOutcome)> done) {
  network::HttpRequest request;
  request.method = "POST";
  request.url = options_.scheme + "://" + operators_host + "/rooms/" + room_id + "/reserve";
  request.timeout = options_.timeout;
  request.bearer = options_.admin_token;
  request.body = "{\"ttlSeconds\":" + std::to_string(ttl.count()) + "}";
  client_.async_fetch(std::move(request),
                      boost::asio::bind_executor(
                          executor_, [done = std::move(done)](network::HttpResponse response) {
                            done(interpret(response));
                          }));
}

}  // namespace chat
