#include "server/common/http_server.h"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket/rfc6455.hpp>
#include <iostream>
#include <utility>

#include "server/common/http_util.h"
#include "logging/log.h"

namespace chat::web {

namespace beast = boost::beast;
namespace net = boost::asio;
using tcp = net::ip::tcp;

std::optional<Response> Routes::check_upgrade(const Request& request) {
  return error_response(request, beast::http::status::not_found,
                        "WebSocket connections are not served here");
}

void Routes::upgrade(beast::tcp_stream, Request) {}

namespace {

bool is_quiet(const beast::error_code& ec) {
  return ec == net::error::operation_aborted || ec == beast::http::error::end_of_stream ||
         ec == beast::error::timeout || ec == net::error::connection_reset || ec == net::error::eof;
}

// One connection: read a request, answer it, repeat while keep-alive.
class HttpSession : public std::enable_shared_from_this<HttpSession> {
 public:
  // `slot`: the listener's count of open connections, released with it.
  HttpSession(tcp::socket socket, const ServerOptions& options, Routes& routes,
              std::shared_ptr<void> slot)
      : stream_(std::move(socket)), options_(options), routes_(routes), slot_(std::move(slot)) {}

  void run() {
    beast::error_code ec;
    auto peer = stream_.socket().remote_endpoint(ec);
    if (!ec) peer_ = peer.address().to_string();
    // Enter the connection's strand before touching the stream.
    net::dispatch(stream_.get_executor(),
                  beast::bind_front_handler(&HttpSession::do_read, shared_from_this()));
  }

 private:
  void do_read() {
    parser_.emplace();
    parser_->body_limit(options_.body_bytes_max);
    parser_->header_limit(16 * 1024);
    // A client that opens a connection and says nothing is let go.
    stream_.expires_after(first_request_ ? options_.request_timeout : options_.keep_alive_timeout);
    beast::http::async_read(stream_, buffer_, *parser_,
                            beast::bind_front_handler(&HttpSession::on_read, shared_from_this()));
  }

  void on_read(beast::error_code ec, std::size_t) {
    const bool was_first = std::exchange(first_request_, false);
    if (ec == beast::error::timeout && (was_first || parser_->got_some())) {
      // Nothing said, or a request dribbled out too slowly: the idle wait
      // between two requests of a keep-alive connection is not counted.
      dropped("timeout");
    }
    if (ec == beast::http::error::body_limit) {
      dropped("body_too_large");
      return send(error_response(parser_->get(), beast::http::status::payload_too_large,
                                 "Request body is larger than " +
                                     std::to_string(options_.body_bytes_max) + " bytes"),
                  true);
    }
    if (ec == beast::http::error::header_limit) {
      dropped("headers_too_large");
      return send(
          error_response(parser_->get(), beast::http::status::request_header_fields_too_large,
                         "Request headers are too large"),
          true);
    }
    if (ec) {
      if (is_quiet(ec) || ec == beast::http::error::partial_message) return close();
      // Malformed HTTP: say so, then close, as the stream can't be trusted.
      dropped("malformed");
      return send(error_response(Request{}, beast::http::status::bad_request,
                                 "Malformed HTTP request: " + ec.message()),
                  true);
    }
    Request request = parser_->release();
    request.erase(peer_address_field);  // the client's own would be a lie
    request.set(peer_address_field, peer_);
    head_request_ = request.method() == beast::http::verb::head;
    if (beast::websocket::is_upgrade(request)) return on_upgrade(std::move(request));
    auto self = shared_from_this();
    // Answers given at once run inline on this strand; later ones are posted to it.
    Respond respond = [self](Response response) {
      net::dispatch(self->stream_.get_executor(), [self, response = std::move(response)]() mutable {
        self->send(std::move(response), false);
      });
    };
    stream_.expires_never();  // the routes may take their time (e.g. a server starting)
    routes_.handle(std::move(request), std::move(respond));
  }

  void on_upgrade(Request request) {
    if (auto refusal = routes_.check_upgrade(request)) {
      return send(std::move(*refusal), true);
    }
    stream_.expires_never();  // the WebSocket layer sets its own timeouts
    routes_.upgrade(std::move(stream_), std::move(request));
  }

  void send(Response response, bool close_after) {
    if (close_after) response.keep_alive(false);
    response.prepare_payload();
    if (head_request_) {
      // HEAD: the same headers as GET, Content-Length included, and no body.
      auto length = response.body().size();
      response.body().clear();
      response.content_length(length);
    }
    response_ = std::make_shared<Response>(std::move(response));
    stream_.expires_after(options_.request_timeout);  // a client that stops reading is let go
    beast::http::async_write(stream_, *response_,
                             beast::bind_front_handler(&HttpSession::on_write, shared_from_this(),
                                                       response_->need_eof()));
  }

  void on_write(bool close_after, beast::error_code ec, std::size_t) {
    if (ec) return close();
    if (close_after) return close();
    response_.reset();
    do_read();
  }

  void dropped(std::string_view reason) {
    if (options_.on_dropped) options_.on_dropped(reason);
  }

  void close() {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    stream_.close();
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<beast::http::request_parser<beast::http::string_body>> parser_;
  std::shared_ptr<Response> response_;
  const ServerOptions& options_;
  Routes& routes_;
  std::string peer_;  // the client's address, as the socket says
  bool first_request_ = true;
  bool head_request_ = false;  // the request being answered is a HEAD
  std::shared_ptr<void> slot_;
};

}  // namespace

class HttpServer::Listener : public std::enable_shared_from_this<Listener> {
 public:
  Listener(net::io_context& io, const ServerOptions& options, Routes& routes)
      : io_(io),
        acceptor_(net::make_strand(io)),
        retry_timer_(acceptor_.get_executor()),
        options_(options),
        routes_(routes) {}

  void open() {
    tcp::endpoint endpoint(net::ip::make_address(options_.address), options_.port);
    beast::error_code ec;
    acceptor_.open(endpoint.protocol(), ec);
    if (!ec) acceptor_.set_option(net::socket_base::reuse_address(true), ec);
    if (!ec) acceptor_.bind(endpoint, ec);
    if (!ec) acceptor_.listen(net::socket_base::max_listen_connections, ec);
    if (ec) {
      throw std::runtime_error("cannot listen on " + options_.address + ":" +
                               std::to_string(options_.port) + ": " + ec.message());
    }
    port_ = acceptor_.local_endpoint().port();
  }

  void run() {
    net::dispatch(acceptor_.get_executor(),
                  beast::bind_front_handler(&Listener::do_accept, shared_from_this()));
  }

  void stop() {
    net::dispatch(acceptor_.get_executor(), [self = shared_from_this()] {
      beast::error_code ignored;
      self->acceptor_.close(ignored);
    });
  }

  unsigned short port() const { return port_; }

 private:
  // On the acceptor's strand, as is everything that counts connections.
  void do_accept() {
    if (options_.connections_max != 0 && open_ >= options_.connections_max) {
      // At the cap: leave new connections in the kernel's backlog until one
      // closes, rather than run out of descriptors for the ones we serve.
      if (!paused_ && options_.on_dropped) options_.on_dropped("at_capacity");
      paused_ = true;
      return;
    }
    // Each connection gets its own strand: its handlers never run concurrently.
    acceptor_.async_accept(net::make_strand(io_),
                           beast::bind_front_handler(&Listener::on_accept, shared_from_this()));
  }

  // A slot in the count of open connections, given back when the last owner
  // (the connection's session) lets it go.
  std::shared_ptr<void> take_slot() {
    ++open_;
    return std::shared_ptr<void>(nullptr, [self = shared_from_this()](void*) {
      net::post(self->acceptor_.get_executor(), [self] {
        --self->open_;
        if (self->paused_ && self->acceptor_.is_open()) {
          self->paused_ = false;
          self->do_accept();
        }
      });
    });
  }

  void on_accept(beast::error_code ec, tcp::socket socket) {
    if (ec == net::error::operation_aborted || !acceptor_.is_open()) return;
    if (ec) {
      // e.g. out of file descriptors: keep serving the connections we have,
      // and try again a little later rather than spinning.
      logging::limited(logging::Level::error, "accept failures", "accept: " + ec.message());
      if (options_.on_dropped) options_.on_dropped("accept_failed");
      retry_timer_.expires_after(std::chrono::milliseconds(100));
      retry_timer_.async_wait(
          [self = shared_from_this()](beast::error_code) { self->do_accept(); });
      return;
    } else {
      if (options_.tcp_nodelay) socket.set_option(tcp::no_delay(true), ec);
      std::make_shared<HttpSession>(std::move(socket), options_, routes_, take_slot())->run();
    }
    do_accept();
  }

  net::io_context& io_;
  tcp::acceptor acceptor_;
  net::steady_timer retry_timer_;
  const ServerOptions& options_;
  Routes& routes_;
  unsigned short port_ = 0;
  std::size_t open_ = 0;  // connections in their HTTP phase
  bool paused_ = false;   // not accepting: at connections_max
};

HttpServer::HttpServer(net::io_context& io, ServerOptions options, Routes& routes)
    : io_(io), options_(std::move(options)), routes_(routes) {}

HttpServer::~HttpServer() = default;

void HttpServer::start() {
  listener_ = std::make_shared<Listener>(io_, options_, routes_);
  listener_->open();
  listener_->run();
}

void HttpServer::stop_accepting() {
  if (listener_) listener_->stop();
}

unsigned short HttpServer::port() const { return listener_ ? listener_->port() : 0; }

}  // namespace chat::web
