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
  return ConnectionInfo{true, parsed->to_string()};
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
