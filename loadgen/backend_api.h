// The backend's HTTP API as the bots use it (docs/PROTOCOL.md): log in,
// create a room, look a room up, read /metrics. Each answer is classified
// from its HTTP status and JSON fields into a value or an ApiError, whose
// category names the report's error counters.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "network/http_client.h"
#include "network/url.h"

namespace loadgen {

struct ApiError {
  enum class Kind {
    transport,   // no answer: see failure
    status,      // an answer other than 200
    bad_answer,  // 200 without the fields the protocol promises
    no_host,     // a look-up: the room waits for a session server that is starting
  };
  Kind kind = Kind::transport;
  network::HttpFailure failure = network::HttpFailure::none;
  unsigned status = 0;
  std::string detail;  // the answer's body, or what failed: for the report's samples
  // The answer's Retry-After (whole seconds; an HTTP date reads as none),
  // which a 503 or a 429 carries: how long to wait before asking again.
  std::chrono::milliseconds retry_after{0};

  // "<call>_transport", "<call>_http_<status>", "<call>_bad_answer", "<call>_no_host".
  std::string category(std::string_view call) const;
  bool is_status(unsigned expected) const { return kind == Kind::status && status == expected; }
};

template <typename T>
struct ApiResult {
  std::optional<T> value;
  ApiError error;  // when there is no value

  explicit operator bool() const { return value.has_value(); }
};

struct Placement {
  std::string host;   // host:port of the session server
  std::string token;  // the session token for its WebSocket
};

// The look-up's path: /api/rooms/<id>, with ?unreachable=<host> (escaped) when given.
std::string lookup_path(std::string_view room_id, std::string_view unreachable);

// The answers, read: pure functions of a response.
ApiResult<std::string> read_login(const network::HttpResponse& response);         // the user token
ApiResult<std::string> read_created_room(const network::HttpResponse& response);  // its id
ApiResult<Placement> read_placement(const network::HttpResponse& response);
ApiResult<std::string> read_metrics(const network::HttpResponse& response);  // the text

class BackendApi {
 public:
  // `origin`: the backend, e.g. http://127.0.0.1:8080. `admin`: its
  // operators' listener, where /metrics is (with `admin_token`, if any).
  BackendApi(network::HttpClient& http, network::Url origin,
             std::optional<network::Url> admin = std::nullopt, std::string admin_token = {});

  // Parameters by value: each call is a coroutine that outlives its caller's arguments.
  boost::asio::awaitable<ApiResult<std::string>> login(std::string user);
  boost::asio::awaitable<ApiResult<std::string>> create_room(std::string user_token);
  // `unreachable`: the host a client lost without a close frame; the backend
  // then checks that server at once (docs/PROTOCOL.md, History and failover).
  boost::asio::awaitable<ApiResult<Placement>> lookup(std::string user_token, std::string room_id,
                                                      std::string unreachable = {});
  // The backend's /metrics; a transport error saying so without an admin origin.
  boost::asio::awaitable<ApiResult<std::string>> metrics();

 private:
  boost::asio::awaitable<network::HttpResponse> call(const char* method, std::string path,
                                                     std::string body, std::string bearer);

  network::HttpClient& http_;
  network::Url origin_;
  std::optional<network::Url> admin_;
  std::string admin_token_;
};

}  // namespace loadgen
