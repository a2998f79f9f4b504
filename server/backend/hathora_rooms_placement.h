// Placement the seed's way (--placement hathora-rooms): Hathora Cloud's
// rooms API is the room directory, and Hathora packs rooms into processes
// (its deployment's roomsPerProcess), each process one session server.
//
// The backend keeps no state at all: a new room is created on Hathora under
// an id of ours and handed out once Hathora gives its connection info; a
// look-up asks Hathora where the room is. So any number of backends answer
// alike behind a load balancer, and a restart forgets nothing. What this
// mode gives up against our scheduler: the choice of server (Hathora's),
// reservations, polls, failover probes, drains and the cap on a user's
// unjoined rooms (each needs a table of rooms; rate limits still apply).
#pragma once

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <string_view>
#include <variant>

#include "metrics/metrics.h"
#include "scheduler/fleets/hathora_rooms.h"
#include "server/backend/placement.h"

namespace chat {

struct HathoraRoomsOptions {
  sched::hathora::RoomsApiOptions api;
  // How often a new room's connection info is asked for (the seed's 250 ms).
  std::chrono::milliseconds poll_interval{250};
  // How long POST /api/rooms waits for Hathora to start the room (a new
  // process may have to start); past it, 503 and the room is destroyed.
  std::chrono::milliseconds create_wait_max{30000};
  // How long a look-up may spend on Hathora's answer, retries included.
  std::chrono::milliseconds lookup_wait_max{5000};
};

class HathoraRoomsPlacement : public RoomPlacement {
 public:
  HathoraRoomsPlacement(boost::asio::io_context& io, HathoraRoomsOptions options,
                        metrics::Metrics& metrics);

  // Hathora's rooms are not capped per creator here: that would need state.
  void create_room(const std::string& creator, int unjoined_rooms_max,
                   std::function<void(CreateRoomResult)> done) override;
  void find_room(const std::string& room_id, std::function<void(FindRoomResult)> done) override;
  // What this backend places with (no servers: Hathora knows them).
  void describe(std::function<void(boost::json::value)> done) override;

 private:
  using Clock = std::chrono::steady_clock;
  using CreateDone = std::function<void(CreateRoomResult)>;
  // Asks for the new room's connection info until it is active or the deadline.
  void await_active(const std::string& room_id, Clock::time_point started,
                    Clock::time_point deadline, CreateDone done);
  void observe_call(std::string_view call, sched::hathora::Outcome outcome,
                    std::chrono::duration<double> took);
  // Logs a failed call for operators, once each time the kind of failure changes,
  // so a misconfiguration under load writes one line, not one a request.
  void log_failure(std::string_view doing, const sched::hathora::CallAnswer& answer);

  boost::asio::io_context& io_;
  const HathoraRoomsOptions options_;
  prometheus::Family<prometheus::Counter>& calls_;
  prometheus::Family<prometheus::Histogram>& call_seconds_;
  prometheus::Histogram& create_seconds_;
  std::atomic<int> last_logged_outcome_{-1};
  sched::hathora::RoomsApi api_;  // last: its calls report to the metrics above
};

// What a person is told when a Hathora call `doing` (e.g. "create the room")
// failed: 503 with Retry-After while it may pass (5xx, 429, no answer), 502
// when an operator must act (credentials, application, region).
std::variant<NoServerNow, PlacementFailed> hathora_failure(
    std::string_view doing, const sched::hathora::CallAnswer& answer);

}  // namespace chat
