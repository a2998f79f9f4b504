// Empties this server of its rooms without losing a message: for a drain
// (POST /drain: the rooms move to other servers) and for SIGTERM.
//
// In this order, because a room placed elsewhere loads its history from the
// log: (1) refuse new connections and stop accepting messages (clients are
// not acknowledged for those, so v2 clients send them again where the room
// goes); (2) wait until the log has answered for every accepted message;
// (3) only then close every client (1012 or 1001), so none can look its room
// up and reach the new server before the history there is whole; (4) wait
// for the close handshakes. Each wait is bounded.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "server/session/session_hub.h"

namespace chat {

struct DrainOutcome {
  std::vector<std::string> rooms;  // the rooms this server held
  std::uint64_t unstored = 0;      // messages the log could not store, since the start
  std::size_t appends_abandoned = 0;     // still unanswered when the wait ended
  std::size_t connections_left = 0;      // still open when the wait for closes ended
};

struct DrainDeadlines {
  std::chrono::milliseconds appends{1500};  // the log's own timeout answers sooner
  std::chrono::milliseconds closes{5000};
};

// Starts a drain on `executor`; `done` runs there when it is over.
void drain_rooms(boost::asio::any_io_executor executor, std::shared_ptr<SessionHub> hub,
                 CloseReason reason, DrainDeadlines deadlines,
                 std::function<void(DrainOutcome)> done);

}  // namespace chat
