// What the local fleet records of the session servers it runs, so that a
// backend that restarts (a crash, a deploy) adopts them instead of starting
// over: their ids, pids and addresses, in a small JSON file written whole
// (a temporary file renamed over the old one, so a crash mid-write leaves
// the previous record). With --redis the fleet's shared members hold the
// same facts (server/control/fleet_members.h) and this file is not needed.
#pragma once

#include <string>
#include <vector>

#include "scheduler/types.h"

namespace sched {

struct RecordedServer {
  ServerId id;
  long long pid = 0;
  std::string host;
  std::string admin_host;
  bool operator==(const RecordedServer&) const = default;
};

// Empty when the file does not exist; `error` says what was wrong with one
// that cannot be read (the backend then starts without adopting).
std::vector<RecordedServer> read_fleet_state(const std::string& path, std::string& error);
bool write_fleet_state(const std::string& path, const std::vector<RecordedServer>& servers,
                       std::string& error);

// Whether `pid` is a live (not zombie) process running `binary`: a pid in a
// record may have been reused by anything since.
bool session_process_alive(long long pid, const std::string& binary);

// The number in a local fleet id ("local-<n>-<port>"), 0 for other ids: new
// ids continue after the highest adopted one, so none comes back.
std::uint64_t local_id_number(const ServerId& id);

}  // namespace sched
