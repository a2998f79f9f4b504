#include "control/settings.h"

namespace core {

ControlOptions control_options(const ControlSettings& s) {
  ControlOptions options;
  sched::SchedulerConfig& scheduler = options.scheduler;
  scheduler.room_capacity = s.rooms_per_server;
  scheduler.join_deadline = s.join_deadline;
  scheduler.empty_room_grace = s.empty_room_grace;
  scheduler.failed_polls_before_gone = s.failed_polls_before_gone;
  scheduler.retry_after = s.retry_after;
  sched::AutoscalerConfig& autoscaler = scheduler.autoscaler;
  autoscaler.min_servers = s.min_servers;
  autoscaler.max_servers = s.max_servers;
  autoscaler.spare_room_slots = s.spare_room_slots;
  autoscaler.idle_before_stop = s.idle_before_stop;
  autoscaler.start_timeout = s.server_start_timeout;
  autoscaler.defrag_max_rooms = s.defrag_max_rooms;
  autoscaler.defrag_interval = s.defrag_interval;
  options.start_wait_max = s.server_start_timeout;
  options.placement_attempts = s.placement_attempts;
  return options;
}

}  // namespace core
