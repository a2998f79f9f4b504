#include "server/ctl/fleet_view.h"

#include <algorithm>
#include <boost/json/parse.hpp>

namespace chat::ctl {

namespace {

std::string text(const boost::json::object& object, std::string_view key) {
  const auto* value = object.if_contains(key);
  return value && value->is_string() ? std::string(value->as_string()) : std::string();
}

long long number(const boost::json::object& object, std::string_view key) {
  const auto* value = object.if_contains(key);
  if (value == nullptr) return 0;
  if (value->is_int64()) return value->as_int64();
  if (value->is_uint64()) return static_cast<long long>(value->as_uint64());
  return 0;
}

ServerRow server_row(const boost::json::object& object) {
  ServerRow row;
  row.id = text(object, "id");
  row.host = text(object, "host");
  row.admin_host = text(object, "adminHost");
  row.state = text(object, "state");
  const auto* requested = object.if_contains("drainRequested");
  row.drain_requested = requested && requested->is_bool() && requested->as_bool();
  row.rooms = number(object, "rooms");
  row.room_capacity = number(object, "roomCapacity");
  row.users = number(object, "users");
  return row;
}

DrainRow drain_row(const boost::json::object& object) {
  DrainRow row;
  row.server_id = text(object, "serverId");
  row.by = text(object, "by");
  row.state = text(object, "state");
  row.rooms = number(object, "rooms");
  row.unstored = number(object, "unstored");
  row.error = text(object, "error");
  if (const auto* moved = object.if_contains("moved"); moved && moved->is_array()) {
    for (const auto& room : moved->as_array()) {
      if (room.is_string()) row.moved.emplace_back(room.as_string());
    }
  }
  return row;
}

}  // namespace

const ServerRow* FleetView::server(std::string_view id) const {
  auto it = std::find_if(servers.begin(), servers.end(),
                         [id](const ServerRow& row) { return row.id == id; });
  return it == servers.end() ? nullptr : &*it;
}

const DrainRow* FleetView::latest_drain(std::string_view id) const {
  auto it = std::find_if(drains.rbegin(), drains.rend(),
                         [id](const DrainRow& row) { return row.server_id == id; });
  return it == drains.rend() ? nullptr : &*it;
}

network::Result<FleetView> parse_fleet(std::string_view body) {
  using Fleet = network::Result<FleetView>;
  boost::system::error_code ec;
  auto json = boost::json::parse(body, ec);
  const auto* object = ec ? nullptr : json.if_object();
  if (object == nullptr) return Fleet::failure("the answer is not a JSON object");
  const auto* servers = object->if_contains("servers");
  if (servers == nullptr || !servers->is_array()) {
    return Fleet::failure("the answer has no \"servers\" list");
  }
  FleetView fleet;
  fleet.policy = text(*object, "policy");
  fleet.fleet = text(*object, "fleet");
  fleet.rooms = number(*object, "rooms");
  fleet.users = number(*object, "users");
  for (const auto& server : servers->as_array()) {
    if (server.is_object()) fleet.servers.push_back(server_row(server.as_object()));
  }
  if (const auto* drains = object->if_contains("drains"); drains && drains->is_array()) {
    for (const auto& drain : drains->as_array()) {
      if (drain.is_object()) fleet.drains.push_back(drain_row(drain.as_object()));
    }
  }
  return fleet;
}

std::string fleet_table(const FleetView& fleet) {
  std::vector<std::vector<std::string>> rows = {
      {"ID", "STATE", "HOST", "ADMIN HOST", "ROOMS", "USERS"}};
  for (const auto& server : fleet.servers) {
    std::string state = server.state;
    if (server.drain_requested) state += " (asked)";
    rows.push_back({server.id, state, server.host.empty() ? "-" : server.host,
                    server.admin_host.empty() ? "-" : server.admin_host,
                    std::to_string(server.rooms) + "/" + std::to_string(server.room_capacity),
                    std::to_string(server.users)});
  }
  std::vector<std::size_t> widths(rows[0].size(), 0);
  for (const auto& row : rows) {
    for (std::size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], row[i].size());
  }
  std::string out;
  for (const auto& row : rows) {
    std::string line;
    for (std::size_t i = 0; i < row.size(); ++i) {
      line += row[i];
      if (i + 1 < row.size()) line += std::string(widths[i] - row[i].size() + 2, ' ');
    }
    out += line + "\n";
  }
  out += std::to_string(fleet.servers.size()) + " servers, " + std::to_string(fleet.rooms) +
         " rooms, " + std::to_string(fleet.users) + " users (fleet " +
         (fleet.fleet.empty() ? "?" : fleet.fleet) + ", policy " +
         (fleet.policy.empty() ? "?" : fleet.policy) + ")\n";
  return out;
}

std::string describe_drain(const DrainRow& drain) {
  if (drain.state == "failed") return "the drain failed and was cancelled: " + drain.error;
  std::string rooms;
  for (const auto& room : drain.moved) rooms += (rooms.empty() ? "" : ", ") + room;
  std::string out = "moved " + std::to_string(drain.moved.size()) +
                    (drain.moved.size() == 1 ? " room" : " rooms");
  if (!rooms.empty()) out += " (" + rooms + ")";
  out += "; " + std::to_string(drain.unstored) + (drain.unstored == 1 ? " message" : " messages") +
         " could not be stored";
  return out;
}

}  // namespace chat::ctl
