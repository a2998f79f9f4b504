// What --replications reports: for each sweep point, each figure's mean
// over the seeds with its 95% confidence interval; and for each point whose
// policy is not the first listed, its paired difference from the run of the
// first policy with the same other settings, seed by seed (common random
// numbers: every policy saw the same workload and fleet draws on a seed).
#pragma once

#include <string>
#include <vector>

#include "sim/run_report.h"
#include "sim/statistics.h"
#include "sim/sweep.h"

namespace sim {

// One number a run reports, as summarised. The names are stable: the CSV's
// and JSON's (and the agreement command's) columns.
struct Figure {
  const char* name;    // "server_hours"
  const char* header;  // the table's column, "server-hours"
  int decimals;
  double (*of)(const RunReport&);
};
const std::vector<Figure>& summary_figures();

struct PointSummary {
  std::string label;                        // RunReport::label()
  std::vector<std::vector<double>> values;  // [figure][replication]
  std::vector<Interval> intervals;          // [figure]
};

struct Comparison {
  std::string label;                  // the run compared
  std::string baseline;               // the first policy's run with the same settings
  std::vector<Interval> differences;  // [figure]: label minus baseline
};

struct Summary {
  std::vector<PointSummary> points;  // in the sweep's order
  std::vector<Comparison> comparisons;
};

// Empty when a run failed (there is no complete set of seeds to summarise).
Summary summarise(const SweepResult& result);

}  // namespace sim
