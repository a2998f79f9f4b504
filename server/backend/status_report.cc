#include "server/backend/status_report.h"

#include <algorithm>
#include <boost/json/parse.hpp>
#include <limits>

namespace chat {

network::Result<sched::StatusReport> parse_status_report(std::string_view body) {
  using Report = network::Result<sched::StatusReport>;
  boost::system::error_code ec;
  boost::json::value json = boost::json::parse(body, ec);
  const boost::json::object* object = ec ? nullptr : json.if_object();
  if (object == nullptr) return Report::failure("not a JSON object");

  sched::StatusReport report;
  const auto* host = object->if_contains("host");
  if (host == nullptr || !host->is_string()) return Report::failure("\"host\" is not a string");
  report.host = host->as_string();
  const auto* draining = object->if_contains("draining");
  if (draining == nullptr || !draining->is_bool()) {
    return Report::failure("\"draining\" is not true or false");
  }
  report.draining = draining->as_bool();
  const auto* rooms = object->if_contains("rooms");
  if (rooms == nullptr || !rooms->is_array()) return Report::failure("\"rooms\" is not an array");
  for (const auto& entry : rooms->as_array()) {
    const auto* room = entry.if_object();
    const auto* room_id = room ? room->if_contains("roomId") : nullptr;
    const auto* users = room ? room->if_contains("users") : nullptr;
    if (room_id == nullptr || !room_id->is_string() || room_id->as_string().empty()) {
      return Report::failure("a room without a \"roomId\" string");
    }
    if (users == nullptr || !(users->is_int64() || users->is_uint64()) ||
        (users->is_int64() &&
         (users->as_int64() < 0 || users->as_int64() > std::numeric_limits<int>::max())) ||
        (users->is_uint64() && users->as_uint64() > std::numeric_limits<int>::max())) {
      return Report::failure("room " + std::string(room_id->as_string()) +
                             ": \"users\" is not a whole number from 0 up");
    }
    int count = users->is_int64() ? static_cast<int>(users->as_int64())
                                  : static_cast<int>(users->as_uint64());
    report.rooms.push_back({std::string(room_id->as_string()), count});
  }
  // Reservations (servers that take them): only their number matters here.
  if (const auto* reserved = object->if_contains("reserved"); reserved && reserved->is_array()) {
    report.reserved = static_cast<int>(
        std::min<std::size_t>(reserved->as_array().size(), std::numeric_limits<int>::max()));
  }
  return report;
}

}  // namespace chat
