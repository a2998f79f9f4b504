// A small HTTP/1.1 client for the backend: a few keep-alive connections that
// take requests from one queue, plain or TLS (both stream types are compiled
// in http_client.cc only). Single-threaded: use it from the io_context's thread.
#pragma once

#include "loadgen/config.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl/context.hpp>

#include <functional>
#include <memory>
#include <string>

namespace loadgen {

struct HttpResult {
  int status = 0;      // 0: no answer (see error)
  std::string body;
  std::string error;   // transport failure: connect, TLS, reset, timeout
};

class HttpClient {
 public:
  HttpClient(boost::asio::io_context& io, Target target, boost::asio::ssl::context* tls,
             int connections_max);
  ~HttpClient();
  // path like "/api/login"; bearer empty for none; body sent as JSON when non-empty.
  void request(bool post, std::string path, std::string body, std::string bearer,
               std::function<void(HttpResult)> done);
  std::size_t queued() const;

  struct Impl;

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace loadgen
