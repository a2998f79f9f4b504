// The control plane's settings as people give them, on the backend's and
// the simulator's command lines alike: one default for each, here, so that
// a simulation runs the backend's defaults unless told otherwise, and both
// --help print them from this one table (control/settings_flags.h).
#pragma once

#include <chrono>

#include "control/options.h"

namespace core {

struct ControlSettings {
  int rooms_per_server = 10;
  int min_servers = 1;    // kept running (starting or ready) even when idle
  int max_servers = 100;  // past it, and full, creations are refused (503)
  int spare_room_slots = 0;
  std::chrono::seconds idle_before_stop{60};
  int defrag_max_rooms = 0;  // 0: no defragmentation
  std::chrono::seconds defrag_interval{60};
  // One timeout for a server's start: the scheduler gives it up past this,
  // and a request waits for it no longer.
  std::chrono::seconds server_start_timeout{30};
  std::chrono::seconds join_deadline{60};
  std::chrono::seconds empty_room_grace{30};
  // How often servers' status is polled and the autoscaler acts.
  std::chrono::milliseconds poll_interval{1000};
  int failed_polls_before_gone = 3;
  int placement_attempts = 3;
  std::chrono::seconds retry_after{5};  // told with 503 when every server is full
};

// The core's options from the settings: the scheduler's, the autoscaler's
// and its own. The policy, the fleet and the server names are the caller's.
ControlOptions control_options(const ControlSettings& settings);

}  // namespace core
