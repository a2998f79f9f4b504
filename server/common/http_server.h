// A small HTTP/1.1 server on Beast that both binaries use: it accepts on
// one address, reads one request at a time per connection (with a body limit
// and a timeout), hands it to the Routes, and writes the answer, which the
// routes may give later and from any thread. WebSocket upgrade requests are
// offered to the routes, which take the stream.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace chat::web {

using Request = boost::beast::http::request<boost::beast::http::string_body>;
using Response = boost::beast::http::response<boost::beast::http::string_body>;
// Called exactly once per request, from any thread.
using Respond = std::function<void(Response)>;

// HttpServer sets this header on every request to the address of the
// connection's peer, after removing any the client sent: routes tell
// clients apart by it (admission control) without a change to their interface.
inline constexpr std::string_view peer_address_field = "X-Chat-Peer-Address";

class Routes {
 public:
  virtual ~Routes() = default;
  virtual void handle(Request request, Respond respond) = 0;
  // For a WebSocket upgrade request: a refusal to send back (e.g. 401), or
  // nullopt to accept, after which `upgrade` takes over the stream.
  virtual std::optional<Response> check_upgrade(const Request& request);
  virtual void upgrade(boost::beast::tcp_stream stream, Request request);
};

struct ServerOptions {
  std::string address = "127.0.0.1";
  unsigned short port = 0;  // 0: an ephemeral port (tests)
  std::size_t body_bytes_max = 4 * 1024;
  std::chrono::seconds request_timeout{30};  // to read a request, and to write an answer
  std::chrono::seconds keep_alive_timeout{60};
  // Small frames go out at once instead of waiting for the peer's delayed ACK
  // (Nagle): steadier latency, at some cost in frames per CPU-second.
  bool tcp_nodelay = true;
  // Connections served at once (in their HTTP phase: an upgraded WebSocket
  // is its owner's to count); more wait in the kernel's backlog. 0: no cap.
  std::size_t connections_max = 0;
  // Told, from any thread, each time the server drops or holds off a client
  // on its own: "timeout" (nothing said, or a request too slow to arrive),
  // "body_too_large", "headers_too_large", "malformed", "at_capacity" (it
  // stopped accepting at connections_max), "accept_failed". For metrics.
  std::function<void(std::string_view reason)> on_dropped;
};

class HttpServer {
 public:
  HttpServer(boost::asio::io_context& io, ServerOptions options, Routes& routes);
  ~HttpServer();
  // Binds and starts accepting; throws std::runtime_error saying which address failed.
  void start();
  // Stops accepting new connections; connections already open carry on.
  void stop_accepting();
  unsigned short port() const;

 private:
  class Listener;
  boost::asio::io_context& io_;
  ServerOptions options_;
  Routes& routes_;
  std::shared_ptr<Listener> listener_;
};

}  // namespace chat::web
