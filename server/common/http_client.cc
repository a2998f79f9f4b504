// The only translation unit that instantiates Beast's HTTP client streams.
#include "server/common/http_client.h"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/version.hpp>

namespace chat::web {

namespace beast = boost::beast;
namespace net = boost::asio;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;

std::optional<Url> Url::parse(std::string_view text) {
  Url url;
  if (text.rfind("http://", 0) == 0) {
    text.remove_prefix(7);
  } else if (text.rfind("https://", 0) == 0) {
    url.tls = true;
    text.remove_prefix(8);
  } else {
    return std::nullopt;
  }
  auto slash = text.find('/');
  std::string_view authority = text.substr(0, slash);
  url.target = slash == std::string_view::npos ? "/" : std::string(text.substr(slash));
  auto colon = authority.rfind(':');
  if (colon != std::string_view::npos && authority.find(']') == std::string_view::npos) {
    url.host = authority.substr(0, colon);
    url.port = authority.substr(colon + 1);
  } else {
    url.host = authority;
    url.port = url.tls ? "443" : "80";
  }
  if (url.host.empty() || url.port.empty() ||
      url.port.find_first_not_of("0123456789") != std::string::npos) {
    return std::nullopt;
  }
  return url;
}

namespace {

// One request on one connection, plain or TLS (`Stream`).
template <typename Stream>
class Exchange : public std::enable_shared_from_this<Exchange<Stream>> {
 public:
  template <typename... StreamArgs>
  Exchange(net::io_context& io, Url url, ClientRequest request,
           std::function<void(ClientResponse)> done, StreamArgs&&... stream_args)
      : resolver_(net::make_strand(io)),
        stream_(resolver_.get_executor(), std::forward<StreamArgs>(stream_args)...),
        url_(std::move(url)),
        request_(std::move(request)),
        done_(std::move(done)) {}

  void run() {
    if constexpr (!std::is_same_v<Stream, beast::tcp_stream>) {
      // SNI, and the certificate must name the host we asked for.
      if (!SSL_set_tlsext_host_name(stream_.native_handle(), url_.host.c_str())) {
        return finish("TLS: cannot set the server name");
      }
      stream_.set_verify_callback(ssl::host_name_verification(url_.host));
    }
    lowest().expires_after(request_.timeout);
    resolver_.async_resolve(url_.host, url_.port,
                            [self = this->shared_from_this()](beast::error_code ec,
                                                              tcp::resolver::results_type results) {
                              if (ec) return self->finish("resolve " + self->url_.host + ": " + ec.message());
                              self->lowest().async_connect(
                                  results, [self](beast::error_code ec, const tcp::endpoint&) {
                                    if (ec) return self->finish("connect: " + ec.message());
                                    self->handshake();
                                  });
                            });
  }

 private:
  beast::tcp_stream& lowest() { return beast::get_lowest_layer(stream_); }

  void handshake() {
    if constexpr (std::is_same_v<Stream, beast::tcp_stream>) {
      write();
    } else {
      stream_.async_handshake(ssl::stream_base::client,
                              [self = this->shared_from_this()](beast::error_code ec) {
                                if (ec) return self->finish("TLS handshake: " + ec.message());
                                self->write();
                              });
    }
  }

  void write() {
    message_.method(beast::http::string_to_verb(request_.method));
    message_.target(url_.target);
    message_.version(11);
    message_.set(beast::http::field::host, url_.host);
    message_.set(beast::http::field::user_agent, "scalable-chat-backend");
    for (const auto& [name, value] : request_.headers) message_.set(name, value);
    if (!request_.body.empty()) {
      message_.set(beast::http::field::content_type, "application/json");
      message_.body() = request_.body;
    }
    message_.prepare_payload();
    beast::http::async_write(stream_, message_,
                             [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
                               if (ec) return self->finish("write: " + ec.message());
                               self->read();
                             });
  }

  void read() {
    parser_.body_limit(1 << 20);
    beast::http::async_read(stream_, buffer_, parser_,
                            [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
                              if (ec) return self->finish("read: " + ec.message());
                              ClientResponse response;
                              auto& message = self->parser_.get();
                              response.status = message.result_int();
                              response.body = std::move(message.body());
                              if (auto it = message.find(beast::http::field::retry_after);
                                  it != message.end()) {
                                response.retry_after = it->value();
                              }
                              self->finish(std::move(response));
                            });
  }

  void finish(std::string error) {
    ClientResponse response;
    response.error = std::move(error);
    finish(std::move(response));
  }

  void finish(ClientResponse response) {
    beast::error_code ignored;
    lowest().socket().shutdown(tcp::socket::shutdown_both, ignored);
    if (auto done = std::exchange(done_, nullptr)) done(std::move(response));
  }

  tcp::resolver resolver_;
  Stream stream_;
  Url url_;
  ClientRequest request_;
  std::function<void(ClientResponse)> done_;
  beast::http::request<beast::http::string_body> message_;
  beast::flat_buffer buffer_;
  beast::http::response_parser<beast::http::string_body> parser_;
};

}  // namespace

struct HttpClient::Impl {
  explicit Impl(net::io_context& io) : io(io), tls(ssl::context::tls_client) {
    tls.set_default_verify_paths();
    tls.set_verify_mode(ssl::verify_peer);
  }
  net::io_context& io;
  ssl::context tls;
};

HttpClient::HttpClient(net::io_context& io) : impl_(std::make_unique<Impl>(io)) {}
HttpClient::~HttpClient() = default;

void HttpClient::fetch(ClientRequest request, std::function<void(ClientResponse)> done) {
  auto url = Url::parse(request.url);
  if (!url) {
    ClientResponse response;
    response.error = "not an http(s) URL: " + request.url;
    net::post(impl_->io, [done = std::move(done), response = std::move(response)]() mutable {
      done(std::move(response));
    });
    return;
  }
  if (url->tls) {
    std::make_shared<Exchange<beast::ssl_stream<beast::tcp_stream>>>(
        impl_->io, std::move(*url), std::move(request), std::move(done), impl_->tls)
        ->run();
  } else {
    std::make_shared<Exchange<beast::tcp_stream>>(impl_->io, std::move(*url), std::move(request),
                                                  std::move(done))
        ->run();
  }
}

}  // namespace chat::web
