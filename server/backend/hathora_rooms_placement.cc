#include "server/backend/hathora_rooms_placement.h"

#include <boost/asio/steady_timer.hpp>
#include <iostream>

#include "logging/log.h"
#include "metrics/families.h"
#include "server/backend/room_id.h"

namespace chat {

namespace net = boost::asio;
using sched::hathora::CallAnswer;
using sched::hathora::ConnectionInfo;
using sched::hathora::Outcome;

namespace {

std::chrono::seconds at_least(std::chrono::seconds asked, std::chrono::seconds floor) {
  return std::max(asked, floor);
}

template <typename Result>
Result widen(std::variant<NoServerNow, PlacementFailed> failure) {
  return std::visit([](auto&& answer) -> Result { return std::move(answer); }, std::move(failure));
}

}  // namespace

std::variant<NoServerNow, PlacementFailed> hathora_failure(std::string_view doing,
                                                           const CallAnswer& answer) {
  const std::string what = std::string(doing) + " (" + answer.detail + ")";
  auto again_in = [](std::chrono::seconds wait) {
    return "; try again in " + std::to_string(wait.count()) + " s";
  };
  switch (answer.outcome) {
    case Outcome::rate_limited: {
      auto wait = at_least(answer.retry_after, std::chrono::seconds(1));
      return NoServerNow{
          "Hathora is limiting this backend's calls and could not " + what + again_in(wait), wait};
    }
    case Outcome::server_error: {
      auto wait = at_least(answer.retry_after, std::chrono::seconds(2));
      return NoServerNow{"Hathora failed to " + what + again_in(wait), wait};
    }
    case Outcome::unreachable:
      return NoServerNow{
          "Hathora's API did not answer when asked to " + what + again_in(std::chrono::seconds(2)),
          std::chrono::seconds(2)};
    case Outcome::unauthorized:
      return PlacementFailed{"Hathora refused this backend's credentials when asked to " + what +
                             ": rooms cannot be created or found until an operator fixes "
                             "HATHORA_TOKEN or HATHORA_APP_ID; try again later"};
    case Outcome::not_found:
    case Outcome::refused:
      return PlacementFailed{"Hathora refused to " + what +
                             ": an operator must check the Hathora application, its deployment "
                             "and --hathora-region; try again later"};
    case Outcome::ok:
      break;
  }
  return NoServerNow{"Hathora could not " + what + again_in(std::chrono::seconds(1)),
                     std::chrono::seconds(1)};
}

HathoraRoomsPlacement::HathoraRoomsPlacement(net::io_context& io, HathoraRoomsOptions options,
                                             metrics::Metrics& metrics)
    : io_(io),
      options_(std::move(options)),
      calls_(metrics::counter_family(
          metrics.registry(), "chat_backend_hathora_calls_total",
          "Calls of Hathora's rooms API, retries included, by call (create, "
          "connection_info, destroy) and result (ok, not_found, rate_limited, "
          "unauthorized, refused, server_error, unreachable).")),
      call_seconds_(
          metrics::histogram_family(metrics.registry(), "chat_backend_hathora_call_seconds",
                                    "Time Hathora's rooms API took to answer one call, by call.")),
      create_seconds_(
          metrics::histogram_family(metrics.registry(), "chat_backend_hathora_room_start_seconds",
                                    "Time from POST /api/rooms to the new room's connection info: "
                                    "Hathora's create, and a process start when no process had a "
                                    "free room slot.")
              .Add({}, prometheus::Histogram::BucketBoundaries{0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10,
                                                               20, 30, 60})),
      api_(io.get_executor(), options_.api,
           [this](std::string_view call, Outcome outcome, std::chrono::duration<double> took) {
             observe_call(call, outcome, took);
           }) {}

void HathoraRoomsPlacement::observe_call(std::string_view call, Outcome outcome,
                                         std::chrono::duration<double> took) {
  calls_.Add({{"call", std::string(call)}, {"result", std::string(outcome_name(outcome))}})
      .Increment();
  call_seconds_.Add({{"call", std::string(call)}}, metrics::latency_buckets())
      .Observe(took.count());
}

void HathoraRoomsPlacement::log_failure(std::string_view doing, const CallAnswer& answer) {
  int outcome = static_cast<int>(answer.outcome);
  if (last_logged_outcome_.exchange(outcome) == outcome) return;
  logging::warning("Hathora: could not " + std::string(doing) + ": " + answer.detail + " (" +
                   std::string(outcome_name(answer.outcome)) +
                   "; logged again when the kind of failure changes)");
}

void HathoraRoomsPlacement::create_room(const std::string&, int, CreateDone done) {
  const auto started = Clock::now();
  const auto deadline = started + options_.create_wait_max;
  api_.create(sched::hathora::new_room_id(), deadline,
              [this, started, deadline, done = std::move(done)](CallAnswer answer,
                                                                std::string room_id) mutable {
                if (answer.outcome == Outcome::ok && !plausible_room_id(room_id)) {
                  // Clients could never look it up: as good as no room.
                  answer = {Outcome::server_error, "a room id that is not one: " + room_id, {}};
                }
                if (answer.outcome != Outcome::ok) {
                  log_failure("create a room", answer);
                  return done(widen<CreateRoomResult>(hathora_failure("create the room", answer)));
                }
                await_active(room_id, started, deadline, std::move(done));
              });
}

void HathoraRoomsPlacement::await_active(const std::string& room_id, Clock::time_point started,
                                         Clock::time_point deadline, CreateDone done) {
  api_.connection_info(
      room_id, deadline,
      [this, room_id, started, deadline, done = std::move(done)](CallAnswer answer,
                                                                 ConnectionInfo info) mutable {
        if (answer.outcome == Outcome::ok && info.active) {
          create_seconds_.Observe(std::chrono::duration<double>(Clock::now() - started).count());
          return done(RoomCreated{room_id});
        }
        if (answer.outcome == Outcome::not_found || (answer.outcome == Outcome::ok && info.gone)) {
          return done(
              NoServerNow{"Hathora dropped the new room before its session server started; "
                          "try again in 1 s",
                          std::chrono::seconds(1)});
        }
        if (answer.outcome != Outcome::ok) {
          // Nobody will ever learn this room's id: do not leave it holding a slot.
          api_.destroy(room_id);
          log_failure("get a new room's connection info", answer);
          return done(widen<CreateRoomResult>(hathora_failure("start the room", answer)));
        }
        if (Clock::now() + options_.poll_interval >= deadline) {
          api_.destroy(room_id);
          auto waited = std::chrono::duration_cast<std::chrono::seconds>(options_.create_wait_max);
          return done(NoServerNow{"Hathora did not start a session server for the room within " +
                                      std::to_string(waited.count()) + " s; try again in 5 s",
                                  std::chrono::seconds(5)});
        }
        // Still starting (a new process): ask again, as the seed does.
        auto timer = std::make_shared<net::steady_timer>(io_, options_.poll_interval);
        timer->async_wait([this, timer, room_id, started, deadline,
                           done = std::move(done)](boost::system::error_code ec) mutable {
          if (ec)
            return done(
                NoServerNow{"The backend is shutting down; try again", std::chrono::seconds(1)});
          await_active(room_id, started, deadline, std::move(done));
        });
      });
}

void HathoraRoomsPlacement::find_room(const std::string& room_id,
                                      std::function<void(FindRoomResult)> done) {
  const auto deadline = Clock::now() + options_.lookup_wait_max;
  api_.connection_info(
      room_id, deadline, [this, done = std::move(done)](CallAnswer answer, ConnectionInfo info) {
        if (answer.outcome == Outcome::not_found) return done(RoomUnknown{});
        if (answer.outcome != Outcome::ok) {
          log_failure("find a room", answer);
          return done(widen<FindRoomResult>(hathora_failure("find the room", answer)));
        }
        if (info.active) return done(RoomAt{info.host});
        if (info.gone) return done(RoomUnknown{});
        // Its process is starting (a new one, or Hathora moving the room after a crash).
        done(NoServerNow{"The room's session server is starting on Hathora; try again in 1 s",
                         std::chrono::seconds(1)});
      });
}

void HathoraRoomsPlacement::describe(std::function<void(boost::json::value)> done) {
  const auto& api = options_.api;
  // No servers listed: Hathora runs them, and this backend does not track them.
  done(boost::json::object{{"placement", "hathora-rooms"},
                           {"fleet", "hathora"},
                           {"appId", api.app_id},
                           {"region", api.region},
                           {"apiUrl", api.api_url},
                           {"servers", boost::json::array{}}});
}

}  // namespace chat
