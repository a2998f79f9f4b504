// The `local` fleet: session-server processes on this machine, started on
// free loopback ports when the scheduler needs a server and stopped when it
// drains an idle one. Autoscaling made real on one machine.
//
// A child is ready when its /healthz answers. Children outlive the backend:
// each runs in a session of its own (a Ctrl-C meant for the backend does not
// reach it) and is not tied to the backend's life, so that a backend that
// restarts adopts them (from `state_file`, or from the shared fleet members
// with --redis) and their rooms keep working. stop_all() stops them, which
// the backend does on exit only when asked (--stop-fleet-on-exit).
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
  // local user can read): JWT_SECRET or JWT_KEYS_FILE (the path: each
  // child reads it, and again on SIGHUP), and ADMIN_TOKEN when set.
  std::string jwt_secret;
  std::string jwt_keys_file;
  std::string admin_token;
  // Where the running servers are recorded (local_fleet_state.h); empty: nowhere.
  std::string state_file;
};

class LocalFleet : public ManagedFleet {
 public:
  LocalFleet(boost::asio::io_context& io, LocalFleetOptions options);
  ~LocalFleet() override;

  ServerId next_server_id() override;
  bool start_server(const ServerId& id) override;
  void stop_server(const ServerId& id) override;
  void set_callbacks(Ready ready, Failed failed) override;
  FleetCapabilities capabilities() const override {
    FleetCapabilities capabilities;
    capabilities.can_start = true;
    capabilities.can_stop = true;
    capabilities.members_shared = true;
    // Its processes run on this machine: a server that cannot be adopted has exited.
    capabilities.failed_adoption_means_exited = true;
    return capabilities;
  }
  std::string name() const override { return "local"; }
  void stop_all() override;
  void leave_running() override;
  // The servers adopted from the state file at construction.
  std::vector<RunningServer> running_servers() const override;
  // Takes a running session server in (one this backend did not start: a
  // previous run's, another replica's): stopped and watched as its own.
  // False when no such process runs.
  bool adopt(const RunningServer& server) override;

 private:
  struct Child {
    int pid = 0;
    std::string host;
    std::string admin_host;
    std::chrono::steady_clock::time_point started;
    bool ready = false;    // answered /healthz: a later exit is a crash, not a failed start
    bool adopted = false;  // not our child: watched with kill(pid, 0), not waitpid
  };

  void probe(const ServerId& id);
  void stop_child(const ServerId& id);  // SIGTERM, reaped later
  void schedule_reap();
  int spawn(unsigned short port, unsigned short admin_port);
  bool adopt_locked(const RunningServer& server);
  // Writes the state file from children_ (under the lock).
  void record_locked();
  bool exited_locked(const Child& child, int& status);

  boost::asio::io_context& io_;
  const LocalFleetOptions options_;
  network::HttpClient client_;
  boost::asio::steady_timer reap_timer_;
  std::mutex mutex_;
  std::map<ServerId, Child> children_;
  std::vector<int> stopping_;  // pids sent SIGTERM, not yet reaped
  bool left_running_ = false;  // leave_running() was called: touch nothing any more
  std::atomic<std::uint64_t> started_count_{0};
  Ready ready_;
  Failed failed_;
};

}  // namespace sched
