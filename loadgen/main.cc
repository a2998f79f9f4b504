// Load generator for the chat: bots that talk to a deployment only through
// the wire contract (HTTP API + WebSocket), check every delivery, and end
// with a verdict: a table on stdout, --report JSON, a non-zero exit on failure.
#include <unistd.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/json/serialize.hpp>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <iostream>

#include "loadgen/config.h"
#include "loadgen/engine.h"
#include "loadgen/metrics_server.h"
#include "loadgen/report.h"
#include "loadgen/scenarios.h"
#include "loadgen/workers.h"
#include "network/tls_client.h"

namespace net = boost::asio;
using namespace loadgen;

namespace {

// One line on stderr, rewritten every second while stderr is a terminal.
void progress(net::steady_timer& timer, Engine& engine, std::uint64_t start_us,
              std::uint64_t& last_sent, std::uint64_t& last_delivered) {
  timer.expires_after(std::chrono::seconds(1));
  timer.async_wait(
      [&timer, &engine, start_us, &last_sent, &last_delivered](boost::system::error_code ec) {
        if (ec) return;
        auto& stats = engine.stats();
        std::fprintf(stderr,
                     "\r\033[K[%5.0fs] bots %llu/%llu | sent %llu/s | delivered %llu/s | "
                     "p50 %.1f ms p99 %.1f ms | errors %llu",
                     static_cast<double>(now_us() - start_us) / 1e6,
                     static_cast<unsigned long long>(stats.bots_connected),
                     static_cast<unsigned long long>(engine.bots().size()),
                     static_cast<unsigned long long>(stats.messages_sent - last_sent),
                     static_cast<unsigned long long>(stats.deliveries - last_delivered),
                     static_cast<double>(stats.latency.percentile_us(0.5)) / 1000,
                     static_cast<double>(stats.latency.percentile_us(0.99)) / 1000,
                     static_cast<unsigned long long>(stats.errors_total));
        last_sent = stats.messages_sent;
        last_delivered = stats.deliveries;
        progress(timer, engine, start_us, last_sent, last_delivered);
      });
}

net::awaitable<void> run_scenario(Engine& engine, Report& report) {
  const auto& scenario = engine.config().scenario;
  if (scenario == "chat") co_await run_chat(engine, report);
  if (scenario == "limits") co_await run_limits(engine, report);
  if (scenario == "autoscale") co_await run_autoscale(engine, report);
  if (scenario == "replay") co_await run_replay(engine, report);
  if (scenario == "failover") co_await run_failover(engine, report);
}

// A worker of --processes: says "ready" on fd 4 when its bots have ramped up
// and starts sending when its parent writes "go" on fd 3 (workers.h). A
// parent gone (end of file) ends the run.
struct ParentLink {
  net::posix::stream_descriptor from_parent;
  std::string buffer;
  bool released = false;

  ParentLink(net::io_context& io, Engine& engine) : from_parent(io, 3) {
    engine.set_start_barrier([] { (void)!write(4, "ready\n", 6); }, [this] { return released; });
    net::async_read_until(from_parent, net::dynamic_buffer(buffer), '\n',
                          [this, &engine](boost::system::error_code ec, std::size_t) {
                            if (ec) return engine.stop("the parent process ended");
                            released = true;
                          });
  }
};

}  // namespace

int main(int argc, char** argv) {
  auto parsed = parse_config(argc, argv);
  if (!parsed.config) return parsed.exit_code;
  const auto& config = *parsed.config;
  // Each bot holds a socket: as many as this process may open.
  raise_open_files_limit();
  if (config.processes > 1) return run_workers(config, argc, argv);
  std::shared_ptr<net::ssl::context> tls;
  if (config.target.tls()) {
    auto context = network::make_tls_client_context(config.ca_file);
    if (!context) {
      std::cerr << "loadgen: " << context.error() << "\n";
      return 2;
    }
    tls = context.value();
  }
  std::signal(SIGPIPE, SIG_IGN);
  net::io_context io(1);
  Engine engine(io, config, tls);
  Report report;
  report.scenario = config.scenario + (config.protocol == "v2" ? "" : " (" + config.protocol + ")");
  report.target = config.target_url;
  auto start = now_us();

  std::unique_ptr<MetricsServer> metrics;
  if (config.metrics_port) {
    try {
      metrics = std::make_unique<MetricsServer>(io, engine, config.metrics_port);
    } catch (const std::exception& e) {
      std::cerr << "loadgen: cannot serve /metrics on 127.0.0.1:" << config.metrics_port << ": "
                << e.what() << "\n";
      return 2;
    }
  }
  // Ctrl-C and SIGTERM end the run early; the partial report still prints.
  net::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](boost::system::error_code ec, int signal) {
    if (!ec) engine.stop(signal == SIGINT ? "interrupted (SIGINT)" : "terminated (SIGTERM)");
  });
  net::steady_timer deadline(io);
  deadline.expires_after(std::chrono::milliseconds(static_cast<long>(config.timeout_s * 1000)));
  deadline.async_wait([&](boost::system::error_code ec) {
    if (!ec) engine.stop("timeout after " + std::to_string(config.timeout_s) + " s");
  });
  std::unique_ptr<ParentLink> parent;
  if (config.is_worker()) parent = std::make_unique<ParentLink>(io, engine);
  net::steady_timer progress_timer(io);
  std::uint64_t last_sent = 0, last_delivered = 0;
  // Workers share their parent's terminal: one progress line each would garble it.
  bool live = isatty(STDERR_FILENO) && !config.is_worker();
  if (live) progress(progress_timer, engine, start, last_sent, last_delivered);

  net::co_spawn(io, run_scenario(engine, report), [&](std::exception_ptr failure) {
    if (failure) {
      try {
        std::rethrow_exception(failure);
      } catch (const std::exception& e) {
        report.check("the run completed", false, std::string("internal error: ") + e.what());
      }
    }
    io.stop();
  });
  io.run();

  if (live) std::fprintf(stderr, "\n");
  report.stopped_by = engine.stopped_by();
  report.elapsed_s = static_cast<double>(now_us() - start) / 1e6;
  engine.add_common_figures(report);
  std::cout << report.table() << std::flush;
  if (!config.report_file.empty()) {
    std::ofstream out(config.report_file);
    out << boost::json::serialize(report.to_json()) << "\n";
    if (!out) std::cerr << "loadgen: cannot write " << config.report_file << "\n";
  }
  // Thousands of sockets need no orderly teardown: the kernel closes them.
  std::_Exit(report.passed() ? 0 : 1);
}
