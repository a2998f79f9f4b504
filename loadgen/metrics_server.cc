#include "loadgen/metrics_server.h"

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <map>

#include "metrics/families.h"
#include "metrics/followed_counter.h"
#include "metrics/metrics.h"

namespace loadgen {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;

struct MetricsServer::Impl : std::enable_shared_from_this<MetricsServer::Impl> {
  Impl(net::io_context& io, Engine& engine, int port)
      : engine(engine),
        acceptor(io, tcp::endpoint(net::ip::make_address("127.0.0.1"),
                                   static_cast<unsigned short>(port))),
        bots(metrics::gauge(metrics.registry(), "loadgen_bots_connected",
                            "Bots joined to a room now.")),
        sent(metrics::counter(metrics.registry(), "loadgen_messages_sent_total",
                              "Chat messages sent by bots.")),
        delivered(metrics::counter(metrics.registry(), "loadgen_messages_delivered_total",
                                   "Chat messages received by bots (one per member).")),
        missing(metrics::gauge(metrics.registry(), "loadgen_deliveries_missing",
                               "Deliveries lost so far: messages a joined member skipped over and "
                               "never received (and, once the run ends, never received at all).")),
        outstanding(metrics::gauge(metrics.registry(), "loadgen_deliveries_outstanding",
                                   "Deliveries still owed to joined members: in flight, or lost.")),
        duplicates(metrics::gauge(metrics.registry(), "loadgen_deliveries_duplicate",
                                  "Deliveries of a message a member had already received (v2).")),
        lost(metrics::gauge(metrics.registry(), "loadgen_messages_lost",
                            "Acknowledged messages some member skipped over and (once the run "
                            "ends) never received (v2).")),
        history_missing(
            metrics::gauge(metrics.registry(), "loadgen_history_missing",
                           "Messages acknowledged before the fault missing from a "
                           "snapshot after it (failover; the worst snapshot of each room).")),
        reconnecting(
            metrics::gauge(metrics.registry(), "loadgen_bots_reconnecting",
                           "Bots that lost their connection and are not back in their room "
                           "yet (v2).")),
        reconnects(metrics::counter(metrics.registry(), "loadgen_reconnects_total",
                                    "Bots back in their room after a lost connection (v2).")),
        resent(metrics::counter(metrics.registry(), "loadgen_messages_resent_total",
                                "Unacknowledged messages sent again after a reconnect (v2).")),
        reconnect_time(
            metrics::histogram_family(metrics.registry(), "loadgen_reconnect_seconds",
                                      "From a lost connection to being back in the room with a "
                                      "snapshot (v2).")
                .Add({}, prometheus::Histogram::BucketBoundaries{0.1, 0.25, 0.5, 1, 2, 3, 5, 10, 20,
                                                                 30, 60})),
        errors(
            metrics::counter_family(metrics.registry(), "loadgen_errors_total", "Errors by kind.")),
        latency(metrics::histogram_family(metrics.registry(), "loadgen_delivery_latency_seconds",
                                          "From a bot's send to another member's receipt.")
                    .Add({}, prometheus::Histogram::BucketBoundaries{0.0005, 0.001, 0.002, 0.005,
                                                                     0.01, 0.02, 0.05, 0.1, 0.2,
                                                                     0.5, 1, 2, 5, 10})) {}

  void accept() {
    acceptor.async_accept(
        [self = shared_from_this()](boost::system::error_code ec, tcp::socket socket) {
          if (ec) return;  // closed: the run is over
          std::make_shared<Exchange>(self, std::move(socket))->read();
          self->accept();
        });
  }

  // One request on one connection (Prometheus scrapes a few times a minute).
  struct Exchange : std::enable_shared_from_this<Exchange> {
    Exchange(std::shared_ptr<Impl> impl, tcp::socket socket)
        : impl(std::move(impl)), stream(std::move(socket)) {}

    void read() {
      // A scraper that stalls must not keep its socket for the whole run.
      stream.expires_after(std::chrono::seconds(10));
      http::async_read(stream, buffer, request,
                       [self = shared_from_this()](beast::error_code ec, std::size_t) {
                         if (!ec) self->answer();
                       });
    }

    void answer() {
      bool found = request.target() == "/metrics" || request.target() == "/";
      response.version(request.version());
      response.keep_alive(false);
      if (request.method() != http::verb::get && request.method() != http::verb::head) {
        response.result(http::status::method_not_allowed);
        response.set(http::field::allow, "GET");
        response.body() = "Only GET /metrics is served here\n";
      } else if (!found) {
        response.result(http::status::not_found);
        response.body() = "Not found: the figures are at /metrics\n";
      } else {
        response.result(http::status::ok);
        response.set(http::field::content_type, "text/plain; version=0.0.4; charset=utf-8");
        response.body() = impl->render();
      }
      response.prepare_payload();
      if (request.method() == http::verb::head) response.body().clear();
      http::async_write(stream, response,
                        [self = shared_from_this()](beast::error_code, std::size_t) {
                          beast::error_code ignored;
                          self->stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
                        });
    }

    std::shared_ptr<Impl> impl;
    beast::tcp_stream stream;
    beast::flat_buffer buffer;
    http::request<http::string_body> request;
    http::response<http::string_body> response;
  };

  // The run's own tallies, mirrored into the counters at each scrape.
  std::string render() {
    auto& stats = engine.stats();
    bots.Set(static_cast<double>(stats.bots_connected));
    std::uint64_t missing_now = 0, outstanding_now = 0, duplicates_now = 0, lost_now = 0,
                  history_now = 0;
    for (const auto& room : engine.rooms()) {
      const auto& counts = room->checker.counts();
      missing_now += counts.missing();
      outstanding_now += room->checker.outstanding();
      duplicates_now += counts.duplicates;
      history_now += counts.history_missing;
      lost_now += room->checker.lost_so_far();
    }
    missing.Set(static_cast<double>(missing_now));
    outstanding.Set(static_cast<double>(outstanding_now));
    duplicates.Set(static_cast<double>(duplicates_now));
    lost.Set(static_cast<double>(lost_now));
    history_missing.Set(static_cast<double>(history_now));
    reconnecting.Set(static_cast<double>(stats.bots_reconnecting));
    reconnects.sync(stats.reconnects);
    resent.sync(stats.messages_resent);
    sent.sync(stats.messages_sent);
    delivered.sync(stats.deliveries);
    for (auto& [kind, count] : stats.errors) {
      auto found = errors_followed.find(kind);
      if (found == errors_followed.end()) {
        // A new kind shows 0 on this scrape and its count from the next: rate() and
        // increase() see an increase only after a sample before it.
        errors_followed.emplace(kind, errors.Add({{"kind", kind}}));
        continue;
      }
      found->second.sync(count);
    }
    return metrics.render();
  }

  Engine& engine;
  tcp::acceptor acceptor;
  metrics::Metrics metrics;  // the loadgen process's own CPU, memory and descriptors too
  prometheus::Gauge& bots;
  metrics::FollowedCounter sent;
  metrics::FollowedCounter delivered;
  prometheus::Gauge& missing;
  prometheus::Gauge& outstanding;
  prometheus::Gauge& duplicates;
  prometheus::Gauge& lost;
  prometheus::Gauge& history_missing;
  prometheus::Gauge& reconnecting;
  metrics::FollowedCounter reconnects;
  metrics::FollowedCounter resent;
  prometheus::Histogram& reconnect_time;
  prometheus::Family<prometheus::Counter>& errors;
  prometheus::Histogram& latency;
  std::map<std::string, metrics::FollowedCounter> errors_followed;
};

MetricsServer::MetricsServer(net::io_context& io, Engine& engine, int port)
    : impl_(std::make_shared<Impl>(io, engine, port)) {
  engine.latency_observer = [impl = impl_.get()](double seconds) {
    impl->latency.Observe(seconds);
  };
  engine.reconnect_observer = [impl = impl_.get()](double seconds) {
    impl->reconnect_time.Observe(seconds);
  };
  impl_->accept();
}

MetricsServer::~MetricsServer() {
  impl_->engine.latency_observer = nullptr;
  impl_->engine.reconnect_observer = nullptr;
  boost::system::error_code ec;
  impl_->acceptor.close(ec);
}

}  // namespace loadgen
