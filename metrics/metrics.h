// Prometheus metrics for a binary: one registry, served by our own HTTP
// server at /metrics (no second port), plus the process's own figures.
#pragma once

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <memory>
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
  prometheus::Gauge& resident_memory_bytes_;
  prometheus::Gauge& cpu_seconds_;  // a gauge that only grows: read from /proc
  prometheus::Gauge& open_fds_;
  prometheus::Gauge& start_time_seconds_;
};

// Latency buckets in seconds, 100 µs to 10 s.
prometheus::Histogram::BucketBoundaries latency_buckets();

}  // namespace metrics
