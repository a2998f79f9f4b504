// A synthetic workload: rooms are created as a Poisson process whose rate may
// follow a daily cycle; each room lives for a heavy-tailed (lognormal) time
// and draws a heavy-tailed (Pareto) number of users, who join and leave
// within its life and send messages as Poisson processes.
#pragma once

#include <cstdint>

#include "sim/bucket_queue.h"
#include "sim/random.h"
#include "sim/workload.h"

namespace sim {

struct SyntheticConfig {
  double duration_s = 24 * 3600.0;  // rooms are created during this time
  double rooms_per_hour = 200;      // mean creation rate over a whole day
  // Rate(t) = mean * (1 + amplitude * sin(...)), lowest at t = 0 ("midnight").
  double daily_cycle_amplitude = 0.6;  // 0: constant rate; at most 1
  double day_length_s = 24 * 3600.0;
  double room_lifetime_median_s = 900;
  double room_lifetime_sigma = 1.0;  // of the underlying normal: the tail's weight
  double room_lifetime_s_max = 12 * 3600.0;
  // Users a room draws (the creator included): floor(Pareto(1, alpha)), so
  // most rooms are small and a few want more than a server allows.
  double room_users_pareto_alpha = 1.2;
  int room_users_max = 120;
  double user_stay_mean_s = 600;  // exponential; the creator stays the whole life
  double messages_per_user_per_min = 1.0;
  double message_bytes_median = 60;
  double message_bytes_sigma = 1.0;
  std::uint32_t message_bytes_max = 4096;
};

class SyntheticWorkload final : public Workload {
 public:
  SyntheticWorkload(SyntheticConfig config, std::uint64_t seed);
  bool next(WorkloadEvent& event) override;

 private:
  // What the generator's own queue holds: workload events due, plus two
  // internal steps (the next room arrival; a user's next message). Kept
  // small (32 bytes, not a whole WorkloadEvent): the heap holds every
  // pending join and leave of the rooms alive, and its cost is memory
  // traffic. The event's time is the queue entry's; a message's size is
  // drawn when it is emitted.
  enum class Step : std::uint8_t { arrival, emit, next_message };
  struct Pending {
    std::uint64_t room = 0;
    std::uint64_t user = 0;
    std::int64_t user_leaves_ms = 0;  // for next_message: the user's last moment
    Step step = Step::emit;
    EventKind kind = EventKind::create;  // for emit
  };

  void schedule_next_arrival(std::int64_t after_ms);
  void start_room(std::int64_t now_ms);
  void schedule_user(std::uint64_t room, std::int64_t join_ms, std::int64_t leave_ms);
  void schedule_message(std::uint64_t room, std::uint64_t user, std::int64_t after_ms,
                        std::int64_t leave_ms);
  double rate_per_ms(std::int64_t time_ms) const;

  SyntheticConfig config_;
  Rng rng_;
  BucketQueue<Pending> queue_;  // every push is at or after the last pop
  double rate_per_ms_max_ = 0;
  std::uint64_t next_room_ = 1;
  std::uint64_t next_user_ = 1;
};

}  // namespace sim
