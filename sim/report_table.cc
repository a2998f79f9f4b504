// The table on stdout: one row per run, then the refusals by reason.
#include <cstdio>
#include <string>

#include "sim/reports.h"
#include "sim/summary.h"

namespace sim {

std::string fixed(double value, int decimals) {
  char text[64];
  std::snprintf(text, sizeof text, "%.*f", decimals, value);
  return text;
}

namespace {

std::string seconds_text(std::int64_t ms) { return fixed(ms / 1e3, 1) + "s"; }

std::string refusals_text(const RunReport& run) {
  std::string text;
  const auto add = [&text](std::string_view kind, std::string_view reason, std::uint64_t n) {
    if (n == 0) return;
    text += (text.empty() ? "" : ", ") + std::string(kind) + " " + std::string(reason) + "=" +
            std::to_string(n);
  };
  for (int i = 0; i < static_cast<int>(CreateRefusal::count); ++i) {
    add("create", to_string(static_cast<CreateRefusal>(i)), run.creates_refused[i]);
  }
  for (int i = 0; i < static_cast<int>(JoinRefusal::count); ++i) {
    add("join", to_string(static_cast<JoinRefusal>(i)), run.joins_refused[i]);
  }
  return text.empty() ? "none" : text;
}

std::string cell(const char* format, const char* text) {
  char line[64];
  std::snprintf(line, sizeof line, format, text);
  return line;
}

// The run without defragmentation that `run` is compared with: the same
// policy and settings, defrag 0 (the sweep always runs it).
const RunReport* without_defrag(const SweepResult& result, const RunReport& run) {
  for (const RunReport& other : result.runs) {
    if (other.defrag_max_rooms == 0 && other.policy == run.policy &&
        other.spare_room_slots == run.spare_room_slots &&
        other.idle_timeout_s == run.idle_timeout_s && other.failover == run.failover) {
      return &other;
    }
  }
  return nullptr;
}

std::string downtime_text(const RunReport::Downtime& downtime) {
  return std::to_string(downtime.rooms) + " back after p50 " + seconds_text(downtime.p50_ms) +
         ", p99 " + seconds_text(downtime.p99_ms) + ", max " + seconds_text(downtime.max_ms);
}

void write_defrag_section(std::ostream& out, const SweepResult& result) {
  out << "\ndefragmentation, against the same run without it:\n";
  for (const RunReport& run : result.runs) {
    const RunReport* base = run.defrag_max_rooms > 0 ? without_defrag(result, run) : nullptr;
    if (base == nullptr) continue;
    const double hours = run.server_seconds / 3600;
    const double base_hours = base->server_seconds / 3600;
    const double saved = base_hours - hours;
    out << "  " << run.label() << ": server-hours " << fixed(base_hours, 1) << " -> "
        << fixed(hours, 1) << " (saves " << fixed(saved, 1) << ", "
        << fixed(base_hours > 0 ? 100 * saved / base_hours : 0, 1) << "%), peak "
        << base->servers_peak << " -> " << run.servers_peak << "; " << run.drains << " drains ("
        << run.drains_cancelled << " cancelled), " << run.rooms_moved << " rooms and "
        << run.users_moved << " users moved, rooms " << downtime_text(run.downtime_move) << "\n";
  }
}

void write_failover_section(std::ostream& out, const SweepResult& result) {
  out << "\nrooms cut off by crashes (their users reconnect unless failover=leave):\n";
  for (const RunReport& run : result.runs) {
    if (run.failover == Failover::leave) continue;
    out << "  " << run.label() << ": " << run.rooms_lost_to_crashes << " cut off, "
        << downtime_text(run.downtime_crash) << "; " << run.reconnects << " users back, "
        << run.reconnects_failed << " gave up; " << run.servers_marked_gone_by_probe
        << " servers marked gone by probe\n";
  }
}

void write_replicated(std::ostream& out, const SweepResult& result) {
  const std::vector<Figure>& figures = summary_figures();
  const Summary summary = summarise(result);
  out << "workload " << result.workload << "\n"
      << result.replication_seeds.size()
      << " replications (seeds derived from the master seed; each is in the CSV and JSON and "
         "repeats its run alone with --seed), means with 95% confidence intervals (Student t):\n";
  char line[256];
  for (const PointSummary& point : summary.points) {
    out << "\n" << point.label << "\n";
    for (std::size_t f = 0; f < figures.size(); ++f) {
      const Interval& interval = point.intervals[f];
      const int decimals = figures[f].decimals;
      std::snprintf(
          line, sizeof line, "  %-22s %10s +- %-8s [%s, %s]\n", figures[f].header,
          fixed(interval.mean, decimals).c_str(), fixed(interval.half_width, decimals).c_str(),
          fixed(interval.low(), decimals).c_str(), fixed(interval.high(), decimals).c_str());
      out << line;
    }
  }
  if (!summary.comparisons.empty()) {
    out << "\npaired differences, run minus baseline on the same seeds (common random numbers), "
           "95% confidence intervals; \"real\" when the interval excludes 0:\n";
  }
  for (const Comparison& comparison : summary.comparisons) {
    out << "\n" << comparison.label << "  minus  " << comparison.baseline << "\n";
    for (std::size_t f = 0; f < figures.size(); ++f) {
      const Interval& difference = comparison.differences[f];
      const int decimals = figures[f].decimals;
      const auto signed_text = [decimals](double value) {
        return (value > 0 ? "+" : "") + fixed(value, decimals);
      };
      std::snprintf(line, sizeof line, "  %-22s %10s  [%s, %s]%s\n", figures[f].header,
                    signed_text(difference.mean).c_str(), signed_text(difference.low()).c_str(),
                    signed_text(difference.high()).c_str(),
                    difference.excludes_zero() ? "  real" : "");
      out << line;
    }
  }
}

void write_failures(std::ostream& out, const SweepResult& result) {
  for (const RunReport& run : result.runs) {
    if (run.failure.kind == FailureKind::none) continue;
    out << "\nFAILED (" << to_string(run.failure.kind) << ") in " << run.label();
    if (result.replicated()) out << " seed " << run.seed;
    out << " at t=" << run.failure.time_ms << " ms: " << run.failure.what << "\n";
  }
}

}  // namespace

void write_table(std::ostream& out, const SweepResult& result) {
  if (result.replicated()) {
    write_replicated(out, result);
    write_failures(out, result);
    return;
  }
  bool show_defrag = false;
  bool show_failover = false;
  for (const RunReport& run : result.runs) {
    show_defrag = show_defrag || run.defrag_max_rooms > 0;
    show_failover = show_failover || run.failover != Failover::leave;
  }
  // The defrag and failover columns only when the sweep varies them.
  const auto settings = [&](const char* defrag, const char* failover) {
    return (show_defrag ? cell(" %6s", defrag) : "") +
           (show_failover ? cell(" %8s", failover) : "");
  };
  const char* row_format = " %8s %7s %7s %6s %5s %8s %7s %8s %8s %7s %7s %7s %7s %6s\n";
  char line[256];
  out << "workload " << result.workload << "\n\n";
  std::snprintf(line, sizeof line, "%-22s %5s %5s", "", "spare", "idle");
  out << line << settings("defrag", "failover");
  std::snprintf(line, sizeof line, row_format, "server", "peak", "lower", "gap", "gap", "rooms",
                "rooms", "wait", "wait", "joins", "servers", "servers", "crashes", "users");
  out << line;
  std::snprintf(line, sizeof line, "%-22s %5s %5s", "policy", "slots", "s");
  out << line << settings("rooms", "");
  std::snprintf(line, sizeof line, row_format, "hours", "servers", "bound", "mean", "max",
                "created", "waited", "p50", "p99", "refused", "started", "stopped", "", "lost");
  out << line;
  for (const RunReport& run : result.runs) {
    std::snprintf(line, sizeof line, "%-22s %5d %5lld", run.policy.c_str(), run.spare_room_slots,
                  static_cast<long long>(run.idle_timeout_s));
    out << line
        << settings(std::to_string(run.defrag_max_rooms).c_str(),
                    std::string(to_string(run.failover)).c_str());
    std::snprintf(line, sizeof line,
                  " %8s %7d %7d %6s %5d %8llu %7llu %8s %8s %7llu %7llu %7llu %7llu %6llu\n",
                  fixed(run.server_seconds / 3600, 1).c_str(), run.servers_peak,
                  run.lower_bound_peak, fixed(run.gap_mean, 2).c_str(), run.gap_worst,
                  static_cast<unsigned long long>(run.rooms_created),
                  static_cast<unsigned long long>(run.rooms_waited),
                  seconds_text(run.wait_p50_ms).c_str(), seconds_text(run.wait_p99_ms).c_str(),
                  static_cast<unsigned long long>(run.joins_refused_total()),
                  static_cast<unsigned long long>(run.scale_out),
                  static_cast<unsigned long long>(run.scale_in),
                  static_cast<unsigned long long>(run.server_crashes),
                  static_cast<unsigned long long>(run.users_lost_to_crashes));
    out << line;
  }
  out << "\nlower bound: its peak, ceil(active rooms / rooms per server); gap: servers in use "
         "minus the lower bound,\ntime-weighted mean and max; rooms waited: placed on a server "
         "still starting, wait: from their\ncreation to their first user in; servers started "
         "and stopped: scale-out and scale-in.\n";
  out << "\nrefusals by reason:\n";
  for (const RunReport& run : result.runs)
    out << "  " << run.label() << ": " << refusals_text(run) << "\n";
  if (show_defrag) write_defrag_section(out, result);
  if (show_failover) write_failover_section(out, result);
  write_failures(out, result);
}

}  // namespace sim
