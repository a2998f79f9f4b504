// Everything a run can be told, as one plain struct with defaults, filled
// from the command line in one place (parse_options) and printed by --help.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "control/settings_flags.h"
#include "sim/explore.h"
#include "sim/simulator.h"
#include "sim/start_delays.h"
#include "sim/synthetic_workload.h"

namespace sim {

struct Options {
  std::optional<std::uint64_t> seed;  // random (and printed) when absent
  // Replications: every sweep point on this many seeds derived from the
  // master seed (one: the master seed itself), run in parallel on `threads`
  // threads (0: one per core), summarised with 95% confidence intervals.
  int replications = 1;
  int threads = 0;

  // The sweep: every combination runs on the same workload and seed.
  std::vector<std::string> policies;  // empty: every registered policy
  // Spare slots, idle time and defragmentation to sweep (each list starts
  // with the backend's default). Defragmentation (scheduler/README.md): 0 is
  // off; any value above 0 also runs 0, so that the report can say what
  // defragmentation saves.
  core::SettingsSweep sweep;
  std::vector<Failover> failovers{Failover::leave};

  // The scheduler, the autoscaler and the core, with the backend's defaults
  // (the swept ones are overridden by each point of the sweep).
  core::ControlSettings control;
  int users_per_room = 100;

  // The simulated fleet and the backend's loops. Start-ups stay under the
  // backend's --server-start-timeout (30 s).
  std::int64_t start_delay_ms_min = 5'000;
  std::int64_t start_delay_ms_max = 25'000;
  double crashes_per_server_hour = 0.02;
  std::int64_t tick_interval_ms = 1'000;
  std::int64_t lookup_retry_ms = 500;
  bool retry_unavailable = false;
  std::string start_delay_file;
  std::shared_ptr<const StartDelayDistribution> start_delays;  // read from the file
  double start_failure_rate = 0;
  std::int64_t reconnect_delay_ms = 1'000;
  std::int64_t drain_confirm_ms = 1'000;

  // The workload: a trace file, or the synthetic generator's settings.
  std::string trace_path;
  SyntheticConfig synthetic;

  // Outputs and checks.
  std::string csv_path;
  std::string svg_path;
  std::string json_path;
  std::string write_trace_path;
  std::uint64_t check_every = 100'000;
  bool report_every_poll = false;
  std::int64_t sample_interval_s = 300;
};

// Parses argv. Returns the options, or the code the program should exit with
// after --help (0) or a usage error (1); either has been printed already.
// The caller decides to exit: a library does not end the program.
std::variant<Options, int> parse_options(int argc, char** argv);

// Fault exploration (--explore, sim/explore.h) has flags of its own.
struct ExploreFlags {
  std::optional<std::uint64_t> seed;  // the first; random (and printed) when absent
  std::uint64_t seeds = 100;
  std::int64_t explore_minutes = 10;  // of workload and faults a seed
  bool trace = false;                 // every event and effect, to stderr
};
// Bad usage of --explore exits with this code (its runs exit 0 or 1).
inline constexpr int kExploreUsageExit = 2;
// Whether the command line asks for --explore.
bool wants_explore(int argc, char** argv);
// Parses --explore's flags. The flags, or the code the program should exit
// with after --help (0) or a usage error (kExploreUsageExit); either has been
// printed already, the error saying which flag to fix.
std::variant<ExploreFlags, int> parse_explore_options(int argc, char** argv);

// One line saying what the workload is, for the report headers.
std::string describe_workload(const Options& options);

// One combination of the sweep's values.
struct SweepPoint {
  std::string policy;
  int spare_room_slots = 0;
  std::int64_t idle_timeout_s = 300;
  int defrag_max_rooms = 0;
  Failover failover = Failover::leave;
};

// The simulator's settings for one point of the sweep.
SimConfig make_sim_config(const Options& options, std::uint64_t seed, const SweepPoint& point);

}  // namespace sim
