// --processes N: the load generator past one process's open-files limit.
// The parent starts N copies of its own binary (fork, exec /proc/self/exe),
// each with a slice of the rooms, its own loopback source addresses and its
// own report file; it releases them together once every one has ramped up
// (so that their steady phases, and a failover's fault, coincide), forwards
// SIGINT/SIGTERM, and prints one merged report and verdict (merge.h).
//
// Between parent and worker: two pipes, fd 3 (parent to worker: "go") and
// fd 4 (worker to parent: "ready"). A worker whose parent dies gets SIGTERM.
#pragma once

#include <string>
#include <vector>

#include "loadgen/config.h"

namespace loadgen {

// Rooms [first, first + count) of `rooms`, split as evenly as possible.
struct RoomSlice {
  int first = 0;
  int count = 0;
};
RoomSlice room_slice(int rooms, int processes, int index);

// The worker's command line: the parent's arguments without those the
// parent sets per worker (or keeps for itself: thresholds, the report), plus
// the worker's own.
std::vector<std::string> worker_arguments(const std::vector<std::string>& parent_args,
                                          const Config& config, int index,
                                          const std::string& report_file);

// Runs the workers to their end; returns the exit code (0 pass, 1 fail).
int run_workers(const Config& config, int argc, char** argv);

// Raises this process's open-files limit to its hard limit; returns the limit
// now in force.
long raise_open_files_limit();

}  // namespace loadgen
