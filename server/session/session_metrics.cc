#include "server/session/session_metrics.h"

namespace chat {

SessionMetrics::SessionMetrics(prometheus::Registry& registry)
    : connections(prometheus::BuildGauge()
                      .Name("chat_session_connections")
                      .Help("Open WebSocket connections.")
                      .Register(registry)
                      .Add({})),
      rooms(prometheus::BuildGauge()
                .Name("chat_session_rooms")
                .Help("Rooms held by this server, including recently emptied ones.")
                .Register(registry)
                .Add({})),
      users(prometheus::BuildGauge()
                .Name("chat_session_users")
                .Help("Users in the rooms of this server.")
                .Register(registry)
                .Add({})),
      send_queue_bytes(prometheus::BuildGauge()
                           .Name("chat_session_send_queue_bytes")
                           .Help("Bytes waiting in the send queues of all clients.")
                           .Register(registry)
                           .Add({})),
      send_queue_bytes_largest(prometheus::BuildGauge()
                                   .Name("chat_session_send_queue_bytes_largest")
                                   .Help("Bytes waiting in the fullest client's send queue "
                                         "(over --send-queue-bytes-max it is dropped).")
                                   .Register(registry)
                                   .Add({})),
      connections_total(prometheus::BuildCounter()
                            .Name("chat_session_connections_total")
                            .Help("WebSocket connections accepted.")
                            .Register(registry)
                            .Add({})),
      messages_received(prometheus::BuildCounter()
                            .Name("chat_session_messages_received_total")
                            .Help("Chat messages received from clients (accepted or not).")
                            .Register(registry)
                            .Add({})),
      duplicates(prometheus::BuildCounter()
                     .Name("chat_session_duplicate_messages_total")
                     .Help("v2 messages sent again (after a reconnect) that had already been "
                           "accepted: acknowledged, not delivered twice.")
                     .Register(registry)
                     .Add({})),
      frames_sent(prometheus::BuildCounter()
                      .Name("chat_session_frames_sent_total")
                      .Help("WebSocket data frames written to clients (an event or a snapshot "
                            "each).")
                      .Register(registry)
                      .Add({})),
      socket_writes(prometheus::BuildCounter()
                        .Name("chat_session_socket_writes_total")
                        .Help("Writes to client sockets: the frames queued for a client during "
                              "one turn of the event loop go out in one.")
                        .Register(registry)
                        .Add({})),
      deliveries(prometheus::BuildCounter()
                     .Name("chat_session_deliveries_total")
                     .Help("Events and snapshots delivered to clients.")
                     .Register(registry)
                     .Add({})),
      bytes_sent(prometheus::BuildCounter()
                     .Name("chat_session_sent_bytes_total")
                     .Help("Payload bytes written to clients.")
                     .Register(registry)
                     .Add({})),
      rejections(prometheus::BuildCounter()
                     .Name("chat_session_rejections_total")
                     .Help("Refused connections and messages, by reason.")
                     .Register(registry)),
      broadcast_seconds(prometheus::BuildHistogram()
                            .Name("chat_session_broadcast_seconds")
                            .Help("Time to apply one message and queue it to every member.")
                            .Register(registry)
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
