#include "metrics/metrics.h"

#include <prometheus/text_serializer.h>
#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace metrics {
namespace {

prometheus::Gauge& process_gauge(prometheus::Registry& registry, const std::string& name,
                                 const std::string& help) {
  return prometheus::BuildGauge().Name(name).Help(help).Register(registry).Add({});
}

}  // namespace

Metrics::Metrics()
    : registry_(std::make_shared<prometheus::Registry>()),
      resident_memory_bytes_(process_gauge(*registry_, "process_resident_memory_bytes",
                                           "Resident memory size in bytes.")),
      cpu_seconds_total_(prometheus::BuildCounter()
                             .Name("process_cpu_seconds_total")
                             .Help("Total user and system CPU time spent in seconds.")
                             .Register(*registry_)
                             .Add({})),
      open_fds_(process_gauge(*registry_, "process_open_fds", "Number of open file descriptors.")),
      max_fds_(process_gauge(*registry_, "process_max_fds",
                             "Maximum number of open file descriptors.")),
      start_time_seconds_(process_gauge(*registry_, "process_start_time_seconds",
                                        "Start time of the process since unix epoch in seconds.")) {
  start_time_seconds_.Set(
      std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count());
}

void Metrics::refresh_process_figures() {
  std::lock_guard lock(refresh_mutex_);
  long page_size = sysconf(_SC_PAGESIZE);
  long ticks_per_second = sysconf(_SC_CLK_TCK);
  std::ifstream statm("/proc/self/statm");
  long pages_total = 0, pages_resident = 0;
  if (statm >> pages_total >> pages_resident) {
    resident_memory_bytes_.Set(static_cast<double>(pages_resident) * page_size);
  }
  std::ifstream stat("/proc/self/stat");
  std::string line;
  if (std::getline(stat, line)) {
    // Fields after the command name (which may hold spaces) start after ')'.
    std::istringstream fields(line.substr(line.rfind(')') + 2));
    std::string field;
    double utime = 0, stime = 0;
    for (int i = 3; i <= 15 && fields >> field; ++i) {
      if (i == 14) utime = std::stod(field);
      if (i == 15) stime = std::stod(field);
    }
    double cpu_seconds = (utime + stime) / static_cast<double>(ticks_per_second);
    if (cpu_seconds > cpu_seconds_total_.Value()) {
      cpu_seconds_total_.Increment(cpu_seconds - cpu_seconds_total_.Value());
    }
  }
  rlimit files{};
  if (getrlimit(RLIMIT_NOFILE, &files) == 0 && files.rlim_cur != RLIM_INFINITY) {
    max_fds_.Set(static_cast<double>(files.rlim_cur));
  }
  std::error_code ec;
  auto fds = std::distance(std::filesystem::directory_iterator("/proc/self/fd", ec),
                           std::filesystem::directory_iterator());
  if (!ec) open_fds_.Set(static_cast<double>(fds));
}

std::string Metrics::render() {
  refresh_process_figures();
  return prometheus::TextSerializer().Serialize(registry_->Collect());
}

prometheus::Histogram::BucketBoundaries latency_buckets() {
  return {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
          0.05,   0.1,     0.25,   0.5,   1,      2.5,   5,    10};
}

}  // namespace metrics
