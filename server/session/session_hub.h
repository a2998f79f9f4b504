// What every WebSocket session of this server shares, in the manner of the
// `shared_state` of Beast's chat-multi example: the settings, the rooms, the
// metrics, the draining flag, and the list of live sessions.
//
// Ownership: main, the HTTP routes and every session hold the hub by
// shared_ptr, so no session can outlive what it uses, even one whose handlers
// are destroyed with the io_context after main has returned. A session is
// owned only by its pending handlers; the hub holds weak references to the
// sessions, and each session takes itself off the list in its destructor.
//
// Asio-free: the hub sees a session only as a DrainableSession.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <vector>

#include "metrics/metrics.h"
#include "server/room/room_registry.h"
#include "server/session/config.h"
#include "server/session/session_metrics.h"
#include "trace/recorder.h"

namespace chat {

// Why the server asks its clients to go (docs/PROTOCOL.md, Close codes).
enum class CloseReason {
  shutting_down,  // 1001 "Server shutting down": SIGTERM
  room_moving,    // 1012 "Room moving": a drain; the room goes to another server
};

// A live WebSocket session as the hub sees it: something that can be asked
// to go away when the server drains.
class DrainableSession {
 public:
  // Asks the peer to go away, with the close code of `reason`. Called from
  // any thread; must not call back into the hub.
  virtual void close_for(CloseReason reason) = 0;
  // Bytes waiting to be written to the peer. Any thread; must not call back
  // into the hub.
  virtual std::size_t queued_bytes() const = 0;

 protected:
  ~DrainableSession() = default;  // owned through shared_ptr to the session itself
};

// Makes the rooms' MessageLog, given the registry its metrics go in; none:
// nothing is stored.
using MessageLogFactory = std::function<std::shared_ptr<MessageLog>(prometheus::Registry&)>;

class SessionHub {
 public:
  explicit SessionHub(SessionConfig config, const MessageLogFactory& make_log = {});
  SessionHub(const SessionHub&) = delete;
  SessionHub& operator=(const SessionHub&) = delete;

  const SessionConfig& config() const { return config_; }
  RoomRegistry& rooms() { return *rooms_; }
  // Everything /metrics serves: the process's figures and the series below.
  metrics::Metrics& metrics() { return metrics_; }
  // The series of this server (connections, messages, rejections).
  SessionMetrics& session_metrics() { return session_metrics_; }

  // A session adds itself once something owns it, and removes itself in its
  // destructor (`remove` takes the same pointer `add` was given).
  void add(const std::shared_ptr<DrainableSession>& session);
  void remove(const DrainableSession* session);
  std::size_t session_count() const;

  // SIGTERM or a drain: from now on the server refuses new sessions and
  // /healthz says so.
  void start_draining() { draining_ = true; }
  bool draining() const { return draining_; }
  // Asks every live session to close, with the code of `reason`.
  void close_all(CloseReason reason);

  // The rooms as they are now; the rooms and users gauges are set from the
  // same reading, so /metrics and /status agree.
  std::vector<RoomStatus> read_rooms(std::chrono::steady_clock::time_point now);
  // Sets the send-queue gauges from every live session (for /metrics).
  void read_send_queues();
  // Drops rooms empty past their grace period (called every second).
  void sweep_rooms(std::chrono::steady_clock::time_point now);

  // --record-trace: where sessions record their joins, leaves and message
  // sizes; null: nothing is recorded. Set before the server accepts anyone.
  void record_trace_to(std::shared_ptr<trace::Recorder> recorder) {
    trace_recorder_ = std::move(recorder);
  }
  trace::Recorder* trace_recorder() const { return trace_recorder_.get(); }

 private:
  // Owners of every session still alive, taken under the lock; whoever holds
  // them must let go outside it (see close_all).
  std::vector<std::shared_ptr<DrainableSession>> alive_sessions() const;

  const SessionConfig config_;
  metrics::Metrics metrics_;
  SessionMetrics session_metrics_;  // registered in metrics_, so declared after it
  // Shared: the log's answers reach it through a weak_ptr (RoomRegistry::open).
  std::shared_ptr<RoomRegistry> rooms_;
  std::atomic<bool> draining_{false};
  std::shared_ptr<trace::Recorder> trace_recorder_;

  mutable std::mutex mutex_;  // guards sessions_
  // Weak: a session is owned only by its pending handlers. Keyed by the
  // pointer the session removes itself with.
  std::unordered_map<const DrainableSession*, std::weak_ptr<DrainableSession>> sessions_;
};

}  // namespace chat
