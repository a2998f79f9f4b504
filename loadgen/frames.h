// What the session server's WebSocket frames say to a bot, in both
// protocols: the event subprotocol (one event object, or a JSON array of
// them) and the seed's whole snapshots. Asio-free; small frames are parsed
// without touching the heap.
#pragma once

#include <functional>
#include <optional>
#include <string_view>
#include <vector>

namespace loadgen {

enum class FrameError {
  none,
  not_json,     // not JSON, or not the shape of this protocol's frames
  no_messages,  // a snapshot without its "messages" array
};

// One event; the views are valid during the callback only.
struct FrameEvent {
  std::string_view type;     // "message", "snapshot", "join", "leave", "error", "ack", ...
  std::string_view msg;      // message: the chat text
  std::string_view code;     // error: its code
  std::string_view message;  // error: its text
  std::string_view id;       // v2: the sender's message id (message, ack, error)
  // snapshot: each entry's "msg", oldest first, and the server's history
  // size (limits.historyMessages; 0 when absent). Filled for snapshots only.
  std::vector<std::string_view> history;
  std::size_t history_window = 0;
};

// Calls `use` for each event of the frame, in order.
FrameError parse_event_frame(std::string_view text,
                             const std::function<void(const FrameEvent&)>& use);

// A whole snapshot (compatibility mode); the views are valid during the callback only.
struct SnapshotFrame {
  std::vector<std::string_view> messages;  // each entry's "msg" ("" when it has none), oldest first
  std::optional<std::string_view> error_code;  // "error": {"code": ...} when the server refused
};

FrameError parse_snapshot_frame(std::string_view text,
                                const std::function<void(const SnapshotFrame&)>& use);

}  // namespace loadgen
