// One WebSocket connection of a room member: the handshake, the read loop
// that hands chat messages to the room, and a bounded send queue.
//
// Slow-reader policy: frames wait in a queue of at most
// `send_queue_bytes_max` bytes. Whole snapshots (compatibility mode) replace
// an older snapshot still waiting, since only the newest matters. A client
// whose queue still overflows has stopped reading: its socket is closed (a
// close frame could not reach it) and the drop is counted.
#pragma once

#include <boost/beast/core/tcp_stream.hpp>
#include <memory>

#include "server/common/http_server.h"
#include "server/common/tokens.h"
#include "server/session/session_hub.h"

namespace chat {

// Takes the upgraded stream: runs the handshake, joins the room, serves it.
// The session holds `hub` for as long as it lives.
void start_websocket_session(boost::beast::tcp_stream stream, web::Request request,
                             SessionClaims claims, std::shared_ptr<SessionHub> hub);

}  // namespace chat
