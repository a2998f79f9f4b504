// CSV: one row per run, every number of the report, for spreadsheets and
// plotting scripts. With --replications, one row per seed and setting: the
// seed column is the run's own seed, `replication` its number (from 0).
#include "sim/reports.h"

namespace sim {

void write_csv(std::ostream& out, const SweepResult& result) {
  out << "seed,policy,spare_room_slots,idle_timeout_s,server_seconds,servers_peak,"
         "lower_bound_peak,gap_mean,gap_worst,rooms_created,rooms_waited,wait_p50_ms,"
         "wait_p99_ms,wait_max_ms";
  for (int i = 0; i < static_cast<int>(CreateRefusal::count); ++i) {
    out << ",creates_refused_" << to_string(static_cast<CreateRefusal>(i));
  }
  out << ",joins,joins_accepted,joins_cancelled";
  for (int i = 0; i < static_cast<int>(JoinRefusal::count); ++i) {
    out << ",joins_refused_" << to_string(static_cast<JoinRefusal>(i));
  }
  out << ",scale_out,scale_in,start_timeouts,server_crashes,rooms_lost_to_crashes,"
         "users_lost_to_crashes,messages,messages_undelivered,deliveries,events,simulated_ms,"
         "failure,defrag_max_rooms,failover,drains,drains_cancelled,rooms_moved,users_moved,"
         "servers_marked_gone_by_probe,reconnects,reconnects_failed,downtime_crash_rooms,"
         "downtime_crash_p50_ms,downtime_crash_p99_ms,downtime_crash_max_ms,downtime_move_rooms,"
         "downtime_move_p50_ms,downtime_move_p99_ms,downtime_move_max_ms,replication,starts_failed\n";
  for (const RunReport& run : result.runs) {
    out << run.seed << ',' << run.policy << ',' << run.spare_room_slots << ',' << run.idle_timeout_s
        << ',' << fixed(run.server_seconds, 3) << ',' << run.servers_peak << ','
        << run.lower_bound_peak << ',' << fixed(run.gap_mean, 4) << ',' << run.gap_worst << ','
        << run.rooms_created << ',' << run.rooms_waited << ',' << run.wait_p50_ms << ','
        << run.wait_p99_ms << ',' << run.wait_max_ms;
    for (std::uint64_t n : run.creates_refused) out << ',' << n;
    out << ',' << run.joins << ',' << run.joins_accepted << ',' << run.joins_cancelled;
    for (std::uint64_t n : run.joins_refused) out << ',' << n;
    out << ',' << run.scale_out << ',' << run.scale_in << ',' << run.start_timeouts << ','
        << run.server_crashes << ',' << run.rooms_lost_to_crashes << ','
        << run.users_lost_to_crashes << ',' << run.messages << ',' << run.messages_undelivered
        << ',' << run.deliveries << ',' << run.events << ',' << run.simulated_ms << ','
        << to_string(run.failure.kind) << ',' << run.defrag_max_rooms << ','
        << to_string(run.failover) << ',' << run.drains << ',' << run.drains_cancelled << ','
        << run.rooms_moved << ',' << run.users_moved << ',' << run.servers_marked_gone_by_probe
        << ',' << run.reconnects << ',' << run.reconnects_failed;
    for (const RunReport::Downtime& downtime : {run.downtime_crash, run.downtime_move}) {
      out << ',' << downtime.rooms << ',' << downtime.p50_ms << ',' << downtime.p99_ms << ','
          << downtime.max_ms;
    }
    out << ',' << run.replication << ',' << run.starts_failed << '\n';
  }
}

}  // namespace sim
