// The `hathora` fleet, as the seed's HathoraScheduler: each session server is
// a Hathora Cloud room (one process), created in a region through the REST
// API, then polled for its connection info until it has an exposed port.
// 429 answers are retried with exponential backoff; every wait is bounded.
// Each room is created under an id of ours (?roomId=), so a create whose
// answer is lost (a timeout, a reset, a 5xx) is looked up before it is tried
// again: a room that was created is never created twice, nor paid for twice.
//
// API (api.hathora.dev, Authorization: Bearer HATHORA_TOKEN):
//   POST /rooms/v2/{appId}/create?roomId=... {"region": ...}  -> {"roomId": ...}
//   GET  /rooms/v2/{appId}/connectioninfo/{roomId}    -> {"status": "starting"|"active",
//                                                         "exposedPort": {"host","port"}}
//   POST /rooms/v2/{appId}/destroy/{roomId}
#pragma once

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <map>
#include <mutex>

#include "network/http_client.h"
#include "scheduler/fleets/managed_fleet.h"

namespace sched {

struct HathoraOptions {
  std::string app_id;
  std::string token;
  std::string region = "Washington_DC";
  std::string api_url = "https://api.hathora.dev";
  std::chrono::milliseconds poll_interval{250};  // the seed's
  std::chrono::milliseconds start_timeout{60000};
  int retries_max = 6;  // for 429 and transport errors, per call
};

class HathoraFleet : public ManagedFleet {
 public:
  HathoraFleet(boost::asio::io_context& io, HathoraOptions options);

  ServerId next_server_id() override;
  bool start_server(const ServerId& id) override;
  void stop_server(const ServerId& id) override;
  void set_callbacks(Ready ready, Failed failed) override;
  FleetCapabilities capabilities() const override {
    FleetCapabilities capabilities;
    capabilities.can_start = true;
    capabilities.can_stop = true;
    capabilities.members_shared = true;
    return capabilities;
  }
  std::string name() const override { return "hathora"; }

 private:
  struct Instance {
    // Chosen by us and given to Hathora's create, so that a create whose
    // answer was lost can be looked up instead of made twice (and paid twice).
    std::string hathora_room_id;
    bool created = false;  // Hathora said so (the create's answer, or a look-up)
    bool stop_requested = false;
    std::chrono::steady_clock::time_point started;
  };
  using Done = std::function<void(const network::HttpResponse&)>;

  // One idempotent API call (a look-up, a destroy), retried on 429
  // (honouring Retry-After), 5xx and transport errors.
  void call(std::string method, std::string path, std::string body, int attempt, Done done);
  // The create, retried on 429 only; when its answer is lost (a timeout, a
  // reset, a 5xx) confirm() asks whether the room exists before trying again.
  void create(const ServerId& id, int attempt);
  void confirm(const ServerId& id, int attempt);
  void created(const ServerId& id);
  std::string room_of(const ServerId& id);  // empty once stopped
  void poll(const ServerId& id);
  void destroy(const std::string& hathora_room_id);
  void fail(const ServerId& id, const std::string& why);

  boost::asio::io_context& io_;
  const HathoraOptions options_;
  network::HttpClient client_;
  std::mutex mutex_;
  std::map<ServerId, Instance> instances_;
  std::uint64_t next_id_ = 1;
  Ready ready_;
  Failed failed_;
};

}  // namespace sched
