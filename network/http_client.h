// One asynchronous HTTP/1.1 client for everything that calls out: the
// backend (session servers' /status, Hathora Cloud's REST API over HTTPS) and
// the load generator (one backend, a few keep-alive connections).
//
// Keep-alive connections are pooled per origin (scheme, host, port), at most
// `connections_per_origin_max` each; requests beyond that wait in the origin's
// queue. Safe to call from any thread: all of its state lives on its own
// strand. A request's deadline counts from the call and covers waiting,
// connecting and the whole answer. Transport failures come back as values,
// apart from HTTP statuses (a 503 is an answer).
//
//   client.async_fetch(request, [](network::HttpResponse response) { ... });
//   auto response = co_await client.async_fetch(request, boost::asio::use_awaitable);
#pragma once

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/ssl/context.hpp>
#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace network {

enum class HttpFailure {
  none,         // an answer: see status
  bad_request,  // not an http(s) URL, an unknown method: nothing was sent
  resolve,
  connect,
  tls,  // the handshake, or the peer's certificate
  send,
  receive,    // the connection failed or closed before the whole answer
  timeout,    // the deadline passed
  shut_down,  // the client was destroyed first
};

std::string_view failure_name(HttpFailure failure);  // "connect", "timeout", ...

struct HttpRequest {
  std::string method = "GET";
  std::string url;  // absolute: http://host[:port]/path?query or https://...
  std::vector<std::pair<std::string, std::string>> headers;
  std::string bearer;  // when not empty: "Authorization: Bearer <bearer>"
  std::string body;    // when not empty: sent as application/json (a header may override)
  std::chrono::milliseconds timeout{30'000};
};

struct HttpResponse {
  HttpFailure failure = HttpFailure::none;
  std::string error;    // when failure != none: what failed, with which peer, and why
  unsigned status = 0;  // when failure == none
  std::string body;
  std::string retry_after;  // the Retry-After header, if any

  bool answered() const { return failure == HttpFailure::none; }
};

struct HttpClientOptions {
  int connections_per_origin_max = 4;
  // For https://; null: the system's CAs (make_tls_client_context()).
  std::shared_ptr<boost::asio::ssl::context> tls;
  // An idle keep-alive connection older than this is closed, not reused:
  // servers close theirs after a while, and gone peers must not pin sockets.
  std::chrono::milliseconds idle_max{15'000};
  std::size_t response_bytes_max = 8u << 20;
  std::string user_agent = "scalable-chat";
};

class HttpClient {
 public:
  using Signature = void(HttpResponse);

  explicit HttpClient(boost::asio::any_io_executor executor, HttpClientOptions options = {});
  // Requests still pending complete with HttpFailure::shut_down.
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // Completes once, on the completion handler's associated executor (by
  // default the executor given to the constructor, never inside this call).
  template <typename CompletionToken>
  auto async_fetch(HttpRequest request, CompletionToken&& token) {
    return boost::asio::async_initiate<CompletionToken, Signature>(
        [this](auto handler, HttpRequest request) {
          start(std::move(request), Handler(std::move(handler)));
        },
        token, std::move(request));
  }

  // Requests waiting for a free connection.
  std::size_t queued() const;

  struct State;

 private:
  using Handler = boost::asio::any_completion_handler<Signature>;
  void start(HttpRequest request, Handler handler);

  std::shared_ptr<State> state_;
};

}  // namespace network
