// Room placement by the scheduler library: policies, reconciliation with
// what the session servers report, and an autoscaled fleet.
//
// Every call into sched::Scheduler runs on one strand (the library is
// single-threaded by design). Every tick the autoscaler acts and every
// server's GET /status is polled (StatusPoller), so the room table follows
// reality. Look-ups of rooms on a starting server wait in RoomWaiters.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <chrono>
#include <map>
#include <memory>
#include <unordered_map>
#include <vector>

#include "metrics/metrics.h"
#include "scheduler/fleets/managed_fleet.h"
#include "scheduler/scheduler.h"
#include "server/backend/placement.h"
#include "server/backend/room_waiters.h"
#include "server/backend/scheduler_exporter.h"
#include "server/backend/status_poller.h"

namespace chat {

struct PlacementOptions {
  // How often the autoscaler acts and every session server is polled.
  std::chrono::milliseconds tick_interval{1000};
  StatusPollerOptions status;
  // How long a request may wait for a starting server before 503.
  std::chrono::milliseconds start_wait_max{20000};
  // Runs the scheduler's full invariant scan (O(rooms + servers)) after every
  // change and logs what it finds: for debugging, not for production load.
  bool check_invariants = false;
};

class SchedulerPlacement : public RoomPlacement {
 public:
  SchedulerPlacement(boost::asio::io_context& io, sched::SchedulerConfig config,
                     sched::ManagedFleet& fleet, metrics::Metrics& metrics,
                     PlacementOptions options);
  ~SchedulerPlacement() override;

  void start();
  void stop();

  void create_room(const std::string& creator, int unjoined_rooms_max,
                   std::function<void(CreateRoomResult)> done) override;
  void find_room(const std::string& room_id, std::function<void(FindRoomResult)> done) override;
  // The fleet as the scheduler sees it, for GET /api/fleet.
  void describe(std::function<void(boost::json::value)> done) override;

 private:
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
  // The room's answer now; nullopt while its server is starting.
  std::optional<FindRoomResult> settle(const std::string& room_id);
  void find_or_wait(const std::string& room_id, std::chrono::steady_clock::time_point deadline,
                    std::function<void(FindRoomResult)> done);
  // After anything that changed the scheduler's view: metrics, waiters, checks.
  void changed(const char* by);
  void on_server_ready(const sched::RunningServer& server);
  // Where a server's /status and /metrics are: its admin listener when the
  // fleet knows it, else its public host (answering there to the admin token).
  std::string operators_host(const sched::ServerView& server) const;
  void on_poll(const sched::ServerId& id, const PollResult& result);
  void schedule_tick();
  // The rooms `creator` created that are still placed and never joined
  // (forgetting the others), and how long until the oldest is freed.
  struct Unjoined {
    int count = 0;
    std::chrono::seconds oldest_freed_in{1};
  };
  Unjoined unjoined_rooms(const std::string& creator);
  // Forgets joined and freed rooms of every creator (each tick), so the map
  // holds no more than the table's placed rooms.
  void forget_joined_rooms();

  boost::asio::io_context& io_;
  boost::asio::strand<boost::asio::io_context::executor_type> strand_;
  TimedProvider provider_;  // before scheduler_, which holds a reference to it
  sched::Scheduler scheduler_;
  sched::ManagedFleet& fleet_;
  const PlacementOptions options_;
  SchedulerExporter exporter_;
  StatusPoller poller_;
  RoomWaiters waiters_;
  boost::asio::steady_timer tick_timer_;
  std::map<sched::ServerId, std::string> admin_hosts_;
  // Rooms by creator while they may still be unjoined (state placed), for
  // the cap on a user's unjoined rooms. A room once joined leaves for good.
  std::unordered_map<std::string, std::vector<sched::RoomId>> unjoined_by_creator_;
  bool stopped_ = false;
};

}  // namespace chat
