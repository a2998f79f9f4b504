#include "loadgen/ws_client.h"

#include <netinet/in.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <map>
#include <vector>

#include "network/host_port.h"
#include "network/tls_client.h"

namespace loadgen {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = net::ip::tcp;

namespace {

// host:port -> endpoint, resolved once per run (bots connect to few hosts).
std::map<std::string, tcp::endpoint> g_endpoints;

// `host_port` is what the backend's look-up named: "host:port" or "[v6]:port".
bool resolve(net::io_context& io, const std::string& host_port, bool tls, tcp::endpoint& endpoint,
             std::string& host, std::string& error) {
  auto parsed = network::parse_host_port(host_port, tls ? 443 : 80);
  if (!parsed) {
    error = "resolve: the look-up named " + parsed.error();
    return false;
  }
  host = parsed->host;
  if (auto it = g_endpoints.find(host_port); it != g_endpoints.end()) {
    endpoint = it->second;
    return true;
  }
  beast::error_code ec;
  tcp::resolver resolver(io);
  // Once per host: blocking is fine.
  auto results = resolver.resolve(parsed->host, std::to_string(parsed->port), ec);
  if (ec || results.empty()) {
    error = "resolve " + host_port + ": " + ec.message();
    return false;
  }
  endpoint = results.begin()->endpoint();
  g_endpoints[host_port] = endpoint;
  return true;
}

template <class Stream>
class Connection final : public WsConnection,
                         public std::enable_shared_from_this<Connection<Stream>> {
 public:
  template <class... Args>
  Connection(WsHandler* handler, Args&&... args)
      : ws_(std::forward<Args>(args)...), handler_(handler) {}

  void start(const WsSettings& settings, const tcp::endpoint& endpoint, std::string host,
             std::string host_port, std::string target, std::uint32_t bot_index) {
    auto& socket = beast::get_lowest_layer(ws_);
    beast::error_code ec;
    socket.open(endpoint.protocol(), ec);
    if (ec) return fail(WsFailure::socket, "socket: " + ec.message());
    // Small frames: Nagle would hold a message back until the last one is acked.
    socket.set_option(tcp::no_delay(true), ec);
    auto address = endpoint.address();
    if (settings.source_addresses > 0 && address.is_v4() && address.is_loopback()) {
      // ~28,000 ports per source address: spread bots over 127.0.0.2, .3, ...
      int one = 1;
      ::setsockopt(socket.native_handle(), IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof one);
      auto source = net::ip::address_v4(
          0x7f000000u + static_cast<std::uint32_t>(settings.source_address_first) +
          bot_index % static_cast<std::uint32_t>(settings.source_addresses));
      socket.bind(tcp::endpoint(source, 0), ec);
      if (ec) return fail(WsFailure::bind, "bind " + source.to_string() + ": " + ec.message());
    }
    websocket::stream_base::timeout timeouts =
        websocket::stream_base::timeout::suggested(beast::role_type::client);
    timeouts.handshake_timeout = std::chrono::seconds(15);
    ws_.set_option(timeouts);
    if (!settings.subprotocol.empty()) {
      ws_.set_option(websocket::stream_base::decorator(
          [subprotocol = &settings.subprotocol](websocket::request_type& request) {
            request.set(beast::http::field::sec_websocket_protocol, *subprotocol);
          }));
    }
    subprotocol_ = &settings.subprotocol;
    socket.async_connect(endpoint, [self = this->shared_from_this(), host = std::move(host),
                                    host_port = std::move(host_port),
                                    target = std::move(target)](beast::error_code ec) mutable {
      if (ec) return self->fail(WsFailure::connect, "connect: " + ec.message());
      self->tls_handshake(std::move(host), std::move(host_port), std::move(target));
    });
  }

  void send(std::string text) override {
    if (closed_) return;
    if (writing_) {
      queue_.push_back(std::move(text));
      return;
    }
    write(std::move(text));
  }

  void close() override {
    if (closed_ || closing_ || !open_) {
      if (!open_ && !closed_) {  // still connecting: just drop the socket
        beast::error_code ec;
        beast::get_lowest_layer(ws_).close(ec);
      }
      return;
    }
    closing_ = true;
    ws_.async_close(websocket::close_code::normal,
                    [self = this->shared_from_this()](beast::error_code) {});
  }

 private:
  void tls_handshake(std::string host, std::string host_port, std::string target) {
    if constexpr (std::is_same_v<Stream, websocket::stream<tcp::socket>>) {
      upgrade(std::move(host_port), std::move(target));
    } else {
      auto& tls = ws_.next_layer();
      auto problem = network::prepare_tls_client(tls.native_handle(), host);
      if (!problem.empty()) return fail(WsFailure::tls, "tls: " + problem);
      tls.async_handshake(net::ssl::stream_base::client,
                          [self = this->shared_from_this(), host_port = std::move(host_port),
                           target = std::move(target)](beast::error_code ec) mutable {
                            if (ec) return self->fail(WsFailure::tls, "tls: " + ec.message());
                            self->upgrade(std::move(host_port), std::move(target));
                          });
    }
  }

  void upgrade(std::string host_port, std::string target) {
    // Kept only during the handshake: it tells a refusal (401) apart.
    auto response = std::make_shared<websocket::response_type>();
    ws_.async_handshake(*response, host_port, target,
                        [self = this->shared_from_this(), response](beast::error_code ec) {
                          self->on_upgrade(ec, *response);
                        });
  }

  void on_upgrade(beast::error_code ec, websocket::response_type& response) {
    if (ec) {
      if (response.result_int() != 0 && response.result_int() != 101) {
        WsClosed closed;
        closed.failure = WsFailure::refused;
        closed.http_status = response.result_int();
        auto detail = "http " + std::to_string(response.result_int()) + ": " + response.body();
        closed.detail = detail;
        return finish(closed);
      }
      return fail(WsFailure::handshake, "handshake: " + ec.message());
    }
    if (!subprotocol_->empty() &&
        response[beast::http::field::sec_websocket_protocol] != *subprotocol_) {
      fail(WsFailure::subprotocol, "subprotocol " + *subprotocol_ + " not echoed by the server");
      return close();
    }
    open_ = true;
    handler_->on_open();
    read();
  }

  void read() {
    ws_.async_read(buffer_, [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
      self->on_read(ec);
    });
  }

  void on_read(beast::error_code ec) {
    if (ec) {
      if (ec == websocket::error::closed) {
        auto& reason = ws_.reason();
        WsClosed closed;
        closed.close_code = reason.code;
        closed.reason = std::string_view(reason.reason.data(), reason.reason.size());
        return finish(closed);
      }
      if (closing_) return finish(WsClosed{});  // our own close
      return fail(WsFailure::read, "read: " + ec.message());
    }
    auto data = buffer_.cdata();
    handler_->on_frame(std::string_view(static_cast<const char*>(data.data()), data.size()));
    buffer_.consume(buffer_.size());
    // Whole snapshots (compat mode) would otherwise pin ~10 KB per bot.
    if (buffer_.capacity() > 4096) buffer_.shrink_to_fit();
    read();
  }

  void write(std::string text) {
    writing_ = true;
    auto owned = std::make_shared<std::string>(std::move(text));
    ws_.text(true);
    ws_.async_write(net::buffer(*owned),
                    [self = this->shared_from_this(), owned](beast::error_code ec, std::size_t) {
                      self->writing_ = false;
                      if (ec) return;  // the read side reports the failure
                      if (!self->queue_.empty()) {
                        auto next = std::move(self->queue_.front());
                        self->queue_.erase(self->queue_.begin());
                        self->write(std::move(next));
                      }
                    });
  }

  void fail(WsFailure failure, const std::string& detail) {
    WsClosed closed;
    closed.failure = failure;
    closed.detail = detail;
    finish(closed);
  }

  void finish(const WsClosed& closed) {
    if (closed_) return;
    closed_ = true;
    queue_.clear();
    handler_->on_closed(closed);
  }

  Stream ws_;
  WsHandler* handler_;
  beast::flat_buffer buffer_;
  std::vector<std::string> queue_;
  bool writing_ = false;
  bool open_ = false;
  bool closing_ = false;
  bool closed_ = false;
  const std::string* subprotocol_ = nullptr;  // the engine's settings outlive every connection
};

using PlainWs = websocket::stream<tcp::socket>;
using TlsWs = websocket::stream<net::ssl::stream<tcp::socket>>;

}  // namespace

std::string WsClosed::category() const {
  switch (failure) {
    case WsFailure::none:
      return close_code ? "ws_close_" + std::to_string(close_code) : "ws_closed";
    case WsFailure::resolve:
      return "ws_resolve";
    case WsFailure::socket:
      return "ws_socket";
    case WsFailure::bind:
      return "ws_bind";
    case WsFailure::connect:
      return "ws_connect";
    case WsFailure::tls:
      return "ws_tls";
    case WsFailure::refused:
      return "ws_http_" + std::to_string(http_status);
    case WsFailure::handshake:
      return "ws_handshake";
    case WsFailure::subprotocol:
      return "ws_subprotocol";
    case WsFailure::read:
      return "ws_read";
  }
  return "ws_unknown";
}

std::shared_ptr<WsConnection> ws_connect(const WsSettings& settings, const std::string& host_port,
                                         const std::string& token, WsHandler* handler,
                                         std::uint32_t bot_index) {
  tcp::endpoint endpoint;
  std::string host, error;
  std::string target = "/?token=" + token;
  if (settings.tls) {
    auto connection = std::make_shared<Connection<TlsWs>>(handler, *settings.io, *settings.tls);
    if (!resolve(*settings.io, host_port, settings.tls != nullptr, endpoint, host, error)) {
      handler->on_closed(WsClosed{0, {}, WsFailure::resolve, 0, error});
      return nullptr;
    }
    connection->start(settings, endpoint, host, host_port, target, bot_index);
    return connection;
  }
  auto connection = std::make_shared<Connection<PlainWs>>(handler, *settings.io);
  if (!resolve(*settings.io, host_port, settings.tls != nullptr, endpoint, host, error)) {
    handler->on_closed(WsClosed{0, {}, WsFailure::resolve, 0, error});
    return nullptr;
  }
  connection->start(settings, endpoint, host, host_port, target, bot_index);
  return connection;
}

}  // namespace loadgen
