// One report from the reports of several worker processes (--processes),
// each of which drove its own slice of the rooms. A room never spans two
// workers, so every delivery check is complete inside one worker and the
// merged counts are sums. What is not a sum is recomputed from the workers'
// raw data, never averaged: latency percentiles from their summed histogram
// buckets, reconnect percentiles from all their reconnect times, rates from
// summed numerators and denominators. Asio-free.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "loadgen/report.h"
#include "loadgen/run_stats.h"

namespace loadgen {

// A worker process as its parent saw it end.
struct WorkerOutcome {
  int index = 0;
  std::string rooms;             // e.g. "r0..r24", for messages
  std::optional<Report> report;  // nullopt: it left none (crashed, killed)
  std::string ended;             // "exit status 1", "killed by signal 9"
  std::string problem;           // why its report could not be read, if so
};

// The merged report: the workers' figures (summed, or recomputed), their
// checks combined as each check says (Check::Combine), the thresholds
// checked on the merged figures, and a check that every worker reported.
// `stopped_by`: the parent's own reason to stop early (SIGINT, timeout).
Report merge_reports(const std::vector<WorkerOutcome>& workers, const Thresholds& thresholds,
                     const std::string& stopped_by);

// Parts of it, tested on their own.
struct WorkerCheck {
  int worker = 0;
  Check check;
};
// The checks of one name, one per worker that reported it.
Check merge_check(const std::vector<WorkerCheck>& checks);
// Details that read the same but for their numbers ("3 missing of 100
// expected") come back as one with each number summed; others are listed,
// each with its worker.
std::string merge_details(const std::vector<std::pair<int, std::string>>& details);

}  // namespace loadgen
