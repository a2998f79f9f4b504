// The sweep's outputs: a table for people, CSV and JSON for programs, and an
// SVG plot of servers over time against the lower bound. All of them are
// functions of the results alone (no wall-clock times), so the same seed and
// options give byte-identical files.
#pragma once

#include <ostream>

#include "sim/sweep.h"

namespace sim {

void write_table(std::ostream& out, const SweepResult& result);
void write_csv(std::ostream& out, const SweepResult& result);
void write_json(std::ostream& out, const SweepResult& result);
void write_svg(std::ostream& out, const SweepResult& result);

// "12.5" with a fixed number of decimals, independent of the locale.
std::string fixed(double value, int decimals);

}  // namespace sim
