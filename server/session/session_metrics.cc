#include "server/session/session_metrics.h"

#include "metrics/families.h"

namespace chat {

SessionMetrics::SessionMetrics(prometheus::Registry& registry)
    : connections(
          metrics::gauge(registry, "chat_session_connections", "Open WebSocket connections.")),
      rooms(metrics::gauge(registry, "chat_session_rooms",
                           "Rooms held by this server, including recently emptied ones.")),
      users(metrics::gauge(registry, "chat_session_users", "Users in the rooms of this server.")),
      send_queue_bytes(metrics::gauge(registry, "chat_session_send_queue_bytes",
                                      "Bytes waiting in the send queues of all clients.")),
      send_queue_bytes_largest(metrics::gauge(registry, "chat_session_send_queue_bytes_largest",
                                              "Bytes waiting in the fullest client's send queue "
                                              "(over --send-queue-bytes-max it is dropped).")),
      connections_total(metrics::counter(registry, "chat_session_connections_total",
                                         "WebSocket connections accepted.")),
      messages_received(metrics::counter(registry, "chat_session_messages_received_total",
                                         "Chat messages received from clients (accepted or not).")),
      duplicates(
          metrics::counter(registry, "chat_session_duplicate_messages_total",
                           "v2 messages sent again (after a reconnect) that had already been "
                           "accepted: acknowledged, not delivered twice.")),
      frames_sent(
          metrics::counter(registry, "chat_session_frames_sent_total",
                           "WebSocket data frames written to clients (an event or a snapshot "
                           "each).")),
      socket_writes(
          metrics::counter(registry, "chat_session_socket_writes_total",
                           "Writes to client sockets: the frames queued for a client during "
                           "one turn of the event loop go out in one.")),
      deliveries(metrics::counter(registry, "chat_session_deliveries_total",
                                  "Events and snapshots delivered to clients.")),
      bytes_sent(metrics::counter(registry, "chat_session_sent_bytes_total",
                                  "Payload bytes written to clients.")),
      rejections(metrics::counter_family(registry, "chat_session_rejections_total",
                                         "Refused connections and messages, by reason.")),
      broadcast_seconds(
          metrics::histogram_family(registry, "chat_session_broadcast_seconds",
                                    "Time to apply one message and queue it to every member.")
              .Add({}, metrics::latency_buckets())) {
  // Every reason the server counts starts at 0, so rate() and increase() see
  // the first rejection and the dashboards show 0 rather than nothing.
  for (const char* reason :
       {"bad_token", "binary_frame", "draining", "duplicate_user", "empty_message", "frame_too_big",
        "invalid_frame", "invalid_utf8", "message_too_long", "rate_limited", "rate_limited_connect",
        "room_full", "room_moving", "server_full", "slow_consumer", "too_many_refusals"}) {
    rejected(reason);
  }
}

}  // namespace chat
