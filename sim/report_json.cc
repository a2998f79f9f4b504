// JSON summary, written by hand: the output is small and flat, and fixed
// number formatting keeps it byte-identical across runs.
#include "sim/reports.h"
#include "sim/summary.h"

namespace sim {
namespace {

std::string quoted(std::string_view text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char escaped[8];
      std::snprintf(escaped, sizeof escaped, "\\u%04x", c);
      out += escaped;
    } else {
      out += c;
    }
  }
  return out + "\"";
}

std::string downtime_json(const RunReport::Downtime& downtime) {
  return "{\"rooms\": " + std::to_string(downtime.rooms) +
         ", \"p50_ms\": " + std::to_string(downtime.p50_ms) +
         ", \"p99_ms\": " + std::to_string(downtime.p99_ms) +
         ", \"max_ms\": " + std::to_string(downtime.max_ms) + "}";
}

void write_run(std::ostream& out, const RunReport& run) {
  out << "    {\"seed\": \"" << run.seed << "\", \"replication\": " << run.replication
      << ", \"policy\": " << quoted(run.policy)
      << ", \"spare_room_slots\": " << run.spare_room_slots
      << ", \"idle_timeout_s\": " << run.idle_timeout_s
      << ",\n     \"server_seconds\": " << fixed(run.server_seconds, 3)
      << ", \"servers_peak\": " << run.servers_peak
      << ", \"lower_bound_peak\": " << run.lower_bound_peak
      << ", \"gap_mean\": " << fixed(run.gap_mean, 4) << ", \"gap_worst\": " << run.gap_worst
      << ",\n     \"rooms_created\": " << run.rooms_created
      << ", \"rooms_waited\": " << run.rooms_waited << ", \"wait_p50_ms\": " << run.wait_p50_ms
      << ", \"wait_p99_ms\": " << run.wait_p99_ms << ", \"wait_max_ms\": " << run.wait_max_ms
      << ",\n     \"creates_refused\": {";
  for (int i = 0; i < static_cast<int>(CreateRefusal::count); ++i) {
    out << (i ? ", " : "") << quoted(to_string(static_cast<CreateRefusal>(i))) << ": "
        << run.creates_refused[i];
  }
  out << "},\n     \"joins\": " << run.joins << ", \"joins_accepted\": " << run.joins_accepted
      << ", \"joins_cancelled\": " << run.joins_cancelled << ", \"joins_refused\": {";
  for (int i = 0; i < static_cast<int>(JoinRefusal::count); ++i) {
    out << (i ? ", " : "") << quoted(to_string(static_cast<JoinRefusal>(i))) << ": "
        << run.joins_refused[i];
  }
  out << "},\n     \"scale_out\": " << run.scale_out << ", \"scale_in\": " << run.scale_in
      << ", \"start_timeouts\": " << run.start_timeouts
      << ", \"starts_failed\": " << run.starts_failed
      << ", \"server_crashes\": " << run.server_crashes
      << ", \"rooms_lost_to_crashes\": " << run.rooms_lost_to_crashes
      << ", \"users_lost_to_crashes\": " << run.users_lost_to_crashes
      << ",\n     \"messages\": " << run.messages
      << ", \"messages_undelivered\": " << run.messages_undelivered
      << ", \"deliveries\": " << run.deliveries << ", \"events\": " << run.events
      << ", \"simulated_ms\": " << run.simulated_ms
      << ",\n     \"defrag_max_rooms\": " << run.defrag_max_rooms
      << ", \"failover\": " << quoted(to_string(run.failover)) << ", \"drains\": " << run.drains
      << ", \"drains_cancelled\": " << run.drains_cancelled
      << ", \"rooms_moved\": " << run.rooms_moved << ", \"users_moved\": " << run.users_moved
      << ",\n     \"servers_marked_gone_by_probe\": " << run.servers_marked_gone_by_probe
      << ", \"reconnects\": " << run.reconnects
      << ", \"reconnects_failed\": " << run.reconnects_failed
      << ",\n     \"downtime_crash\": " << downtime_json(run.downtime_crash)
      << ",\n     \"downtime_move\": " << downtime_json(run.downtime_move)
      << ",\n     \"failure\": {\"kind\": " << quoted(to_string(run.failure.kind))
      << ", \"time_ms\": " << run.failure.time_ms << ", \"what\": " << quoted(run.failure.what)
      << "}}";
}

void write_interval(std::ostream& out, const Interval& interval, int decimals) {
  out << "{\"mean\": " << fixed(interval.mean, decimals + 2)
      << ", \"ci95_low\": " << fixed(interval.low(), decimals + 2)
      << ", \"ci95_high\": " << fixed(interval.high(), decimals + 2)
      << ", \"stddev\": " << fixed(interval.stddev, decimals + 2) << ", \"n\": " << interval.n;
}

// Means with 95% intervals per setting, and the paired differences.
void write_summary(std::ostream& out, const SweepResult& result) {
  const std::vector<Figure>& figures = summary_figures();
  const Summary summary = summarise(result);
  out << ",\n  \"replication_seeds\": [";
  for (std::size_t i = 0; i < result.replication_seeds.size(); ++i) {
    out << (i ? ", " : "") << '"' << result.replication_seeds[i] << '"';
  }
  out << "],\n  \"summary\": [";
  for (std::size_t p = 0; p < summary.points.size(); ++p) {
    out << (p ? ",\n" : "\n") << "    {\"run\": " << quoted(summary.points[p].label);
    for (std::size_t f = 0; f < figures.size(); ++f) {
      out << ",\n     " << quoted(figures[f].name) << ": ";
      write_interval(out, summary.points[p].intervals[f], figures[f].decimals);
      out << ", \"per_seed\": [";
      const std::vector<double>& values = summary.points[p].values[f];
      for (std::size_t r = 0; r < values.size(); ++r) {
        out << (r ? ", " : "") << fixed(values[r], figures[f].decimals + 2);
      }
      out << "]}";
    }
    out << "}";
  }
  out << "\n  ],\n  \"comparisons\": [";
  for (std::size_t c = 0; c < summary.comparisons.size(); ++c) {
    const Comparison& comparison = summary.comparisons[c];
    out << (c ? ",\n" : "\n") << "    {\"run\": " << quoted(comparison.label)
        << ", \"minus\": " << quoted(comparison.baseline);
    for (std::size_t f = 0; f < figures.size(); ++f) {
      out << ",\n     " << quoted(figures[f].name) << ": ";
      write_interval(out, comparison.differences[f], figures[f].decimals);
      out << ", \"excludes_zero\": "
          << (comparison.differences[f].excludes_zero() ? "true" : "false") << "}";
    }
    out << "}";
  }
  out << "\n  ]";
}

}  // namespace

void write_json(std::ostream& out, const SweepResult& result) {
  // The seed as a string: 64-bit integers lose digits in JavaScript numbers.
  out << "{\n  \"seed\": \"" << result.seed << "\",\n  \"workload\": " << quoted(result.workload)
      << ",\n  \"runs\": [\n";
  for (std::size_t i = 0; i < result.runs.size(); ++i) {
    write_run(out, result.runs[i]);
    out << (i + 1 < result.runs.size() ? ",\n" : "\n");
  }
  out << "  ]";
  if (result.replicated()) write_summary(out, result);
  out << "\n}\n";
}

}  // namespace sim
