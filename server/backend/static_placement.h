// The seed's LocalScheduler: a fixed list of session servers
// (SESSION_SERVER_HOST), each new room on one of them chosen at random,
// the room-to-host map in memory. Kept as the simplest placement.
#pragma once

#include "server/backend/placement.h"

#include <map>
#include <mutex>
#include <random>
#include <vector>

namespace chat {

class StaticPlacement : public RoomPlacement {
 public:
  explicit StaticPlacement(std::vector<std::string> hosts);
  void create_room(std::function<void(CreatedRoom)> done) override;
  void find_room(const std::string& room_id, std::function<void(RoomHost)> done) override;

 private:
  const std::vector<std::string> hosts_;
  std::mutex mutex_;
  std::mt19937_64 random_;
  std::map<std::string, std::string> room_hosts_;
};

// "a:1, b:2" -> {"a:1", "b:2"}; throws std::invalid_argument saying which entry is bad.
std::vector<std::string> parse_host_list(std::string_view list);

}  // namespace chat
