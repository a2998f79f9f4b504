#include "loadgen/metrics_server.h"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>
#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

namespace loadgen {

namespace net = boost::asio;
using tcp = net::ip::tcp;

struct MetricsServer::Impl : std::enable_shared_from_this<MetricsServer::Impl> {
  Impl(net::io_context& io, Engine& engine, int port)
      : engine(engine),
        acceptor(io, tcp::endpoint(net::ip::make_address("127.0.0.1"),
                                   static_cast<unsigned short>(port))),
        registry(std::make_shared<prometheus::Registry>()),
        bots(prometheus::BuildGauge()
                 .Name("loadgen_bots_connected")
                 .Help("Bots joined to a room now.")
                 .Register(*registry)
                 .Add({})),
        sent(prometheus::BuildCounter()
                 .Name("loadgen_messages_sent_total")
                 .Help("Chat messages sent by bots.")
                 .Register(*registry)
                 .Add({})),
        delivered(prometheus::BuildCounter()
                      .Name("loadgen_messages_delivered_total")
                      .Help("Chat messages received by bots (one per member).")
                      .Register(*registry)
                      .Add({})),
        errors(prometheus::BuildCounter()
                   .Name("loadgen_errors_total")
                   .Help("Errors by kind.")
                   .Register(*registry)),
        latency(prometheus::BuildHistogram()
                    .Name("loadgen_delivery_latency_seconds")
                    .Help("From a bot's send to another member's receipt.")
                    .Register(*registry)
                    .Add({}, prometheus::Histogram::BucketBoundaries{
                                 0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5,
                                 1, 2, 5, 10})) {}

  void accept() {
    acceptor.async_accept([self = shared_from_this()](boost::system::error_code ec,
                                                      tcp::socket socket) {
      if (ec) return;
      self->answer(std::make_shared<tcp::socket>(std::move(socket)));
      self->accept();
    });
  }

  void answer(std::shared_ptr<tcp::socket> socket) {
    auto request = std::make_shared<net::streambuf>(8192);
    net::async_read_until(
        *socket, *request, "\r\n\r\n",
        [self = shared_from_this(), socket, request](boost::system::error_code ec, std::size_t) {
          if (ec) return;
          auto body = self->render();
          auto response = std::make_shared<std::string>(
              "HTTP/1.1 200 OK\r\nContent-Type: text/plain; version=0.0.4\r\nContent-Length: " +
              std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body);
          net::async_write(*socket, net::buffer(*response),
                           [socket, response](boost::system::error_code, std::size_t) {});
        });
  }

  // Counters only go up: add what happened since the last scrape.
  std::string render() {
    auto& stats = engine.stats();
    bots.Set(static_cast<double>(stats.bots_connected));
    sent.Increment(static_cast<double>(stats.messages_sent - sent_seen));
    sent_seen = stats.messages_sent;
    delivered.Increment(static_cast<double>(stats.deliveries - delivered_seen));
    delivered_seen = stats.deliveries;
    for (auto& [kind, count] : stats.errors) {
      auto& seen = errors_seen[kind];
      errors.Add({{"kind", kind}}).Increment(static_cast<double>(count - seen));
      seen = count;
    }
    return prometheus::TextSerializer().Serialize(registry->Collect());
  }

  Engine& engine;
  tcp::acceptor acceptor;
  std::shared_ptr<prometheus::Registry> registry;
  prometheus::Gauge& bots;
  prometheus::Counter& sent;
  prometheus::Counter& delivered;
  prometheus::Family<prometheus::Counter>& errors;
  prometheus::Histogram& latency;
  std::uint64_t sent_seen = 0;
  std::uint64_t delivered_seen = 0;
  std::map<std::string, std::uint64_t> errors_seen;
};

MetricsServer::MetricsServer(net::io_context& io, Engine& engine, int port)
    : impl_(std::make_shared<Impl>(io, engine, port)) {
  engine.latency_observer = [impl = impl_.get()](double seconds) {
    impl->latency.Observe(seconds);
  };
  impl_->accept();
}

MetricsServer::~MetricsServer() {
  impl_->engine.latency_observer = nullptr;
  boost::system::error_code ec;
  impl_->acceptor.close(ec);
}

}  // namespace loadgen
