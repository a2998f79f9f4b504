#include "loadgen/http_client.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include <deque>
#include <vector>

namespace loadgen {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;

namespace {

struct Job {
  bool post = false;
  std::string path;
  std::string body;
  std::string bearer;
  std::function<void(HttpResult)> done;
  bool retried = false;
};

constexpr auto kRequestTimeout = std::chrono::seconds(30);

}  // namespace

struct HttpClient::Impl {
  net::io_context& io;
  Target target;
  net::ssl::context* tls;
  int connections_max;
  std::deque<Job> queue;
  int idle_or_busy = 0;  // connections opened
  std::vector<std::function<void()>> idle;  // wakes an idle connection
  void dispatch();
};

namespace {

// One keep-alive connection: takes a job, runs it, takes the next.
template <class Stream>
class Connection : public std::enable_shared_from_this<Connection<Stream>> {
 public:
  explicit Connection(std::shared_ptr<HttpClient::Impl> client)
      : client_(std::move(client)), resolver_(client_->io) {}

  void next() {
    if (client_->queue.empty()) {
      client_->idle.push_back([self = this->shared_from_this()] { self->next(); });
      return;
    }
    job_ = std::move(client_->queue.front());
    client_->queue.pop_front();
    if (!stream_) return connect();
    write();
  }

 private:
  void connect() {
    stream_ = make_stream();
    resolver_.async_resolve(client_->target.host, client_->target.port,
                            [self = this->shared_from_this()](beast::error_code ec,
                                                              tcp::resolver::results_type r) {
                              if (ec) return self->fail("resolve", ec);
                              self->on_resolve(r);
                            });
  }

  void on_resolve(const tcp::resolver::results_type& results) {
    auto& layer = beast::get_lowest_layer(*stream_);
    // A backend that accepts but never answers must not hold the run.
    layer.expires_after(kRequestTimeout);
    layer.async_connect(results, [self = this->shared_from_this()](beast::error_code ec,
                                                                   const tcp::endpoint&) {
      if (ec) return self->fail("connect", ec);
      self->handshake();
    });
  }

  void handshake() {
    if constexpr (std::is_same_v<Stream, beast::tcp_stream>) {
      write();
    } else {
      SSL_set_tlsext_host_name(stream_->native_handle(), client_->target.host.c_str());
      stream_->set_verify_callback(net::ssl::host_name_verification(client_->target.host));
      stream_->async_handshake(net::ssl::stream_base::client,
                               [self = this->shared_from_this()](beast::error_code ec) {
                                 if (ec) return self->fail("tls", ec);
                                 self->write();
                               });
    }
  }

  void write() {
    request_ = {};
    request_.version(11);
    request_.method(job_.post ? http::verb::post : http::verb::get);
    request_.target(job_.path);
    request_.set(http::field::host, client_->target.authority());
    request_.set(http::field::user_agent, "scalable-chat-loadgen");
    if (!job_.bearer.empty()) request_.set(http::field::authorization, "Bearer " + job_.bearer);
    if (job_.post) {
      request_.set(http::field::content_type, "application/json");
      request_.body() = job_.body;
    }
    request_.keep_alive(true);
    request_.prepare_payload();
    beast::get_lowest_layer(*stream_).expires_after(kRequestTimeout);
    http::async_write(*stream_, request_,
                      [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
                        if (ec) return self->fail("write", ec);
                        self->read();
                      });
  }

  void read() {
    response_ = {};
    http::async_read(*stream_, buffer_, response_,
                     [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
                       if (ec) return self->fail("read", ec);
                       self->on_response();
                     });
  }

  void on_response() {
    HttpResult result;
    result.status = static_cast<int>(response_.result_int());
    result.body = std::move(response_.body());
    bool keep = response_.keep_alive();
    auto done = std::move(job_.done);
    if (!keep) stream_.reset();
    else used_ = true;
    done(std::move(result));
    next();
  }

  void fail(const char* what, beast::error_code ec) {
    bool reused = stream_ && used_;
    stream_.reset();
    buffer_.clear();
    // The backend may close an idle keep-alive connection just as we reuse it.
    if (reused && !job_.retried) {
      job_.retried = true;
      used_ = false;
      client_->queue.push_front(std::move(job_));
      return next();
    }
    HttpResult result;
    result.error = std::string(what) + ": " + ec.message();
    auto done = std::move(job_.done);
    done(std::move(result));
    next();
  }

  std::unique_ptr<Stream> make_stream() {
    used_ = false;
    if constexpr (std::is_same_v<Stream, beast::tcp_stream>) {
      return std::make_unique<Stream>(client_->io);
    } else {
      return std::make_unique<Stream>(client_->io, *client_->tls);
    }
  }

  std::shared_ptr<HttpClient::Impl> client_;
  tcp::resolver resolver_;
  std::unique_ptr<Stream> stream_;
  bool used_ = false;  // served a request: a failure may be a stale keep-alive
  beast::flat_buffer buffer_;
  http::request<http::string_body> request_;
  http::response<http::string_body> response_;
  Job job_;
};

}  // namespace

void HttpClient::Impl::dispatch() {
  while (!queue.empty() && !idle.empty()) {
    auto wake = std::move(idle.back());
    idle.pop_back();
    wake();
  }
}

HttpClient::HttpClient(net::io_context& io, Target target, net::ssl::context* tls,
                       int connections_max)
    : impl_(std::make_shared<Impl>(Impl{io, std::move(target), tls, connections_max, {}, 0, {}})) {}

HttpClient::~HttpClient() = default;

std::size_t HttpClient::queued() const { return impl_->queue.size(); }

void HttpClient::request(bool post, std::string path, std::string body, std::string bearer,
                         std::function<void(HttpResult)> done) {
  impl_->queue.push_back(Job{post, std::move(path), std::move(body), std::move(bearer),
                             std::move(done), false});
  if (!impl_->idle.empty()) return impl_->dispatch();
  if (impl_->idle_or_busy < impl_->connections_max) {
    ++impl_->idle_or_busy;
    if (impl_->target.tls) {
      std::make_shared<Connection<beast::ssl_stream<beast::tcp_stream>>>(impl_)->next();
    } else {
      std::make_shared<Connection<beast::tcp_stream>>(impl_)->next();
    }
  }
}

}  // namespace loadgen
