#include "loadgen/workers.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <set>
#include <sstream>

#include "loadgen/merge.h"

namespace loadgen {

namespace {

// After the workers' own --timeout, this long for their partial reports
// before SIGTERM, and as long again before SIGKILL.
constexpr auto kWorkerGrace = std::chrono::seconds(30);

volatile std::sig_atomic_t g_signal = 0;
extern "C" void on_signal(int signal) { g_signal = signal; }

struct Worker {
  int index = 0;
  RoomSlice rooms;
  pid_t pid = -1;
  int to_worker = -1;    // its fd 3
  int from_worker = -1;  // its fd 4
  std::string report_file;
  std::string from_buffer;
  bool ready = false;
  bool running = true;
  int status = 0;
};

std::string describe_status(int status) {
  if (WIFEXITED(status)) return "exit status " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) return "killed by signal " + std::to_string(WTERMSIG(status));
  return "wait status " + std::to_string(status);
}

std::string describe_rooms(const RoomSlice& slice) {
  return "r" + std::to_string(slice.first) + "..r" + std::to_string(slice.first + slice.count - 1);
}

// Starts one worker: the pipes become its fds 3 and 4, its stdout a log file.
bool spawn(Worker& worker, const std::vector<std::string>& args, const std::string& log_file,
           std::string& error) {
  int down[2], up[2];
  if (pipe2(down, O_CLOEXEC) != 0 || pipe2(up, O_CLOEXEC) != 0) {
    error = std::string("pipe: ") + std::strerror(errno);
    return false;
  }
  int log = open(log_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  std::vector<char*> argv;
  for (const auto& arg : args) argv.push_back(const_cast<char*>(arg.c_str()));
  argv.push_back(nullptr);
  pid_t parent = getpid();
  pid_t pid = fork();
  if (pid < 0) {
    error = std::string("fork: ") + std::strerror(errno);
    return false;
  }
  if (pid == 0) {
    // In the child: only async-signal-safe calls until exec.
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (getppid() != parent) _exit(1);
    // Above 4 first, so that moving one to 3 or 4 cannot close the other.
    int read_end = fcntl(down[0], F_DUPFD, 10);
    int write_end = fcntl(up[1], F_DUPFD, 10);
    dup2(read_end, 3);
    dup2(write_end, 4);
    if (log >= 0) dup2(log, 1);
    close_range(5, ~0U, 0);
    // The same binary, even if a build replaced the file meanwhile.
    execv("/proc/self/exe", argv.data());
    _exit(127);
  }
  if (log >= 0) close(log);
  close(down[0]);
  close(up[1]);
  worker.pid = pid;
  worker.to_worker = down[1];
  worker.from_worker = up[0];
  return true;
}

// Reads what a worker said; false once it closed its end (it has ended).
bool read_from(Worker& worker) {
  char buffer[256];
  auto n = read(worker.from_worker, buffer, sizeof buffer);
  if (n < 0 && (errno == EINTR || errno == EAGAIN)) return true;
  if (n <= 0) return false;
  worker.from_buffer.append(buffer, static_cast<std::size_t>(n));
  if (worker.from_buffer.find("ready\n") != std::string::npos) worker.ready = true;
  return true;
}

void signal_all(std::vector<Worker>& workers, int signal) {
  for (auto& worker : workers) {
    if (worker.running) kill(worker.pid, signal);
  }
}

// Waits for every worker to end, releasing them together once each has
// ramped up (or ended), forwarding SIGINT/SIGTERM and enforcing the timeout.
// Returns why the parent stopped them early, if it did.
std::string supervise(std::vector<Worker>& workers, double timeout_s) {
  using clock = std::chrono::steady_clock;
  auto deadline =
      clock::now() + std::chrono::milliseconds(static_cast<long>(timeout_s * 1000)) + kWorkerGrace;
  bool released = false, terminated = false, killed = false;
  std::string stopped_by;
  for (;;) {
    std::vector<pollfd> fds;
    std::vector<Worker*> polled;
    for (auto& worker : workers) {
      if (worker.from_worker < 0) continue;
      fds.push_back({worker.from_worker, POLLIN, 0});
      polled.push_back(&worker);
    }
    poll(fds.data(), fds.size(), 200);
    for (std::size_t i = 0; i < fds.size(); ++i) {
      if (fds[i].revents == 0) continue;
      if (!read_from(*polled[i])) {
        close(polled[i]->from_worker);
        polled[i]->from_worker = -1;
      }
    }
    bool all_settled = true;
    for (auto& worker : workers) all_settled &= worker.ready || worker.from_worker < 0;
    if (!released && all_settled) {
      released = true;
      for (auto& worker : workers) {
        if (worker.to_worker >= 0 && write(worker.to_worker, "go\n", 3) != 3) {
          // It ended meanwhile: its exit status tells.
        }
      }
      // When the steady phase begins, for whoever measures the box meanwhile.
      std::cerr << "loadgen: every worker ramped up (or ended): the steady phase begins"
                << std::endl;
    }
    bool running = false;
    for (auto& worker : workers) {
      if (worker.running && waitpid(worker.pid, &worker.status, WNOHANG) == worker.pid) {
        worker.running = false;
        close(worker.to_worker);
        worker.to_worker = -1;
      }
      running |= worker.running;
    }
    if (!running) return stopped_by;
    if (g_signal != 0) {
      int signal = g_signal;
      g_signal = 0;
      if (stopped_by.empty()) {
        stopped_by = signal == SIGINT ? "interrupted (SIGINT)" : "terminated (SIGTERM)";
      }
      signal_all(workers, signal);  // each prints its partial report
    }
    auto now = clock::now();
    if (!terminated && now > deadline) {
      terminated = true;
      stopped_by = "timeout: workers still running " + std::to_string(kWorkerGrace.count()) +
                   " s after --timeout";
      signal_all(workers, SIGTERM);
    } else if (!killed && now > deadline + kWorkerGrace) {
      killed = true;
      signal_all(workers, SIGKILL);
    }
  }
}

std::optional<Report> read_report(const std::string& file, std::string& problem) {
  std::ifstream in(file);
  if (!in) {
    problem = "no file " + file;
    return std::nullopt;
  }
  std::stringstream text;
  text << in.rdbuf();
  boost::system::error_code ec;
  auto json = boost::json::parse(text.str(), ec);
  if (ec) {
    problem = file + ": " + ec.message();
    return std::nullopt;
  }
  try {
    auto report = Report::from_json(json, problem);
    if (!report) problem = file + ": " + problem;
    return report;
  } catch (const std::exception& e) {
    problem = file + ": " + e.what();
    return std::nullopt;
  }
}

}  // namespace

long raise_open_files_limit() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return -1;
  if (limit.rlim_cur < limit.rlim_max) {
    rlimit raised = limit;
    raised.rlim_cur = limit.rlim_max;
    if (setrlimit(RLIMIT_NOFILE, &raised) == 0) limit = raised;
  }
  return static_cast<long>(limit.rlim_cur);
}

RoomSlice room_slice(int rooms, int processes, int index) {
  int base = rooms / processes, extra = rooms % processes;
  return {index * base + std::min(index, extra), base + (index < extra ? 1 : 0)};
}

std::vector<std::string> worker_arguments(const std::vector<std::string>& parent_args,
                                          const Config& config, int index,
                                          const std::string& report_file) {
  // Set per worker below, or kept by the parent: thresholds are judged on the
  // merged figures, and the parent writes the one report.
  static const std::set<std::string> replaced = {"--processes",
                                                 "--rooms",
                                                 "--report",
                                                 "--metrics-port",
                                                 "--run-id",
                                                 "--p99-ms-max",
                                                 "--error-rate-max",
                                                 "--source-addresses",
                                                 "--source-address-first",
                                                 "--worker-index",
                                                 "--worker-count",
                                                 "--room-first"};
  static const std::set<std::string> without_value = {"--compat", "--help", "-h"};
  std::vector<std::string> args;
  if (!parent_args.empty()) args.push_back(parent_args.front());
  for (std::size_t i = 1; i < parent_args.size(); ++i) {
    const auto& arg = parent_args[i];
    auto name = arg.substr(0, arg.find('='));
    bool inline_value = name.size() != arg.size();
    bool takes_value = arg.rfind("--", 0) == 0 && !without_value.count(name) && !inline_value;
    if (replaced.count(name)) {
      if (takes_value) ++i;  // its value goes with it
      continue;
    }
    args.push_back(arg);
    // A value is copied as it is, never read as a flag (a fault command may
    // well contain "--rooms").
    if (takes_value && i + 1 < parent_args.size()) args.push_back(parent_args[++i]);
  }
  auto slice = room_slice(config.rooms, config.processes, index);
  int addresses = config.source_addresses_per_process();
  std::vector<std::string> own = {"--rooms",
                                  std::to_string(slice.count),
                                  "--room-first",
                                  std::to_string(slice.first),
                                  "--worker-index",
                                  std::to_string(index),
                                  "--worker-count",
                                  std::to_string(config.processes),
                                  "--run-id",
                                  config.run_id,
                                  "--source-addresses",
                                  std::to_string(addresses),
                                  "--source-address-first",
                                  std::to_string(config.source_address_first + index * addresses),
                                  "--report",
                                  report_file};
  if (config.metrics_port) {
    own.push_back("--metrics-port");
    own.push_back(std::to_string(config.metrics_port + index));
  }
  args.insert(args.end(), own.begin(), own.end());
  return args;
}

int run_workers(const Config& config, int argc, char** argv) {
  std::signal(SIGPIPE, SIG_IGN);  // a worker that ended closes its pipe
  struct sigaction action {};
  action.sa_handler = on_signal;
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);

  char dir_template[] = "/tmp/loadgen-workers.XXXXXX";
  if (mkdtemp(dir_template) == nullptr) {
    std::cerr << "loadgen: cannot make a folder for the workers' reports: " << std::strerror(errno)
              << "\n";
    return 1;
  }
  std::string dir = dir_template;
  std::vector<std::string> parent_args(argv, argv + argc);
  std::vector<Worker> workers(static_cast<std::size_t>(config.processes));
  auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < config.processes; ++i) {
    auto& worker = workers[static_cast<std::size_t>(i)];
    worker.index = i;
    worker.rooms = room_slice(config.rooms, config.processes, i);
    worker.report_file = dir + "/worker-" + std::to_string(i) + ".json";
    std::string error;
    auto args = worker_arguments(parent_args, config, i, worker.report_file);
    if (!spawn(worker, args, dir + "/worker-" + std::to_string(i) + ".log", error)) {
      std::cerr << "loadgen: cannot start worker " << i << ": " << error << "\n";
      signal_all(workers, SIGTERM);
      workers.resize(static_cast<std::size_t>(i));
      supervise(workers, 0);
      return 1;
    }
  }
  std::cerr << "loadgen: " << config.processes << " worker processes for " << config.rooms
            << " rooms\n";
  auto stopped_by = supervise(workers, config.timeout_s);

  std::vector<WorkerOutcome> outcomes;
  for (const auto& worker : workers) {
    WorkerOutcome outcome;
    outcome.index = worker.index;
    outcome.rooms = describe_rooms(worker.rooms);
    outcome.ended = describe_status(worker.status);
    outcome.report = read_report(worker.report_file, outcome.problem);
    outcomes.push_back(std::move(outcome));
  }
  auto report = merge_reports(outcomes, {config.p99_ms_max, config.error_rate_max}, stopped_by);
  report.elapsed_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::cout << report.table() << std::flush;
  if (!config.report_file.empty()) {
    std::ofstream out(config.report_file);
    out << boost::json::serialize(report.to_json()) << "\n";
    if (!out) std::cerr << "loadgen: cannot write " << config.report_file << "\n";
  }
  // Kept when something failed: each worker's own table is in its log.
  if (report.passed()) {
    std::error_code ignored;
    std::filesystem::remove_all(dir, ignored);
  } else {
    std::cerr << "loadgen: each worker's report and log kept in " << dir << "\n";
  }
  return report.passed() ? 0 : 1;
}

}  // namespace loadgen
