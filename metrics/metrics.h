// Prometheus metrics for a binary: one registry, served by our own HTTP
// server at /metrics (no second port), plus the process's own figures.
#pragma once

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <memory>
#include <mutex>
#include <string>

namespace metrics {

class Metrics {
 public:
  Metrics();
  prometheus::Registry& registry() { return *registry_; }
  // The text exposition format (version 0.0.4), process figures refreshed.
  std::string render();

 private:
  void refresh_process_figures();

  std::shared_ptr<prometheus::Registry> registry_;
  std::mutex refresh_mutex_;  // two scrapes at once must not both add the same CPU time
  prometheus::Gauge& resident_memory_bytes_;
  // A counter followed from /proc: each refresh adds what the kernel's tally grew by.
  prometheus::Counter& cpu_seconds_total_;
  prometheus::Gauge& open_fds_;
  prometheus::Gauge& max_fds_;  // the soft RLIMIT_NOFILE, what open_fds runs into
  prometheus::Gauge& start_time_seconds_;
};

// Latency buckets in seconds, 100 µs to 10 s.
prometheus::Histogram::BucketBoundaries latency_buckets();

}  // namespace metrics
