// The session server's Prometheus series. Their names are an interface:
// docs/PROTOCOL.md, the README and the integration tests read them.
#pragma once

#include "metrics/metrics.h"

namespace chat {

struct SessionMetrics {
  explicit SessionMetrics(prometheus::Registry& registry);

  prometheus::Gauge& connections;
  prometheus::Gauge& rooms;
  prometheus::Gauge& users;
  // Bytes waiting in clients' send queues, in all and in the fullest one
  // (read when /metrics is asked for: nothing on the delivery path).
  prometheus::Gauge& send_queue_bytes;
  prometheus::Gauge& send_queue_bytes_largest;
  prometheus::Counter& connections_total;
  prometheus::Counter& messages_received;
  prometheus::Counter& duplicates;
  prometheus::Counter& frames_sent;
  prometheus::Counter& socket_writes;
  prometheus::Counter& deliveries;
  prometheus::Counter& bytes_sent;
  prometheus::Family<prometheus::Counter>& rejections;
  prometheus::Histogram& broadcast_seconds;

  prometheus::Counter& rejected(const std::string& reason) {
    return rejections.Add({{"reason", reason}});
  }
};

}  // namespace chat
