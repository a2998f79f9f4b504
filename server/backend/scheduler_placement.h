// Room placement by the scheduler library: policies, reconciliation with
// what the session servers report, and an autoscaled fleet.
//
// Every call into sched::Scheduler runs on one strand (the library is
// single-threaded by design). Every tick (PlacementOptions) the autoscaler
// acts, and every server's GET /status is polled so the
// room table follows reality (the servers are the source of truth: polling
// needs nothing from them but the status endpoint they already serve, works
// for servers we did not start, and a server that stops answering is noticed
// without a heartbeat protocol).
#pragma once

#include "scheduler/scheduler.h"
#include "server/backend/fleet.h"
#include "server/backend/placement.h"
#include "server/common/http_client.h"
#include "metrics/metrics.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/json/value.hpp>

#include <chrono>
#include <memory>

namespace chat {

struct PlacementOptions {
  std::chrono::milliseconds tick_interval{1000};
  std::chrono::milliseconds poll_interval{1000};
  std::chrono::milliseconds poll_timeout{800};
  // How long a request may wait for a starting server before 503.
  std::chrono::milliseconds start_wait_max{20000};
  std::string status_scheme = "http";  // how session servers' /status is reached
};

class SchedulerPlacement : public RoomPlacement {
 public:
  // `fleet` is null for the static fleet: its hosts are registered up front.
  SchedulerPlacement(boost::asio::io_context& io, sched::SchedulerConfig config,
                     sched::FleetProvider& provider, ManagedFleet* fleet,
                     std::vector<std::string> static_hosts, metrics::Metrics& metrics,
                     PlacementOptions options);
  ~SchedulerPlacement() override;

  void start();
  void stop();

  void create_room(std::function<void(CreatedRoom)> done) override;
  void find_room(const std::string& room_id, std::function<void(RoomHost)> done) override;
  // The fleet as the scheduler sees it, for GET /api/fleet.
  void describe(std::function<void(boost::json::value)> done) override;

 private:
  struct Exported;
  // Wraps the fleet to time each server's start, for the start-latency histogram.
  class TimedProvider : public sched::FleetProvider {
   public:
    explicit TimedProvider(sched::FleetProvider& inner) : inner_(inner) {}
    std::optional<sched::ServerId> start_server() override;
    void stop_server(const sched::ServerId& id) override { inner_.stop_server(id); }
    std::map<sched::ServerId, std::chrono::steady_clock::time_point> started;

   private:
    sched::FleetProvider& inner_;
  };

  sched::Millis now() const;
  void wait_for_room(std::string room_id, std::chrono::steady_clock::time_point deadline,
                     std::function<void(std::optional<std::string> host, std::string error)> done);
  void schedule_tick();
  void poll_servers();
  void on_status(const sched::ServerId& id, const web::ClientResponse& response);
  void export_metrics();
  void check_invariants(const char* after);

  boost::asio::io_context& io_;
  boost::asio::strand<boost::asio::io_context::executor_type> strand_;
  TimedProvider provider_;  // before scheduler_, which holds a reference to it
  sched::Scheduler scheduler_;
  ManagedFleet* fleet_;
  const PlacementOptions options_;
  web::HttpClient client_;
  boost::asio::steady_timer tick_timer_;
  std::unique_ptr<Exported> exported_;
  bool stopped_ = false;
};

}  // namespace chat
