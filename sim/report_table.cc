// The table on stdout: one row per run, then the refusals by reason.
#include <cstdio>
#include <string>

#include "sim/reports.h"

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

}  // namespace

void write_table(std::ostream& out, const SweepResult& result) {
  char line[256];
  out << "workload " << result.workload << "\n\n";
  std::snprintf(line, sizeof line,
                "%-22s %5s %5s %9s %4s %4s %6s %4s %7s %8s %8s %7s %7s %5s %5s %6s %6s\n", "policy",
                "spare", "idle", "server-h", "peak", "LB", "gap", "gap", "rooms", "waited", "wait",
                "wait", "refused", "out", "in", "crash", "users");
  out << line;
  std::snprintf(line, sizeof line,
                "%-22s %5s %5s %9s %4s %4s %6s %4s %7s %8s %8s %7s %7s %5s %5s %6s %6s\n", "",
                "slots", "s", "", "", "peak", "mean", "max", "created", "rooms", "p50", "p99",
                "joins", "", "", "es", "lost");
  out << line;
  for (const RunReport& run : result.runs) {
    std::snprintf(line, sizeof line,
                  "%-22s %5d %5lld %9s %4d %4d %6s %4d %7llu %8llu %8s %7s %7llu %5llu %5llu "
                  "%6llu %6llu\n",
                  run.policy.c_str(), run.spare_room_slots,
                  static_cast<long long>(run.idle_timeout_s),
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
  out << "\nrefusals by reason:\n";
  for (const RunReport& run : result.runs)
    out << "  " << run.label() << ": " << refusals_text(run) << "\n";
  for (const RunReport& run : result.runs) {
    if (run.failure.kind == FailureKind::none) continue;
    out << "\nFAILED (" << to_string(run.failure.kind) << ") in " << run.label()
        << " at t=" << run.failure.time_ms << " ms: " << run.failure.what << "\n";
  }
}

}  // namespace sim
