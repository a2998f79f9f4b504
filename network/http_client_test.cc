// The client against real loopback servers, scripted per test: answers,
// keep-alive, a server that closes idle connections, one that never answers.
// Nothing here waits for a duration: each step waits for the event it needs.
#include "network/http_client.h"

#include <gtest/gtest.h>
#include <sys/socket.h>

#include <atomic>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <condition_variable>
#include <functional>
#include <future>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

namespace network {
namespace {

namespace net = boost::asio;
using tcp = net::ip::tcp;

struct ReceivedRequest {
  std::string method;
  std::string target;
  std::map<std::string, std::string> headers;  // names in lower case
  std::string body;
};

// One accepted connection, read and written with blocking calls.
class ServerConnection {
 public:
  ServerConnection(tcp::socket socket, int index) : socket_(std::move(socket)), index_(index) {}
  int index() const { return index_; }

  // The next request, or nothing when the client closed the connection.
  std::optional<ReceivedRequest> read_request() {
    boost::system::error_code ec;
    auto header_end = net::read_until(socket_, net::dynamic_buffer(buffer_), "\r\n\r\n", ec);
    if (ec) return std::nullopt;
    ReceivedRequest request;
    std::string head = buffer_.substr(0, header_end);
    buffer_.erase(0, header_end);
    auto line_end = head.find("\r\n");
    auto first_space = head.find(' ');
    request.method = head.substr(0, first_space);
    request.target = head.substr(first_space + 1, head.rfind(' ', line_end) - first_space - 1);
    for (auto start = line_end + 2; start < head.size();) {
      auto end = head.find("\r\n", start);
      auto line = head.substr(start, end - start);
      start = end + 2;
      auto colon = line.find(':');
      if (colon == std::string::npos) continue;
      std::string name = line.substr(0, colon);
      for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      request.headers[name] = line.substr(line.find_first_not_of(' ', colon + 1));
    }
    std::size_t length = 0;
    if (auto it = request.headers.find("content-length"); it != request.headers.end()) {
      length = std::stoul(it->second);  // our own client's header, in a test
    }
    if (buffer_.size() < length) {
      net::read(socket_, net::dynamic_buffer(buffer_),
                net::transfer_exactly(length - buffer_.size()), ec);
      if (ec) return std::nullopt;
    }
    request.body = buffer_.substr(0, length);
    buffer_.erase(0, length);
    return request;
  }

  void write(const std::string& raw) {
    boost::system::error_code ignored;
    net::write(socket_, net::buffer(raw), ignored);
  }

  // Blocks until the client closes its side.
  void wait_for_close() {
    while (read_request()) {
    }
  }

  void close() {
    boost::system::error_code ignored;
    socket_.shutdown(tcp::socket::shutdown_both, ignored);
    socket_.close(ignored);
  }

  int native_handle() { return socket_.native_handle(); }

 private:
  tcp::socket socket_;
  int index_;
  std::string buffer_;
};

std::string answer(int status, const std::string& body, const std::string& extra_headers = {}) {
  return "HTTP/1.1 " + std::to_string(status) +
         " Whatever\r\nContent-Length: " + std::to_string(body.size()) + "\r\n" + extra_headers +
         "\r\n" + body;
}

// Serves each connection on its own thread with `serve`, on 127.0.0.1:<free port>.
class LoopbackServer {
 public:
  explicit LoopbackServer(std::function<void(ServerConnection&)> serve)
      : serve_(std::move(serve)),
        acceptor_(io_, tcp::endpoint(net::ip::address_v4::loopback(), 0)) {
    port_ = acceptor_.local_endpoint().port();
    accept_thread_ = std::thread([this] { accept_loop(); });
  }

  ~LoopbackServer() {
    stopping_ = true;
    {
      // Wakes the blocking accept.
      tcp::socket waker(io_);
      boost::system::error_code ignored;
      waker.connect(tcp::endpoint(net::ip::address_v4::loopback(), port_), ignored);
    }
    accept_thread_.join();
    {
      // Wakes handlers blocked on a client that keeps its connection open.
      std::lock_guard lock(mutex_);
      for (auto* connection : connections_) ::shutdown(connection->native_handle(), SHUT_RDWR);
    }
    for (auto& thread : threads_) thread.join();
  }

  std::string url(const std::string& target = "/") const {
    return "http://127.0.0.1:" + std::to_string(port_) + target;
  }
  std::uint16_t port() const { return port_; }
  int connections() const { return accepted_.load(); }

 private:
  void accept_loop() {
    for (;;) {
      boost::system::error_code ec;
      tcp::socket socket(io_);
      acceptor_.accept(socket, ec);
      if (stopping_ || ec) return;
      int index = accepted_++;
      threads_.emplace_back([this, socket = std::move(socket), index]() mutable {
        ServerConnection connection(std::move(socket), index);
        {
          std::lock_guard lock(mutex_);
          connections_.push_back(&connection);
        }
        serve_(connection);
        std::lock_guard lock(mutex_);
        std::erase(connections_, &connection);
      });
    }
  }

  std::function<void(ServerConnection&)> serve_;
  net::io_context io_;
  tcp::acceptor acceptor_;
  std::uint16_t port_ = 0;
  std::atomic<bool> stopping_{false};
  std::atomic<int> accepted_{0};
  std::thread accept_thread_;
  std::vector<std::thread> threads_;  // joined only by the destructor (after accept stops)
  std::mutex mutex_;
  std::vector<ServerConnection*> connections_;
};

// Answers every request on the connection with 200 and the request's target.
void echo_target(ServerConnection& connection) {
  while (auto request = connection.read_request()) {
    connection.write(answer(200, request->target));
  }
}

// Runs `io` on this thread until the one request completes.
HttpResponse fetch(net::io_context& io, HttpClient& client, HttpRequest request) {
  std::optional<HttpResponse> response;
  client.async_fetch(std::move(request), [&](HttpResponse r) { response = std::move(r); });
  io.restart();
  while (!response) io.run_one();
  return std::move(*response);
}

HttpRequest get(const std::string& url) {
  HttpRequest request;
  request.url = url;
  return request;
}

// A signal from a server thread to the test.
class Flag {
 public:
  void set() {
    std::lock_guard lock(mutex_);
    set_ = true;
    changed_.notify_all();
  }
  void wait() {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [this] { return set_; });
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  bool set_ = false;
};

TEST(HttpClient, StatusBodyRetryAfterAndWhatWasSent) {
  std::promise<ReceivedRequest> received;
  LoopbackServer server([&](ServerConnection& connection) {
    if (auto request = connection.read_request()) {
      received.set_value(*request);
      connection.write(answer(503, "full", "Retry-After: 7\r\n"));
    }
    connection.wait_for_close();
  });
  net::io_context io;
  HttpClient client(io.get_executor());
  HttpRequest request;
  request.method = "POST";
  request.url = server.url("/api/rooms?x=1");
  request.bearer = "abc";
  request.body = R"({"a":1})";
  request.headers = {{"X-Trace", "t1"}};

  auto response = fetch(io, client, request);
  ASSERT_TRUE(response.answered()) << response.error;
  EXPECT_EQ(response.status, 503u);
  EXPECT_EQ(response.body, "full");
  EXPECT_EQ(response.retry_after, "7");

  auto sent = received.get_future().get();
  EXPECT_EQ(sent.method, "POST");
  EXPECT_EQ(sent.target, "/api/rooms?x=1");
  EXPECT_EQ(sent.headers["host"], "127.0.0.1:" + std::to_string(server.port()));
  EXPECT_EQ(sent.headers["authorization"], "Bearer abc");
  EXPECT_EQ(sent.headers["content-type"], "application/json");
  EXPECT_EQ(sent.headers["x-trace"], "t1");
  EXPECT_EQ(sent.body, R"({"a":1})");
}

TEST(HttpClient, ReusesAKeepAliveConnection) {
  LoopbackServer server(echo_target);
  net::io_context io;
  HttpClient client(io.get_executor());
  EXPECT_EQ(fetch(io, client, get(server.url("/one"))).body, "/one");
  EXPECT_EQ(fetch(io, client, get(server.url("/two"))).body, "/two");
  EXPECT_EQ(fetch(io, client, get(server.url("/three"))).body, "/three");
  EXPECT_EQ(server.connections(), 1);
}

TEST(HttpClient, SendsAgainOnceWhenTheServerClosedAnIdleConnection) {
  Flag first_closed;
  LoopbackServer server([&](ServerConnection& connection) {
    if (connection.index() == 0) {
      // Keep-alive promised, then the connection is closed while idle.
      if (connection.read_request()) connection.write(answer(200, "first"));
      connection.close();
      first_closed.set();
      return;
    }
    echo_target(connection);
  });
  net::io_context io;
  HttpClient client(io.get_executor());
  ASSERT_EQ(fetch(io, client, get(server.url("/a"))).body, "first");
  first_closed.wait();
  auto response = fetch(io, client, get(server.url("/b")));
  ASSERT_TRUE(response.answered()) << response.error;
  EXPECT_EQ(response.body, "/b");
  EXPECT_EQ(server.connections(), 2);
}

TEST(HttpClient, DoesNotSendAgainOnAFreshConnection) {
  LoopbackServer server([](ServerConnection& connection) {
    connection.read_request();
    connection.close();  // no answer
  });
  net::io_context io;
  HttpClient client(io.get_executor());
  auto response = fetch(io, client, get(server.url()));
  EXPECT_EQ(response.failure, HttpFailure::receive) << response.error;
  EXPECT_EQ(server.connections(), 1);
}

TEST(HttpClient, AServerThatNeverAnswersMeetsTheDeadline) {
  LoopbackServer server([](ServerConnection& connection) { connection.wait_for_close(); });
  net::io_context io;
  HttpClient client(io.get_executor());
  auto request = get(server.url("/status"));
  request.timeout = std::chrono::milliseconds(100);
  auto response = fetch(io, client, request);
  EXPECT_EQ(response.failure, HttpFailure::timeout) << response.error;
  EXPECT_NE(response.error.find("100 ms"), std::string::npos) << response.error;
}

TEST(HttpClient, ConnectionRefusedIsATransportFailure) {
  std::uint16_t closed_port = 0;
  {
    net::io_context io;
    tcp::acceptor acceptor(io, tcp::endpoint(net::ip::address_v4::loopback(), 0));
    closed_port = acceptor.local_endpoint().port();
  }
  net::io_context io;
  HttpClient client(io.get_executor());
  auto response = fetch(io, client, get("http://127.0.0.1:" + std::to_string(closed_port) + "/"));
  EXPECT_EQ(response.failure, HttpFailure::connect) << response.error;
  EXPECT_EQ(response.status, 0u);
  EXPECT_NE(response.error.find("127.0.0.1:" + std::to_string(closed_port)), std::string::npos)
      << response.error;
}

TEST(HttpClient, RefusesWhatItCannotSend) {
  net::io_context io;
  HttpClient client(io.get_executor());
  EXPECT_EQ(fetch(io, client, get("ws://127.0.0.1:1/")).failure, HttpFailure::bad_request);
  EXPECT_EQ(fetch(io, client, get("127.0.0.1:1")).failure, HttpFailure::bad_request);
  auto request = get("http://127.0.0.1:1/");
  request.method = "FETCH";
  EXPECT_EQ(fetch(io, client, request).failure, HttpFailure::bad_request);
}

TEST(HttpClient, AtMostTheConnectionLimitPerOriginTheRestQueue) {
  std::mutex mutex;
  std::condition_variable changed;
  int requests_waiting = 0;
  bool release = false;
  LoopbackServer server([&](ServerConnection& connection) {
    while (auto request = connection.read_request()) {
      std::unique_lock lock(mutex);
      ++requests_waiting;
      changed.notify_all();
      changed.wait(lock, [&] { return release; });
      lock.unlock();
      connection.write(answer(200, request->target));
    }
  });
  net::io_context io;
  auto work = net::make_work_guard(io);
  std::thread runner([&] { io.run(); });
  HttpClientOptions options;
  options.connections_per_origin_max = 2;
  HttpClient client(io.get_executor(), options);
  std::atomic<int> answered{0};
  std::promise<void> all_answered;
  for (const char* target : {"/1", "/2", "/3"}) {
    client.async_fetch(get(server.url(target)), [&](HttpResponse response) {
      if (response.status == 200 && ++answered == 3) all_answered.set_value();
    });
  }
  {
    std::unique_lock lock(mutex);
    changed.wait(lock, [&] { return requests_waiting == 2; });
    EXPECT_EQ(client.queued(), 1u);
    release = true;
    changed.notify_all();
  }
  all_answered.get_future().wait();
  EXPECT_EQ(server.connections(), 2);
  EXPECT_EQ(client.queued(), 0u);
  work.reset();
  runner.join();
}

TEST(HttpClient, ARequestWaitingForAConnectionMeetsItsDeadline) {
  Flag first_arrived, release;
  LoopbackServer server([&](ServerConnection& connection) {
    while (auto request = connection.read_request()) {
      first_arrived.set();
      release.wait();
      connection.write(answer(200, request->target));
    }
  });
  net::io_context io;
  auto work = net::make_work_guard(io);
  std::thread runner([&] { io.run(); });
  HttpClientOptions options;
  options.connections_per_origin_max = 1;
  HttpClient client(io.get_executor(), options);
  std::promise<HttpResponse> slow, waiting;
  client.async_fetch(get(server.url("/slow")), [&](HttpResponse r) { slow.set_value(r); });
  first_arrived.wait();
  auto request = get(server.url("/waiting"));
  request.timeout = std::chrono::milliseconds(50);
  client.async_fetch(request, [&](HttpResponse r) { waiting.set_value(r); });
  // The only connection is still busy: the deadline ends the wait.
  auto expired = waiting.get_future().get();
  EXPECT_EQ(expired.failure, HttpFailure::timeout) << expired.error;
  EXPECT_EQ(client.queued(), 0u);
  release.set();
  EXPECT_EQ(slow.get_future().get().body, "/slow");
  work.reset();
  runner.join();
}

TEST(HttpClient, CallsFromTwoThreadsOnAMultiThreadedContext) {
  LoopbackServer server(echo_target);
  net::io_context io;
  auto work = net::make_work_guard(io);
  std::vector<std::thread> runners;
  for (int i = 0; i < 2; ++i) runners.emplace_back([&] { io.run(); });
  HttpClient client(io.get_executor());
  constexpr int kPerThread = 50;
  std::atomic<int> right{0}, done{0};
  std::promise<void> all_done;
  auto call_many = [&](const std::string& prefix) {
    for (int i = 0; i < kPerThread; ++i) {
      auto target = "/" + prefix + std::to_string(i);
      client.async_fetch(get(server.url(target)), [&, target](HttpResponse response) {
        if (response.status == 200 && response.body == target) ++right;
        if (++done == 2 * kPerThread) all_done.set_value();
      });
    }
  };
  std::thread a(call_many, "a"), b(call_many, "b");
  a.join();
  b.join();
  all_done.get_future().wait();
  EXPECT_EQ(right.load(), 2 * kPerThread);
  EXPECT_LE(server.connections(), HttpClientOptions{}.connections_per_origin_max);
  work.reset();
  for (auto& runner : runners) runner.join();
}

TEST(HttpClient, WorksAsAnAwaitable) {
  LoopbackServer server(echo_target);
  net::io_context io;
  HttpClient client(io.get_executor());
  std::vector<std::string> bodies;
  net::co_spawn(
      io,
      [&]() -> net::awaitable<void> {
        for (const char* target : {"/x", "/y"}) {
          auto response = co_await client.async_fetch(get(server.url(target)), net::use_awaitable);
          bodies.push_back(response.body);
        }
      },
      net::detached);
  io.run();
  EXPECT_EQ(bodies, (std::vector<std::string>{"/x", "/y"}));
}

TEST(HttpClient, DestroyingTheClientFailsWhatIsPending) {
  Flag request_arrived;
  LoopbackServer server([&](ServerConnection& connection) {
    connection.read_request();
    request_arrived.set();
    connection.wait_for_close();
  });
  net::io_context io;
  auto work = net::make_work_guard(io);
  std::thread runner([&] { io.run(); });
  auto client = std::make_unique<HttpClient>(io.get_executor());
  std::promise<HttpResponse> response;
  client->async_fetch(get(server.url()), [&](HttpResponse r) { response.set_value(r); });
  request_arrived.wait();
  client.reset();
  EXPECT_EQ(response.get_future().get().failure, HttpFailure::shut_down);
  work.reset();
  runner.join();
}

}  // namespace
}  // namespace network
