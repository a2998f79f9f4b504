// The `local` fleet: session-server processes on this machine, started on
// free loopback ports when the scheduler needs a server and stopped when it
// drains an idle one. Autoscaling made real on one machine.
//
// A child is ready when its /healthz answers. Children get SIGTERM when the
// backend stops, and die with it if it is killed (PR_SET_PDEATHSIG).
#pragma once

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "network/http_client.h"
#include "scheduler/fleets/managed_fleet.h"

namespace sched {

struct LocalFleetOptions {
  std::string session_binary;  // path to the session server
  std::string address = "127.0.0.1";
  std::vector<std::string> session_args;  // passed through (limits, threads)
  std::chrono::milliseconds start_timeout{15000};
  std::string log_dir;  // children's output; empty: inherit the backend's
  // Given to each child in its environment (not its arguments, which any
  // local user can read): JWT_SECRET, and ADMIN_TOKEN when set.
  std::string jwt_secret;
  std::string admin_token;
};

class LocalFleet : public ManagedFleet {
 public:
  LocalFleet(boost::asio::io_context& io, LocalFleetOptions options);
  ~LocalFleet() override;

  std::optional<ServerId> start_server() override;
  void stop_server(const ServerId& id) override;
  void set_callbacks(Ready ready, Failed failed) override;
  std::string name() const override { return "local"; }
  void stop_all() override;

 private:
  struct Child {
    int pid = 0;
    std::string host;
    std::string admin_host;
    std::chrono::steady_clock::time_point started;
    bool ready = false;  // answered /healthz: a later exit is a crash, not a failed start
  };

  void probe(const ServerId& id);
  void stop_child(const ServerId& id);  // SIGTERM, reaped later
  void schedule_reap();
  int spawn(unsigned short port, unsigned short admin_port);

  boost::asio::io_context& io_;
  const LocalFleetOptions options_;
  network::HttpClient client_;
  boost::asio::steady_timer reap_timer_;
  std::mutex mutex_;
  std::map<ServerId, Child> children_;
  std::vector<int> stopping_;  // pids sent SIGTERM, not yet reaped
  std::atomic<std::uint64_t> started_count_{0};
  Ready ready_;
  Failed failed_;
};

}  // namespace sched
