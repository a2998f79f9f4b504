// The HTTP server's cap on connections, with real sockets on loopback.
#include "server/common/http_server.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <boost/asio/connect.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>
#include <future>
#include <mutex>
#include <thread>

#include "server/common/http_util.h"

namespace chat::web {
namespace {

namespace net = boost::asio;
using tcp = net::ip::tcp;

// Answers "/hold" only when told to; records, for every request, whether the
// test had closed the first connection by then.
class HoldingRoutes : public Routes {
 public:
  void handle(Request request, Respond respond) override {
    std::lock_guard lock(mutex);
    seen_after_first_closed.push_back(first_closed.load());
    if (request.target() == "/hold") {
      held = std::move(respond);
      held_request = std::move(request);
      held_promise.set_value();
      return;
    }
    respond(json_response(request, boost::beast::http::status::ok, {{"ok", true}}));
  }
  std::mutex mutex;
  std::vector<bool> seen_after_first_closed;
  std::atomic<bool> first_closed{false};
  Respond held;
  Request held_request;
  std::promise<void> held_promise;
};

std::string get(tcp::socket& socket, const std::string& target) {
  std::string request = "GET " + target + " HTTP/1.1\r\nHost: x\r\n\r\n";
  net::write(socket, net::buffer(request));
  net::streambuf answer;
  net::read_until(socket, answer, "\r\n\r\n");
  return {net::buffers_begin(answer.data()), net::buffers_end(answer.data())};
}

TEST(HttpServer, AtItsConnectionCapTheNextWaitsForOneToClose) {
  net::io_context io;
  HoldingRoutes routes;
  ServerOptions options;
  options.connections_max = 1;
  HttpServer server(io, options, routes);
  server.start();
  auto work = net::make_work_guard(io);
  std::thread runner([&io] { io.run(); });
  tcp::endpoint endpoint(net::ip::make_address("127.0.0.1"), server.port());

  net::io_context client_io;
  tcp::socket first(client_io), second(client_io);
  first.connect(endpoint);
  std::string hold = "GET /hold HTTP/1.1\r\nHost: x\r\n\r\n";
  net::write(first, net::buffer(hold));
  routes.held_promise.get_future().wait();  // the first connection is being served

  second.connect(endpoint);  // the kernel's backlog takes it
  auto second_answer = std::async(std::launch::async, [&second] { return get(second, "/"); });
  // Give an uncapped server the time to (wrongly) serve the second one now.
  // A slow machine only makes this check weaker, never wrong.
  EXPECT_EQ(second_answer.wait_for(std::chrono::milliseconds(300)), std::future_status::timeout);

  net::post(io, [&routes] {
    // Let go of the answer once given: it holds the first connection.
    auto respond = std::exchange(routes.held, nullptr);
    respond(json_response(routes.held_request, boost::beast::http::status::ok, {}));
  });
  routes.first_closed = true;
  boost::system::error_code ignored;
  first.shutdown(tcp::socket::shutdown_both, ignored);
  first.close();
  EXPECT_NE(second_answer.get().find("200 OK"), std::string::npos);
  {
    std::lock_guard lock(routes.mutex);
    ASSERT_EQ(routes.seen_after_first_closed.size(), 2u);
    EXPECT_TRUE(routes.seen_after_first_closed[1]) << "served before a slot was free";
  }
  server.stop_accepting();
  second.close();
  work.reset();
  io.stop();
  runner.join();
}

// Collects what a server reports through on_dropped.
struct Drops {
  std::mutex mutex;
  std::vector<std::string> reasons;
  std::function<void(std::string_view)> observer() {
    return [this](std::string_view reason) {
      std::lock_guard lock(mutex);
      reasons.emplace_back(reason);
    };
  }
  bool saw(const std::string& reason) {
    std::lock_guard lock(mutex);
    return std::find(reasons.begin(), reasons.end(), reason) != reasons.end();
  }
};

// Sends `bytes` on a new connection and reads until the server closes it.
std::string send_and_read(const tcp::endpoint& endpoint, const std::string& bytes) {
  net::io_context client_io;
  tcp::socket socket(client_io);
  socket.connect(endpoint);
  if (!bytes.empty()) net::write(socket, net::buffer(bytes));
  std::string answer;
  boost::system::error_code ec;
  char chunk[4096];
  while (!ec) {
    auto n = socket.read_some(net::buffer(chunk), ec);
    answer.append(chunk, n);
  }
  return answer;
}

TEST(HttpServer, TellsWhatItDroppedOnItsOwnAndWhy) {
  net::io_context io;
  HoldingRoutes routes;
  Drops drops;
  ServerOptions options;
  options.request_timeout = std::chrono::seconds(1);
  options.on_dropped = drops.observer();
  HttpServer server(io, options, routes);
  server.start();
  auto work = net::make_work_guard(io);
  std::thread runner([&io] { io.run(); });
  tcp::endpoint endpoint(net::ip::make_address("127.0.0.1"), server.port());

  auto malformed = send_and_read(endpoint, "NOT HTTP AT ALL\r\n\r\n");
  EXPECT_NE(malformed.find("400 Bad Request"), std::string::npos) << malformed;
  auto headers =
      send_and_read(endpoint, "GET / HTTP/1.1\r\nX: " + std::string(20000, 'a') + "\r\n\r\n");
  EXPECT_NE(headers.find("431"), std::string::npos) << headers;
  auto body = send_and_read(endpoint, "POST / HTTP/1.1\r\nContent-Length: 100000\r\n\r\n");
  EXPECT_NE(body.find("413"), std::string::npos) << body;
  // A request that never ends (slowloris): dropped at the request timeout.
  EXPECT_EQ(send_and_read(endpoint, "GET / HTTP/1.1\r\nHost: x\r\n"), "");

  // The client sees its socket closed by the deadline's timer a moment before
  // the server's read handler reports why: wait for the report (bounded).
  for (int i = 0; i < 1000 && !drops.saw("timeout"); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  server.stop_accepting();
  work.reset();
  io.stop();
  runner.join();
  for (const char* reason : {"malformed", "headers_too_large", "body_too_large", "timeout"}) {
    EXPECT_TRUE(drops.saw(reason)) << reason;
  }
}

}  // namespace
}  // namespace chat::web
