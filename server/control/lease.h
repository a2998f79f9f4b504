// The fleet lease (docs/PROTOCOL.md, "Replicated backends"): of all the
// backends sharing a Redis, exactly one at a time runs the autoscaler and
// the fleet's reconciliation (starts and stops session servers, defragments).
// A lease in Redis with a time to live: taken with SET NX PX, renewed by a
// script that checks the holder, so a holder that dies loses it within the
// time to live and another replica takes it over. Each acquisition draws a
// fencing token (INCR); every write that changes the fleet's shared state
// checks it in a script, so a holder that lost the lease without knowing
// (paused, partitioned) has its late writes refused.
//
//   <prefix>fleet:lease   "<holder> <token>", PX ttl
//   <prefix>fleet:fence   the latest token handed out
#pragma once

#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include "server/control/control_redis.h"

namespace chat::control {

struct LeaseOptions {
  std::string holder;                   // this replica's id, unique among replicas
  std::chrono::milliseconds ttl{3000};  // a dead holder's lease lasts at most this
  std::chrono::milliseconds renew_interval{1000};
};

// What GET /api/fleet and /metrics show.
struct LeaseState {
  bool held = false;
  std::uint64_t token = 0;         // ours while held; else the holder's, when known
  std::string holder;              // who holds it (empty: nobody, or unknown)
  std::uint64_t acquisitions = 0;  // times this replica took it
  std::uint64_t losses = 0;        // times this replica lost it
};

class FleetLease : public std::enable_shared_from_this<FleetLease> {
 public:
  // Told on the Redis strand; `token` is the fencing token of this holding.
  using Gained = std::function<void(std::uint64_t token)>;
  using Lost = std::function<void()>;

  static std::shared_ptr<FleetLease> create(std::shared_ptr<ControlRedis> redis,
                                            LeaseOptions options, Gained gained, Lost lost);
  void start();
  // Gives the lease up (if held) so another replica need not wait for it to
  // expire; `done` runs once Redis answered or did not.
  void release(std::function<void()> done);

  LeaseState state() const;
  // Held now, renewed recently enough that no other replica can hold it.
  bool held() const;
  const LeaseOptions& options() const { return options_; }

 private:
  FleetLease(std::shared_ptr<ControlRedis> redis, LeaseOptions options, Gained gained, Lost lost);
  void round();
  void try_acquire();
  void renew();
  void lose(const std::string& why);
  void read_holder();
  void schedule();

  std::shared_ptr<ControlRedis> redis_;
  const LeaseOptions options_;
  Gained gained_;
  Lost lost_;
  boost::asio::steady_timer timer_;
  bool stopped_ = false;
  // Written on the strand, read from any thread.
  mutable std::mutex mutex_;
  LeaseState state_;
  std::chrono::steady_clock::time_point renewed_at_;
};

}  // namespace chat::control
