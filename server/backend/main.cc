// Backend: the stateless half of the chat. It logs users in (JWT), places
// new rooms on session servers, and tells clients which session server holds
// a room; it also serves the web client. Compatible with the seed's backend
// (docs/PROTOCOL.md).
#include "server/backend/api_routes.h"
#include "server/backend/config.h"
#include "server/backend/static_placement.h"
#include "server/common/http_server.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include <iostream>
#include <thread>
#include <vector>

int main(int argc, char** argv) {
  using namespace chat;
  namespace net = boost::asio;
  BackendConfig config = parse_backend_config(argc, argv);

  std::vector<std::string> hosts;
  try {
    hosts = parse_host_list(config.session_server_hosts);
  } catch (const std::invalid_argument& e) {
    std::cerr << "backend: SESSION_SERVER_HOST: " << e.what() << "\n";
    return 2;
  }
  StaticPlacement placement(hosts);

  net::io_context io(config.threads);
  Metrics metrics;
  http::StaticFiles files(config.static_dir);
  if (!config.static_dir.empty() && !files.enabled()) {
    std::cerr << "backend: --static-dir " << config.static_dir
              << " is not a folder; the web client will not be served\n";
  }
  TokenPolicy tokens{config.jwt_secret, config.user_token_lifetime, config.session_token_lifetime};
  ApiRoutes routes(tokens, placement, std::move(files), metrics,
                   ApiOptions{config.user_id_chars_max});

  http::ServerOptions options;
  options.address = config.address;
  options.port = config.port;
  options.body_bytes_max = config.body_bytes_max;
  http::HttpServer server(io, options, routes);
  try {
    server.start();
  } catch (const std::exception& e) {
    std::cerr << "backend: " << e.what() << "\n";
    return 1;
  }
  std::cout << "backend: listening on http://" << config.address << ":" << server.port()
            << " with " << hosts.size() << " static session server(s)" << std::endl;

  net::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](boost::system::error_code, int) {
    server.stop_accepting();
    io.stop();
  });
  std::vector<std::thread> threads;
  for (int i = 1; i < config.threads; ++i) threads.emplace_back([&io] { io.run(); });
  io.run();
  for (auto& thread : threads) thread.join();
  std::cout << "backend: stopped" << std::endl;
  return 0;
}
