#include "sim/options.h"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <iostream>
#include <sstream>
#include <string_view>

#include "scheduler/policy.h"

namespace sim {
namespace {

std::string join(const std::vector<std::string>& names) {
  std::string joined;
  for (const std::string& name : names) joined += (joined.empty() ? "" : ",") + name;
  return joined;
}

void add_sweep_options(CLI::App& app, Options& o) {
  app.add_option("--seed", o.seed,
                 "Master seed; every component's seed derives from it. Random when absent, "
                 "and always printed, so any run can be repeated.");
  app.add_option("--replications", o.replications,
                 "Run every combination on this many seeds (derived from --seed; each is printed "
                 "in the CSV and JSON and reproduces its run alone) and report means with 95% "
                 "confidence intervals and paired differences against the first policy")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  app.add_option("--threads", o.threads,
                 "Simulations run at once with --replications (0: one per core); each is "
                 "deterministic whatever the number")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  app.add_option("--policies", o.policies,
                 "Placement policies to compare, comma-separated (default: all of " +
                     join(sched::policy_names()) + ")")
      ->delimiter(',');
}

// Names on the command line, Failover values in Options.
void add_failover_option(CLI::App& app, std::vector<std::string>& names) {
  app.add_option("--failover", names,
                 "What users of a crashed server do, values to sweep: leave (lost); polls "
                 "(reconnect; the server is gone after --failed-polls-before-gone polls); probe (reconnect "
                 "and report the host, which a probe marks gone at once)")
      ->delimiter(',')
      ->capture_default_str()
      ->check(CLI::IsMember({"leave", "polls", "probe"}));
}

void add_scheduler_options(CLI::App& app, Options& o) {
  // The backend's flags, names and defaults (control/settings_flags.h).
  core::add_settings_flags(app, o.control, &o.sweep);
  app.add_option("--users-per-room", o.users_per_room, "Users a room admits")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
}

void add_fleet_options(CLI::App& app, Options& o) {
  app.add_option("--start-delay-ms-min", o.start_delay_ms_min,
                 "Shortest server start-up (uniform between min and max)")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  app.add_option("--start-delay-ms-max", o.start_delay_ms_max, "Longest server start-up")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  app.add_option("--crash-rate", o.crashes_per_server_hour,
                 "Crashes per server-hour (exponential time to failure); 0: none")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  app.add_option("--tick-interval-ms", o.tick_interval_ms, "How often the scheduler ticks")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  app.add_option("--lookup-retry-ms", o.lookup_retry_ms,
                 "How soon a client told 'starting' looks its room up again")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  app.add_flag("--retry-unavailable", o.retry_unavailable,
               "A client told its room is unavailable (its server gone, no slot anywhere) asks "
               "again after the answer's Retry-After (--retry-after) until it gets in or "
               "leaves; without it the join is refused at once");
  app.add_option("--start-delay-file", o.start_delay_file,
                 "Draw server start-ups from this file instead of --start-delay-ms-min/max: "
                 "seconds one a line, or Prometheus text with a histogram's _bucket lines "
                 "(e.g. the backend's chat_scheduler_fleet_start_seconds); sim/README.md")
      ->check(CLI::ExistingFile);
  app.add_option("--start-failure-rate", o.start_failure_rate,
                 "Share of server starts that fail (never answer; the scheduler gives up after "
                 "--server-start-timeout)")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 1.0));
  app.add_option("--reconnect-delay-ms", o.reconnect_delay_ms,
                 "How soon a client cut off by a crash (unless --failover=leave) or a drain "
                 "looks its room up again")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  app.add_option("--drain-confirm-ms", o.drain_confirm_ms,
                 "How long a session server asked to drain takes to close its clients, store its "
                 "history and confirm")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
}

void add_workload_options(CLI::App& app, Options& o) {
  SyntheticConfig& s = o.synthetic;
  app.add_option("--trace", o.trace_path,
                 "Replay this trace file (trace/FORMAT.md) instead of the synthetic workload")
      ->check(CLI::ExistingFile);
  app.add_option("--duration-s", s.duration_s, "Synthetic: seconds during which rooms are created")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  app.add_option("--rooms-per-hour", s.rooms_per_hour, "Synthetic: mean room creation rate")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  app.add_option("--daily-amplitude", s.daily_cycle_amplitude,
                 "Synthetic: daily cycle, rate x (1 - a cos(2 pi t / day)); 0: constant")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 1.0));
  app.add_option("--day-length-s", s.day_length_s, "Synthetic: the cycle's period")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  app.add_option("--lifetime-median-s", s.room_lifetime_median_s,
                 "Synthetic: median room lifetime (lognormal)")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  app.add_option("--lifetime-sigma", s.room_lifetime_sigma,
                 "Synthetic: lognormal sigma of room lifetimes (larger: heavier tail)")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  app.add_option("--lifetime-max-s", s.room_lifetime_s_max, "Synthetic: longest room lifetime")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  app.add_option("--room-users-alpha", s.room_users_pareto_alpha,
                 "Synthetic: Pareto shape of users a room draws (smaller: heavier tail)")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  app.add_option("--room-users-max", s.room_users_max,
                 "Synthetic: most users a room draws (above --users-per-room some are refused)")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  app.add_option("--stay-mean-s", s.user_stay_mean_s,
                 "Synthetic: mean time a (non-creating) user stays, exponential")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  app.add_option("--message-rate", s.messages_per_user_per_min,
                 "Synthetic: messages per user per minute (Poisson); 0: none")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  app.add_option("--message-bytes-median", s.message_bytes_median,
                 "Synthetic: median message size (lognormal)")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
}

void add_output_options(CLI::App& app, Options& o) {
  app.add_option("--csv", o.csv_path, "Write the summary table as CSV to this file");
  app.add_option("--svg", o.svg_path, "Plot servers in use over time against the lower bound");
  app.add_option("--json", o.json_path, "Write the summary as JSON to this file");
  app.add_option("--write-trace", o.write_trace_path,
                 "Write the workload (synthetic or replayed) to this trace file, then run");
  app.add_option("--check-every", o.check_every,
                 "Check every invariant after this many scheduler calls (1: every call; "
                 "0: only at the end). Checks cost O(rooms + servers).")
      ->capture_default_str();
  app.add_flag("--report-every-poll", o.report_every_poll,
               "Send every status report, even those that cannot change the scheduler's "
               "table (slower; the default skips them)");
  app.add_option("--sample-interval-s", o.sample_interval_s, "Resolution of the plot and series")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
}

}  // namespace

std::variant<Options, int> parse_options(int argc, char** argv) {
  Options options;
  CLI::App app{
      "Deterministic discrete-event simulator: runs the real scheduler on a simulated clock "
      "and fleet, compares placement policies and autoscaler settings on the same workload, "
      "and checks the scheduler's invariants as it goes."};
  app.get_formatter()->column_width(34);
  app.footer(
      "Fault exploration of the control plane instead: --explore (its flags: --explore --help)");
  add_sweep_options(app, options);
  std::vector<std::string> failover_names{"leave"};
  add_failover_option(app, failover_names);
  add_scheduler_options(app, options);
  add_fleet_options(app, options);
  add_workload_options(app, options);
  add_output_options(app, options);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    // Prints the help or the usage error. CLI11's own codes (105, 109, ...)
    // become 1, the one code the README promises for bad usage.
    return app.exit(error) == 0 ? 0 : 1;
  }
  for (const std::string& policy : options.policies) {
    if (!sched::make_policy(policy)) {
      std::cerr << "--policies: unknown policy \"" << policy
                << "\"; known: " << join(sched::policy_names()) << "\n";
      return 1;
    }
  }
  if (options.policies.empty()) options.policies = sched::policy_names();
  options.failovers.clear();
  for (const std::string& name : failover_names) {
    options.failovers.push_back(*failover_from_string(name));  // IsMember checked it
  }
  // Without a run that does not defragment there is nothing to compare with.
  std::vector<int>& defrag = options.sweep.defrag_max_rooms;
  std::sort(defrag.begin(), defrag.end());
  defrag.erase(std::unique(defrag.begin(), defrag.end()), defrag.end());
  if (defrag.empty() || defrag.front() != 0) defrag.insert(defrag.begin(), 0);
  if (!options.start_delay_file.empty()) {
    try {
      options.start_delays = std::make_shared<const StartDelayDistribution>(
          StartDelayDistribution::open(options.start_delay_file));
    } catch (const StartDelayError& error) {
      std::cerr << "--start-delay-file: " << error.what() << "\n";
      return 1;
    }
  }
  if (options.start_delay_ms_max < options.start_delay_ms_min) {
    std::cerr << "--start-delay-ms-max must be at least --start-delay-ms-min\n";
    return 1;
  }
  return options;
}

bool wants_explore(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    if (std::string_view(argv[i]) == "--explore") return true;
  }
  return false;
}

std::variant<ExploreFlags, int> parse_explore_options(int argc, char** argv) {
  ExploreFlags flags;
  CLI::App app{
      "Fault exploration, VOPR-style: for each seed, the control cores (1-3 replicas of the "
      "backend's //control) run in a simulated world of session servers, a shared store, a "
      "fleet and clients, with a configuration and faults drawn from the seed (failed starts, "
      "crashes, lost and late answers, store outages, replicas paused past their lease), and "
      "their invariants checked after every event. Stops at the first failing seed and prints "
      "the command that replays it. Exit 0: every seed held; 1: one did not."};
  app.get_formatter()->column_width(34);
  bool explore = false;  // wants_explore saw it; required, so that --help lists it
  app.add_flag("--explore", explore,
               "Run the fault exploration (these flags) instead of the sweep")
      ->required();
  app.add_option("--seed", flags.seed,
                 "First seed explored; random when absent, and always printed");
  app.add_option("--seeds", flags.seeds, "How many seeds to explore, from --seed on")
      ->capture_default_str()
      ->check(CLI::Range(std::uint64_t{1}, std::uint64_t{1'000'000'000}));
  app.add_option("--explore-minutes", flags.explore_minutes,
                 "Simulated minutes of workload and faults a seed; a quiet phase follows, "
                 "after which the replicas must agree")
      ->capture_default_str()
      ->check(CLI::Range(std::int64_t{1}, std::int64_t{24 * 60}));
  app.add_flag("--explore-trace", flags.trace,
               "Print every event each core takes and every effect it emits to stderr (use "
               "with --seeds 1 to read a failing seed)");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    // Prints the help, or the error naming the flag and what it accepts.
    return app.exit(error) == 0 ? 0 : kExploreUsageExit;
  }
  return flags;
}

std::string describe_workload(const Options& o) {
  if (!o.trace_path.empty()) return "trace " + o.trace_path;
  const SyntheticConfig& s = o.synthetic;
  std::ostringstream out;
  out << "synthetic: " << s.duration_s / 3600 << " h, " << s.rooms_per_hour
      << " rooms/h (daily amplitude " << s.daily_cycle_amplitude << "), lifetime median "
      << s.room_lifetime_median_s << " s sigma " << s.room_lifetime_sigma << ", users Pareto "
      << s.room_users_pareto_alpha << " max " << s.room_users_max << ", "
      << s.messages_per_user_per_min << " msg/user/min";
  return out.str();
}

SimConfig make_sim_config(const Options& o, std::uint64_t seed, const SweepPoint& point) {
  SimConfig config;
  config.seed = seed;
  core::ControlSettings settings = o.control;
  settings.spare_room_slots = point.spare_room_slots;
  settings.idle_before_stop = std::chrono::seconds(point.idle_timeout_s);
  settings.defrag_max_rooms = point.defrag_max_rooms;
  const core::ControlOptions control = core::control_options(settings);
  config.scheduler = control.scheduler;
  config.scheduler.policy = point.policy;
  config.placement_attempts = control.placement_attempts;
  config.fleet.start_delay_ms_min = o.start_delay_ms_min;
  config.fleet.start_delay_ms_max = o.start_delay_ms_max;
  if (o.start_delays) {
    config.fleet.start_delays = o.start_delays;
    config.fleet.start_delay_ms_min = o.start_delays->min_ms();
    config.fleet.start_delay_ms_max = o.start_delays->max_ms();
  }
  config.fleet.start_failure_rate = o.start_failure_rate;
  config.retry_unavailable = o.retry_unavailable;
  config.fleet.crashes_per_server_hour = o.crashes_per_server_hour;
  config.fleet.rooms_per_server_max = o.control.rooms_per_server;
  config.fleet.users_per_room_max = o.users_per_room;
  config.poll_interval_ms = o.control.poll_interval.count();
  config.tick_interval_ms = o.tick_interval_ms;
  config.lookup_retry_ms = o.lookup_retry_ms;
  config.failover = point.failover;
  config.reconnect_delay_ms = o.reconnect_delay_ms;
  config.drain_confirm_ms = o.drain_confirm_ms;
  config.sample_interval_ms = o.sample_interval_s * 1000;
  config.check_every = o.check_every;
  config.report_every_poll = o.report_every_poll;
  return config;
}

}  // namespace sim
