// `bazel run //sim`: compares the scheduler's placement policies and
// autoscaler settings on one workload, deterministically. Picks a master seed
// (given or random, always printed), runs every combination on the same
// workload with the real //scheduler on a simulated clock and fleet, prints a
// table and writes the CSV, JSON and SVG asked for. A failing run prints the
// seed and the command that reproduce it and exits non-zero:
// 2 correctness, 3 liveness, 4 crash: an exception or a fatal signal (1 for
// bad usage or input). With --explore it explores faults instead
// (sim/explore.h): 0 when every seed held, 1 when one did not, 2 for bad
// usage.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <random>
#include <string_view>
#include <variant>

#include "sim/options.h"
#include "sim/reports.h"
#include "sim/sweep.h"
#include "sim/trace_workload.h"

namespace {

// Exit codes, for scripts that run many seeds and sort the failures.
constexpr int kExitCorrectness = 2;
constexpr int kExitLiveness = 3;
constexpr int kExitCrash = 4;  // an exception or a fatal signal alike
// --explore's runs exit 0 or 1 whatever failed: a fatal signal too.
constexpr int kExitExploreFailed = 1;
int fatal_signal_exit = kExitCrash;

// Filled before the run, so a signal handler can print it without allocating.
char reproduce_line[4096];

// Appends the decimal digits of `number` at `out`; returns the new end.
char* append_decimal(char* out, int number) {
  char digits[12];
  int count = 0;
  do {
    digits[count++] = static_cast<char>('0' + number % 10);
    number /= 10;
  } while (number > 0 && count < 12);
  while (count > 0) *out++ = digits[--count];
  return out;
}

// A crash exits kExitCrash like an exception does, rather than dying of the
// signal (128 + N in a shell), so one exit code means one kind of failure.
// Only async-signal-safe calls here: write and _exit.
void on_fatal_signal(int signal_number) {
  char message[96] = "\nFAILED (crash): fatal signal ";
  char* end = append_decimal(message + std::strlen(message), signal_number);
  const char* tail = "; reproduce with:\n  ";
  end = std::copy(tail, tail + std::strlen(tail), end);
  [[maybe_unused]] auto written = write(2, message, end - message);
  written = write(2, reproduce_line, std::strlen(reproduce_line));
  _exit(fatal_signal_exit);
}

void on_fatal_signals() {
  for (int signal_number : {SIGSEGV, SIGABRT, SIGFPE, SIGBUS, SIGILL}) {
    std::signal(signal_number, on_fatal_signal);
  }
}

// The command line again, with the seed made explicit. single_run: the
// seed is one replication's, so --replications and --threads go too.
std::string reproduce_command(int argc, char** argv, std::uint64_t seed, bool single_run = false) {
  std::string command = "bazel run //sim -- --seed=" + std::to_string(seed);
  // "--name" or "--name=value".
  const auto is_option = [](const std::string& argument, std::string_view name) {
    return argument.rfind(name, 0) == 0 &&
           (argument.size() == name.size() || argument[name.size()] == '=');
  };
  for (int i = 1; i < argc; ++i) {
    const std::string argument = argv[i];
    bool drop = false;
    for (std::string_view name : {"--seed", "--replications", "--threads"}) {
      if ((single_run || name == "--seed") && is_option(argument, name)) {
        drop = true;
        if (argument == name) ++i;  // its value is the next argument
        break;
      }
    }
    if (!drop) command += " " + argument;
  }
  return command;
}

template <typename Writer>
bool write_file(const std::string& path, const sim::SweepResult& result, Writer writer) {
  if (path.empty()) return true;
  std::ofstream file(path);
  writer(file, result);
  if (!file) std::cerr << "cannot write " << path << "\n";
  return static_cast<bool>(file);
}

int exit_code(sim::FailureKind kind) {
  switch (kind) {
    case sim::FailureKind::none:
      return 0;
    case sim::FailureKind::correctness:
      return kExitCorrectness;
    case sim::FailureKind::liveness:
      return kExitLiveness;
    case sim::FailureKind::crash:
      return kExitCrash;
  }
  return kExitCrash;
}

void write_trace_file(const sim::Options& options, std::uint64_t seed) {
  std::ofstream file(options.write_trace_path);
  std::unique_ptr<sim::Workload> workload = sim::make_workload(options, seed);
  const std::uint64_t events = sim::write_trace(*workload, file);
  if (!file) throw sim::TraceError("cannot write " + options.write_trace_path);
  std::cerr << "wrote " << events << " events to " << options.write_trace_path << "\n";
}

// --explore: seeds in order until one fails. A check that aborts (the
// scheduler's) names the seed running through the signal handler.
int run_explore(int argc, char** argv) {
  auto parsed = sim::parse_explore_options(argc, argv);
  if (const int* exit_now = std::get_if<int>(&parsed)) return *exit_now;
  const sim::ExploreFlags flags = std::get<sim::ExploreFlags>(parsed);
  sim::explore::ExploreOptions options;
  // The only unseeded randomness: choosing the first seed when none is given.
  options.first_seed =
      flags.seed ? *flags.seed
                 : (std::uint64_t{std::random_device{}()} << 32) ^ std::random_device{}();
  options.seeds = flags.seeds;
  options.busy_minutes = flags.explore_minutes;
  if (flags.trace) options.trace = &std::cerr;
  fatal_signal_exit = kExitExploreFailed;
  on_fatal_signals();
  std::cout << "exploring " << options.seeds << " seeds from " << options.first_seed << ", "
            << options.busy_minutes << " simulated minutes of faults each, then a quiet phase"
            << std::endl;
  const sim::explore::ExploreSummary summary =
      sim::explore::explore(options, [&options](std::uint64_t seed) {
        const std::string command = sim::explore::reproduce_command(seed, options);
        std::snprintf(reproduce_line, sizeof reproduce_line, "%s\n", command.c_str());
      });
  sim::explore::print_summary(std::cout, summary, options);
  return summary.failed ? kExitExploreFailed : 0;
}

}  // namespace

int main(int argc, char** argv) {
  // `bazel run` starts us in the runfiles tree: relative paths (--trace,
  // --svg, ...) mean the caller's directory, which Bazel passes here.
  if (const char* caller_directory = std::getenv("BUILD_WORKING_DIRECTORY")) {
    if (chdir(caller_directory) != 0) std::perror("chdir to BUILD_WORKING_DIRECTORY");
  }
  if (sim::wants_explore(argc, argv)) return run_explore(argc, argv);
  auto parsed = sim::parse_options(argc, argv);
  if (const int* exit_now = std::get_if<int>(&parsed)) return *exit_now;
  const sim::Options options = std::get<sim::Options>(std::move(parsed));
  // The only unseeded randomness: choosing a seed when none is given.
  const std::uint64_t seed =
      options.seed ? *options.seed
                   : (std::uint64_t{std::random_device{}()} << 32) ^ std::random_device{}();
  const std::string reproduce = reproduce_command(argc, argv, seed);
  std::snprintf(reproduce_line, sizeof reproduce_line, "%s\n", reproduce.c_str());
  on_fatal_signals();
  std::cout << "seed " << seed << std::endl;  // before anything can go wrong

  sim::SweepResult result;
  const auto started = std::chrono::steady_clock::now();
  try {
    if (!options.write_trace_path.empty()) write_trace_file(options, seed);
    result = sim::run_sweep(options, seed, isatty(STDERR_FILENO) == 1);
  } catch (const sim::TraceError& error) {
    std::cerr << error.what() << "\n";
    return 1;
  }
  const double wall_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();

  sim::write_table(std::cout, result);
  bool written = write_file(options.csv_path, result, sim::write_csv);
  written = write_file(options.json_path, result, sim::write_json) && written;
  written = write_file(options.svg_path, result, sim::write_svg) && written;

  // Wall-clock figures go to stderr only: stdout stays identical run to run.
  std::uint64_t events = 0;
  for (const sim::RunReport& run : result.runs) events += run.events;
  std::cerr << result.runs.size() << " runs, " << events << " events in " << sim::fixed(wall_s, 2)
            << " s (" << sim::fixed(events / std::max(wall_s, 1e-9) / 1e6, 2) << "M events/s)\n";

  const sim::RunReport* failed = sim::first_failure(result);
  const sim::FailureKind failure = failed ? failed->failure.kind : sim::FailureKind::none;
  if (failure != sim::FailureKind::none) {
    // A replication's run fails alone with its own seed.
    const std::string command =
        result.replicated() ? reproduce_command(argc, argv, failed->seed, /*single_run=*/true)
                            : reproduce;
    std::cout << "reproduce with:\n  " << command << "\n";
    return exit_code(failure);
  }
  return written ? 0 : 1;
}
