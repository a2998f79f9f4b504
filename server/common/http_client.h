// A small asynchronous HTTP/1.1 client for the backend's own calls: polling
// session servers' /status, and Hathora Cloud's REST API over HTTPS (peer
// certificates verified). One connection per request, a deadline on each.
#pragma once

#include <boost/asio/io_context.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace chat::web {

struct Url {
  bool tls = false;
  std::string host;
  std::string port;
  std::string target;  // path and query, "/" at least
  // "http://h:p/path" or "https://h/path"; nullopt for anything else.
  static std::optional<Url> parse(std::string_view text);
};

struct ClientRequest {
  std::string method = "GET";
  std::string url;
  std::string body;  // sent as JSON when not empty
  std::vector<std::pair<std::string, std::string>> headers;
  std::chrono::milliseconds timeout{2000};
};

struct ClientResponse {
  std::string error;    // empty on success: a transport failure otherwise
  unsigned status = 0;  // HTTP status when error is empty
  std::string body;
  std::string retry_after;  // the Retry-After header, if any
};

class HttpClient {
 public:
  explicit HttpClient(boost::asio::io_context& io);
  ~HttpClient();
  // Calls `done` once, on one of the io_context's threads.
  void fetch(ClientRequest request, std::function<void(ClientResponse)> done);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace chat::web
