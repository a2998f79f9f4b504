// Optional Prometheus page (--metrics-port): loadgen_* figures of the run and
// the process's own, at GET /metrics on 127.0.0.1 (one request a connection).
#pragma once

#include "loadgen/engine.h"

#include <boost/asio/io_context.hpp>

#include <memory>

namespace loadgen {

class MetricsServer {
 public:
  // Throws when the port cannot be bound.
  MetricsServer(boost::asio::io_context& io, Engine& engine, int port);
  ~MetricsServer();

  struct Impl;

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace loadgen
