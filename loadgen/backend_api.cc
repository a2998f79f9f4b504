#include "loadgen/backend_api.h"

#include <boost/asio/use_awaitable.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <algorithm>
#include <cctype>
#include <charconv>

namespace loadgen {

namespace json = boost::json;

namespace {

// A backend that accepts but never answers must not hold the run.
constexpr auto kCallTimeout = std::chrono::seconds(30);

// Whole seconds, at most a minute: a server asking for longer is not waited for.
std::chrono::milliseconds retry_after_of(std::string_view header) {
  unsigned seconds = 0;
  auto [end, ec] = std::from_chars(header.data(), header.data() + header.size(), seconds);
  if (header.empty() || ec != std::errc() || end != header.data() + header.size()) return {};
  return std::chrono::seconds(std::min(seconds, 60u));
}

template <typename T>
ApiResult<T> failed(ApiError::Kind kind, const network::HttpResponse& response) {
  ApiResult<T> result;
  result.error.kind = kind;
  result.error.failure = response.failure;
  result.error.status = response.status;
  result.error.detail = response.answered() ? response.body : response.error;
  result.error.retry_after = retry_after_of(response.retry_after);
  return result;
}

// The failure of any answer but a 200, or nothing.
template <typename T>
std::optional<ApiResult<T>> unless_ok(const network::HttpResponse& response) {
  if (!response.answered()) return failed<T>(ApiError::Kind::transport, response);
  if (response.status != 200) return failed<T>(ApiError::Kind::status, response);
  return std::nullopt;
}

// The body's top-level object, or an empty one.
json::object object_of(const std::string& body) {
  boost::system::error_code ec;
  auto value = json::parse(body, ec);
  if (ec || !value.is_object()) return {};
  return std::move(value.get_object());
}

std::optional<std::string> string_field(const json::object& object, std::string_view name) {
  auto it = object.find(name);
  if (it == object.end() || !it->value().is_string() || it->value().get_string().empty()) {
    return std::nullopt;
  }
  return std::string(it->value().get_string());
}

ApiResult<std::string> one_field(const network::HttpResponse& response, std::string_view name) {
  if (auto failure = unless_ok<std::string>(response)) return *failure;
  auto value = string_field(object_of(response.body), name);
  if (!value) return failed<std::string>(ApiError::Kind::bad_answer, response);
  return {std::move(value), {}};
}

}  // namespace

std::string ApiError::category(std::string_view call) const {
  std::string prefix = std::string(call) + "_";
  switch (kind) {
    case Kind::transport:
      return prefix + "transport";
    case Kind::status:
      return prefix + "http_" + std::to_string(status);
    case Kind::bad_answer:
      return prefix + "bad_answer";
    case Kind::no_host:
      return prefix + "no_host";
  }
  return prefix + "unknown";
}

std::string lookup_path(std::string_view room_id, std::string_view unreachable) {
  std::string path = "/api/rooms/";
  path += room_id;
  if (unreachable.empty()) return path;
  path += "?unreachable=";
  // host:port stays readable; "[v6]:port" and anything odd are escaped.
  static constexpr char kHex[] = "0123456789ABCDEF";
  for (unsigned char c : unreachable) {
    if (std::isalnum(c) || c == '.' || c == '-' || c == '_' || c == '~' || c == ':') {
      path += static_cast<char>(c);
    } else {
      path += '%';
      path += kHex[c >> 4];
      path += kHex[c & 15];
    }
  }
  return path;
}

ApiResult<std::string> read_login(const network::HttpResponse& response) {
  return one_field(response, "token");
}

ApiResult<std::string> read_created_room(const network::HttpResponse& response) {
  return one_field(response, "roomId");
}

ApiResult<Placement> read_placement(const network::HttpResponse& response) {
  if (auto failure = unless_ok<Placement>(response)) return *failure;
  auto answer = object_of(response.body);
  auto host = answer.find("host");
  // {"host": null}: placed on a server that is not ready yet (docs/PROTOCOL.md).
  if (host != answer.end() && host->value().is_null()) {
    return failed<Placement>(ApiError::Kind::no_host, response);
  }
  auto host_port = string_field(answer, "host");
  auto token = string_field(answer, "token");
  if (!host_port || !token) return failed<Placement>(ApiError::Kind::bad_answer, response);
  return {Placement{std::move(*host_port), std::move(*token)}, {}};
}

ApiResult<std::string> read_metrics(const network::HttpResponse& response) {
  if (auto failure = unless_ok<std::string>(response)) return *failure;
  return {response.body, {}};
}

BackendApi::BackendApi(network::HttpClient& http, network::Url origin,
                       std::optional<network::Url> admin, std::string admin_token)
    : http_(http),
      origin_(std::move(origin)),
      admin_(std::move(admin)),
      admin_token_(std::move(admin_token)) {}

boost::asio::awaitable<network::HttpResponse> BackendApi::call(const char* method, std::string path,
                                                               std::string body,
                                                               std::string bearer) {
  network::HttpRequest request;
  request.method = method;
  request.url = origin_.origin() + path;
  request.body = std::move(body);
  request.bearer = std::move(bearer);
  request.timeout = kCallTimeout;
  co_return co_await http_.async_fetch(std::move(request), boost::asio::use_awaitable);
}

boost::asio::awaitable<ApiResult<std::string>> BackendApi::login(std::string user) {
  json::object body{{"userId", user}};
  co_return read_login(co_await call("POST", "/api/login", json::serialize(body), {}));
}

boost::asio::awaitable<ApiResult<std::string>> BackendApi::create_room(std::string user_token) {
  co_return read_created_room(co_await call("POST", "/api/rooms", "{}", std::move(user_token)));
}

boost::asio::awaitable<ApiResult<Placement>> BackendApi::lookup(std::string user_token,
                                                                std::string room_id,
                                                                std::string unreachable) {
  co_return read_placement(
      co_await call("GET", lookup_path(room_id, unreachable), {}, std::move(user_token)));
}

boost::asio::awaitable<ApiResult<std::string>> BackendApi::metrics() {
  if (!admin_) {
    ApiResult<std::string> none;
    none.error.detail = "no --admin-target: the backend's /metrics is on its admin listener";
    co_return none;
  }
  network::HttpRequest request;
  request.url = admin_->origin() + "/metrics";
  request.bearer = admin_token_;
  request.timeout = kCallTimeout;
  co_return read_metrics(
      co_await http_.async_fetch(std::move(request), boost::asio::use_awaitable));
}

}  // namespace loadgen
