// The fleet's members, shared by every backend (docs/PROTOCOL.md,
// "Replicated backends"): the session servers the lease holder started or
// adopted, with where to reach them, so that every replica polls and places
// on the same servers. Only the lease holder writes, and each write checks
// its fencing token in a script (a stale holder's writes are refused). The
// local fleet also keeps each server's pid here, so that the next holder,
// or this backend after a restart, can adopt the running processes. A
// server is listed as soon as it is asked of the fleet, with an empty host
// until it is up, so that a holder taking over counts it.
//
//   <prefix>fleet:servers   hash: server id -> {"host","adminHost","pid"}
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "server/control/control_redis.h"

namespace chat::control {

struct Member {
  std::string id;
  std::string host;
  std::string admin_host;
  long long pid = 0;  // local fleet: the process; 0 elsewhere
  bool operator==(const Member&) const = default;
};

std::string encode_member(const Member& member);
std::optional<Member> decode_member(const std::string& id, std::string_view json);

enum class WriteResult {
  written,
  fenced,  // the token is not the latest: this replica no longer holds the lease
  failed,  // Redis did not answer
};

class FleetMembers {
 public:
  explicit FleetMembers(std::shared_ptr<ControlRedis> redis) : redis_(std::move(redis)) {}

  // Every member; nullopt when Redis did not answer. Callbacks run on the Redis strand.
  void read(std::function<void(std::optional<std::vector<Member>>)> done);
  void add(const Member& member, std::uint64_t token, std::function<void(WriteResult)> done);
  void remove(const std::string& id, std::uint64_t token, std::function<void(WriteResult)> done);

 private:
  void fenced_write(std::vector<std::string> args, std::function<void(WriteResult)> done);
  std::shared_ptr<ControlRedis> redis_;
};

}  // namespace chat::control
