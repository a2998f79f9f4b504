#include "scheduler/fleets/hathora_api.h"

#include <algorithm>
#include <boost/json/parse.hpp>
#include <charconv>
#include <random>

#include "network/host_port.h"

namespace sched::hathora {
namespace {

network::Result<boost::json::object> parse_object(std::string_view body) {
  boost::system::error_code ec;
  boost::json::value json = boost::json::parse(body, ec);
  if (ec || !json.is_object()) {
    return network::Result<boost::json::object>::failure("not a JSON object: " +
                                                         std::string(body.substr(0, 200)));
  }
  return std::move(json.as_object());
}

}  // namespace

std::string new_room_id() {
  static constexpr char kAlphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789";
  std::random_device random;
  std::uniform_int_distribution<int> pick(0, sizeof kAlphabet - 2);
  std::string id;
  for (int i = 0; i < 20; ++i) id.push_back(kAlphabet[pick(random)]);
  return id;
}

network::Result<ConnectionInfo> parse_connection_info(std::string_view body) {
  using Info = network::Result<ConnectionInfo>;
  auto object = parse_object(body);
  if (!object) return Info::failure(object.error());
  const auto* status = object->if_contains("status");
  if (status == nullptr || !status->is_string()) return Info::failure("no status in the answer");
  if (status->as_string() == "destroyed" || status->as_string() == "suspended") {
    ConnectionInfo gone;
    gone.gone = true;
    return gone;
  }
  if (status->as_string() != "active") return ConnectionInfo{};
  const auto* exposed = object->if_contains("exposedPort");
  const boost::json::object* port_object = exposed ? exposed->if_object() : nullptr;
  const boost::json::value* host = port_object ? port_object->if_contains("host") : nullptr;
  const boost::json::value* port = port_object ? port_object->if_contains("port") : nullptr;
  if (!host || !host->is_string() || !port || !port->is_int64()) {
    return Info::failure("an active room without exposedPort {host, port}");
  }
  auto parsed = network::parse_host_port(std::string(host->as_string()) + ":" +
                                         std::to_string(port->as_int64()));
  if (!parsed) return Info::failure("exposedPort: " + parsed.error());
  return ConnectionInfo{true, false, parsed->to_string()};
}

network::Result<std::string> parse_created_room_id(std::string_view body) {
  using Id = network::Result<std::string>;
  auto object = parse_object(body);
  if (!object) return Id::failure(object.error());
  const auto* room_id = object->if_contains("roomId");
  if (room_id == nullptr || !room_id->is_string() || room_id->as_string().empty()) {
    return Id::failure("no roomId in the answer");
  }
  return std::string(room_id->as_string());
}

std::string_view outcome_name(Outcome outcome) {
  switch (outcome) {
    case Outcome::ok:
      return "ok";
    case Outcome::not_found:
      return "not_found";
    case Outcome::rate_limited:
      return "rate_limited";
    case Outcome::unauthorized:
      return "unauthorized";
    case Outcome::refused:
      return "refused";
    case Outcome::server_error:
      return "server_error";
    case Outcome::unreachable:
      return "unreachable";
  }
  return "unknown";
}

Outcome classify(const network::HttpResponse& response) {
  if (!response.answered()) return Outcome::unreachable;
  const unsigned status = response.status;
  if (status / 100 == 2) return Outcome::ok;
  if (status == 404) return Outcome::not_found;
  if (status == 429) return Outcome::rate_limited;
  if (status == 401 || status == 403) return Outcome::unauthorized;
  if (status >= 500) return Outcome::server_error;
  // 1xx and 3xx are not in the API either: a proxy on the way, as good as refused.
  return Outcome::refused;
}

std::string describe_answer(const network::HttpResponse& response) {
  if (!response.answered()) return response.error;
  std::string what = "HTTP " + std::to_string(response.status);
  if (response.body.empty()) return what;
  boost::system::error_code ec;
  boost::json::value json = boost::json::parse(response.body, ec);
  const auto* object = ec ? nullptr : json.if_object();
  const auto* message = object ? object->if_contains("message") : nullptr;
  if (message != nullptr && message->is_string()) {
    return what + ": " + std::string(message->as_string().subview().substr(0, 200));
  }
  return what + ": " + response.body.substr(0, 200);
}

std::chrono::milliseconds retry_delay(std::string_view retry_after, int attempt) {
  int seconds = 0;
  auto [end, ec] =
      std::from_chars(retry_after.data(), retry_after.data() + retry_after.size(), seconds);
  if (!retry_after.empty() && ec == std::errc() && end == retry_after.data() + retry_after.size() &&
      seconds >= 0) {
    return std::chrono::seconds(std::min(seconds, 60));
  }
  return std::chrono::milliseconds(250) * (1 << std::clamp(attempt, 0, 10));
}

}  // namespace sched::hathora
