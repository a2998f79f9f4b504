// The shared control store (Redis) as the exploration world has it, with
// the semantics of the scripts in server/control: the room directory
// (entries with a time to live; a move is a compare-and-set on the server
// it leaves; a free deletes only its own server's entry), the fleet's
// members (writes fenced: refused under any token but the latest), the
// fleet lease (one holder at a time, a time to live, a fencing token from
// an increasing counter) and the shortage key. Pure bookkeeping: outages
// and lost commands are the world's.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "control/events.h"
#include "sim/explore_config.h"

namespace sim::explore {

using Millis = sched::Millis;

class ControlStore {
 public:
  explicit ControlStore(const PlantedFaults& planted) : planted_(planted) {}

  // The directory. ttl 0: for good.
  std::optional<core::DirectoryEntry> read_room(const sched::RoomId& room_id, Millis now) const;
  void place_room(const sched::RoomId& room_id, const core::DirectoryEntry& entry, Millis ttl,
                  Millis now);
  // nullopt when written, else the entry that stands (another server's).
  std::optional<core::DirectoryEntry> move_room(const sched::RoomId& room_id,
                                                const sched::ServerId& from,
                                                const core::DirectoryEntry& to, Millis ttl,
                                                Millis now);
  void free_room(const sched::RoomId& room_id, const sched::ServerId& server_id, Millis now);

  // The members. False: refused, the token is not the latest.
  std::vector<core::Member> members() const;
  bool add_member(const core::Member& member, std::uint64_t token);
  bool remove_member(const sched::ServerId& server_id, std::uint64_t token);

  // The lease: a new token, or nullopt while someone holds it.
  std::optional<std::uint64_t> acquire_lease(const std::string& holder, Millis ttl, Millis now);
  bool renew_lease(const std::string& holder, std::uint64_t token, Millis ttl, Millis now);
  void release_lease(const std::string& holder, std::uint64_t token, Millis now);
  struct LeaseValue {
    std::string holder;
    std::uint64_t token = 0;
  };
  std::optional<LeaseValue> lease(Millis now) const;
  std::uint64_t latest_token() const { return fence_; }

  void report_shortage(const std::string& replica, Millis ttl, Millis now);
  std::optional<std::string> shortage(Millis now) const;

  // For the checker: fenced writes admitted under a token that was not the
  // latest (only a planted fault lets them in).
  const std::vector<std::string>& stale_writes_admitted() const { return stale_writes_; }
  // Fenced writes refused: how often the fence was put to the test.
  std::uint64_t stale_writes_refused() const { return stale_writes_refused_; }

 private:
  struct Expiring {
    std::string value;
    std::optional<Millis> until;
    bool live(Millis now) const { return !until || now < *until; }
  };
  struct Entry {
    core::DirectoryEntry entry;
    std::optional<Millis> until;
    bool live(Millis now) const { return !until || now < *until; }
  };
  // The fence script: only the latest token writes.
  bool admit_fenced(std::uint64_t token, const std::string& what);

  const PlantedFaults& planted_;
  std::map<sched::RoomId, Entry> rooms_;
  std::map<sched::ServerId, core::Member> members_;
  std::optional<LeaseValue> lease_;
  Millis lease_until_{0};
  std::uint64_t fence_ = 0;
  Expiring shortage_;
  std::vector<std::string> stale_writes_;
  std::uint64_t stale_writes_refused_ = 0;
};

}  // namespace sim::explore
