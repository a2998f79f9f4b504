// One WebSocket connection of a room member: the handshake, the read loop
// that hands chat messages to the room, and a bounded send queue.
//
// Slow-reader policy: frames wait in a queue of at most
// `send_queue_bytes_max` bytes. Whole snapshots (compatibility mode) replace
// an older snapshot still waiting, since only the newest matters. A client
// whose queue still overflows has stopped reading: its socket is closed (a
// close frame could not reach it) and the drop is counted.
#pragma once

#include "server/common/http_server.h"
#include "server/common/tokens.h"
#include "server/room/member.h"
#include "server/room/room_registry.h"
#include "server/session/config.h"
#include "server/session/session_metrics.h"

#include <boost/beast/core/tcp_stream.hpp>

#include <functional>
#include <memory>
#include <mutex>
#include <set>

namespace chat {

class WebSocketSession;

// Knows the live sessions, so SIGTERM can close them all.
class SessionTracker {
 public:
  void add(WebSocketSession* session);
  void remove(WebSocketSession* session);
  std::size_t size() const;
  // Asks every live session to close with 1001 "Server shutting down".
  void close_all();

 private:
  mutable std::mutex mutex_;
  std::set<WebSocketSession*> sessions_;
};

struct SessionContext {
  const SessionConfig& config;
  RoomRegistry& rooms;
  SessionMetrics& metrics;
  SessionTracker& tracker;
};

// The subprotocol of small events (docs/PROTOCOL.md).
inline constexpr const char* kEventSubprotocol = "scalable-chat.events.v1";

// Takes the upgraded stream: runs the handshake, joins the room, serves it.
void start_websocket_session(boost::beast::tcp_stream stream, web::Request request,
                             SessionClaims claims, SessionContext& context);

}  // namespace chat
