// Checks a session server at once when a client says it could not reach it
// (GET /api/rooms/:roomId?unreachable=<host>), instead of waiting for the
// status poller to miss it several times. Clients of one server all lose it
// together and all ask, and any client may ask at will, so probes are
// bounded: at most one in flight a server (later askers wait for its
// result), and a new one no sooner than `interval_min` after the last began
// (askers then get the scheduler's view as it stands).
// Used on the scheduler's strand only.
#pragma once

#include <prometheus/counter.h>
#include <prometheus/registry.h>

#include <boost/asio/any_io_executor.hpp>
#include <chrono>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "server/backend/status_poller.h"

namespace chat {

struct FailoverProbeOptions {
  // Short: a live server answers /status in milliseconds, and the client
  // asking is waiting to reconnect.
  std::chrono::milliseconds timeout{500};
  std::chrono::milliseconds interval_min{500};
  std::string scheme = "http";
  std::string admin_token;
};

class FailoverProbes {
 public:
  // Why `done` was called: the asker looks the room up again either way.
  enum class Outcome {
    probed,    // a probe (this asker's or one it joined) finished; on_result saw it first
    too_soon,  // the server was probed less than interval_min ago: no new probe
  };
  using OnResult = std::function<void(const sched::ServerId&, PollResult)>;

  // `on_result` runs once a probe, before the probe's askers are answered,
  // so that they see the scheduler after it took the result in.
  FailoverProbes(boost::asio::any_io_executor executor, FailoverProbeOptions options,
                 prometheus::Registry& registry, OnResult on_result);

  // Probes server `id`'s /status at `admin_host` (or joins the probe in
  // flight, or declines), then calls `done` on the executor.
  void probe(const sched::ServerId& id, const std::string& admin_host,
             std::function<void(Outcome)> done);

  // Servers with a probe in flight or a recent one: bounded by the fleet.
  std::size_t servers_tracked() const { return servers_.size(); }

 private:
  using Clock = std::chrono::steady_clock;
  struct Server {
    bool in_flight = false;
    Clock::time_point last_started;
    std::vector<std::function<void(Outcome)>> waiting;
  };
  void finished(const sched::ServerId& id, PollResult result);
  void forget_quiet_servers(Clock::time_point now);

  boost::asio::any_io_executor executor_;
  const FailoverProbeOptions options_;
  OnResult on_result_;
  StatusPoller poller_;
  std::map<sched::ServerId, Server> servers_;
  // chat_backend_failover_probes_total{result}: alive, unreachable.
  prometheus::Counter& alive_;
  prometheus::Counter& unreachable_;
  // chat_backend_failover_probes_skipped_total{reason}: look-ups that
  // started no probe of their own: in_flight (joined one), too_soon.
  prometheus::Counter& joined_;
  prometheus::Counter& too_soon_;
};

}  // namespace chat
