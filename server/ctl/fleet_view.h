// What GET /api/fleet on the backend's admin listener says (docs/PROTOCOL.md),
// read into plain structs and printed for people: the servers as a table,
// and how a drain ended.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "network/result.h"

namespace chat::ctl {

struct ServerRow {
  std::string id;
  std::string host;
  std::string admin_host;
  std::string state;  // starting, ready, draining, gone
  bool drain_requested = false;
  long long rooms = 0;
  long long room_capacity = 0;
  long long users = 0;
};

struct DrainRow {
  std::string server_id;
  std::string by;     // operator, autoscaler
  std::string state;  // draining, drained, failed
  long long rooms = 0;
  std::vector<std::string> moved;
  long long unstored = 0;
  std::string error;
};

struct FleetView {
  std::string policy;
  std::string fleet;
  long long rooms = 0;
  long long users = 0;
  std::vector<ServerRow> servers;
  std::vector<DrainRow> drains;  // oldest first

  const ServerRow* server(std::string_view id) const;
  // The latest drain of server `id`, if the backend still remembers one.
  const DrainRow* latest_drain(std::string_view id) const;
};

// Fields the backend does not send are left at their defaults (an older
// backend has no "drains"); a body that is not a fleet is an error.
network::Result<FleetView> parse_fleet(std::string_view body);

// One line a server under a header, columns aligned, and a summary line.
std::string fleet_table(const FleetView& fleet);

// "moved 2 rooms (r1, r2); 0 messages could not be stored" and the like.
std::string describe_drain(const DrainRow& drain);

}  // namespace chat::ctl
