// Asks a session server to hold a slot for a room before the backend hands
// the room out (POST /rooms/:roomId/reserve, docs/PROTOCOL.md): the server
// admits or refuses atomically against its own limit, so backends placing
// at the same moment can never overfill it.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <chrono>
#include <functional>
#include <string>
#include <variant>

#include "control/events.h"
#include "network/http_client.h"

namespace chat {

// Reserved; ReservationRefused (409: full with other backends' rooms and
// reservations, or draining); NoReservations (404 or 405: a server without
// the endpoint, the seed's own or one reached at its public port: placement
// goes on as before reservations existed); ReservationFailed.
using core::NoReservations;
using core::ReservationFailed;
using core::ReservationRefused;
using core::Reserved;
using core::ReserveOutcome;

struct RoomReservationsOptions {
  std::string scheme = "http";
  std::string admin_token;
  std::chrono::milliseconds timeout{1000};
};

class RoomReservations {
 public:
  RoomReservations(boost::asio::any_io_executor executor, RoomReservationsOptions options);

  // `done` runs on `executor`. `ttl`: how long the slot is held if nobody joins.
  void reserve(const std::string& operators_host, const std::string& room_id,
               std::chrono::seconds ttl, std::function<void(ReserveOutcome)> done);

 private:
  boost::asio::any_io_executor executor_;
  const RoomReservationsOptions options_;
  network::HttpClient client_;
};

}  // namespace chat
