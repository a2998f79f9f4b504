// The calls of Hathora Cloud's rooms API that a backend makes when Hathora
// is its room directory (the backend's --placement hathora-rooms, as the
// seed's HathoraScheduler): create a room, ask where it is, destroy it.
// Hathora itself packs rooms into processes (the deployment's
// roomsPerProcess), so no call here names a process.
//
// Every call is bounded by a deadline its caller gives (a person is
// waiting), retried within it where a retry can help: 429 after the
// Retry-After Hathora asks for, 5xx and lost answers with backoff. A create
// whose answer is lost is looked up before it is tried again, so one
// request never makes (nor pays for) two rooms.
//
// API (api.hathora.dev, Authorization: Bearer HATHORA_TOKEN):
//   POST /rooms/v2/{appId}/create?roomId=... {"region": ...}  -> 201 {"roomId": ...}
//   GET  /rooms/v2/{appId}/connectioninfo/{roomId}  -> 200 {"status", "exposedPort"}, 404
//   POST /rooms/v2/{appId}/destroy/{roomId}
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <chrono>
#include <functional>
#include <string>
#include <string_view>

#include "network/http_client.h"
#include "scheduler/fleets/hathora_api.h"

namespace sched::hathora {

struct RoomsApiOptions {
  std::string app_id;
  std::string token;
  std::string region = "Washington_DC";
  std::string api_url = "https://api.hathora.dev";
  std::chrono::milliseconds call_timeout{10000};  // one HTTP call, within the deadline
  int retries_max = 3;                            // per call, within the deadline
};

// How a call ended, after its retries.
struct CallAnswer {
  Outcome outcome = Outcome::unreachable;
  std::string detail;  // describe_answer() of the last answer, for logs and errors
  // What Hathora asked for in Retry-After (whole seconds), 0 when it did not.
  std::chrono::seconds retry_after{0};
};

class RoomsApi {
 public:
  using Clock = std::chrono::steady_clock;
  // Told of every HTTP call (each retry too): "create", "connection_info" or
  // "destroy", how it ended, and how long it took. From any thread.
  using Observer =
      std::function<void(std::string_view call, Outcome outcome, std::chrono::duration<double>)>;

  RoomsApi(boost::asio::any_io_executor executor, RoomsApiOptions options, Observer observer = {});

  const RoomsApiOptions& options() const { return options_; }

  // Creates room `room_id` (an id of ours, see new_room_id()) in the region;
  // `created` is the id Hathora holds it under (ours, unless its answer
  // names another).
  using Created = std::function<void(CallAnswer, std::string created)>;
  void create(const std::string& room_id, Clock::time_point deadline, Created done);
  // Where room `room_id` is: `info` is meaningful when the outcome is ok.
  void connection_info(const std::string& room_id, Clock::time_point deadline,
                       std::function<void(CallAnswer, ConnectionInfo info)> done);
  // Best effort, retried in the background; a failure is logged.
  void destroy(const std::string& room_id);

 private:
  using Done = std::function<void(const network::HttpResponse&)>;
  network::HttpRequest request(std::string method, std::string path,
                               Clock::time_point deadline) const;
  // One HTTP call, timed and reported to the observer.
  void fetch(std::string_view call, network::HttpRequest request, Done done);
  // An idempotent call, retried on 429, 5xx and lost answers while the
  // deadline allows.
  void fetch_retried(std::string_view call, std::string method, std::string path,
                     Clock::time_point deadline, int attempt, Done done);
  void try_create(const std::string& room_id, Clock::time_point deadline, int attempt,
                  Created done);
  // After a create whose answer was lost: did it go through?
  void confirm_created(const std::string& room_id, Clock::time_point deadline, int attempt,
                       CallAnswer lost, Created done);
  // Runs `then` after `delay`, unless that would pass `deadline` or the
  // retries are spent: then false, and nothing runs.
  bool retry_within(Clock::time_point deadline, int attempt, std::chrono::milliseconds delay,
                    std::function<void()> then);

  boost::asio::any_io_executor executor_;
  const RoomsApiOptions options_;
  Observer observer_;
  network::HttpClient client_;
};

// The CallAnswer an HTTP answer makes.
CallAnswer answer_of(const network::HttpResponse& response);

}  // namespace sched::hathora
