#include "sim/synthetic_workload.h"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace sim {

SyntheticWorkload::SyntheticWorkload(SyntheticConfig config, std::uint64_t seed)
    : config_(config), rng_(seed) {
  config_.daily_cycle_amplitude = std::clamp(config_.daily_cycle_amplitude, 0.0, 1.0);
  rate_per_ms_max_ = config_.rooms_per_hour / 3600e3 * (1.0 + config_.daily_cycle_amplitude);
  schedule_next_arrival(0);
}

double SyntheticWorkload::rate_per_ms(std::int64_t time_ms) const {
  const double phase = 2 * std::numbers::pi * (time_ms / 1e3) / config_.day_length_s;
  // -cos: the lowest rate at t = 0, the highest half a day later.
  return config_.rooms_per_hour / 3600e3 * (1.0 - config_.daily_cycle_amplitude * std::cos(phase));
}

// Thinning (Lewis and Shedler): candidates at the highest rate, each kept with
// probability rate(t) / highest rate, give a Poisson process of rate(t).
void SyntheticWorkload::schedule_next_arrival(std::int64_t after_ms) {
  if (rate_per_ms_max_ <= 0) return;
  double time_ms = static_cast<double>(after_ms);
  const double end_ms = config_.duration_s * 1e3;
  while (true) {
    time_ms += exponential(rng_, 1.0 / rate_per_ms_max_);
    if (time_ms >= end_ms) return;
    const auto candidate_ms = static_cast<std::int64_t>(time_ms);
    if (uniform01(rng_) * rate_per_ms_max_ < rate_per_ms(candidate_ms)) {
      queue_.push(candidate_ms, Pending{0, 0, 0, Step::arrival});
      return;
    }
  }
}

void SyntheticWorkload::start_room(std::int64_t now_ms) {
  const std::uint64_t room = next_room_++;
  const double lifetime_s =
      std::min(lognormal(rng_, config_.room_lifetime_median_s, config_.room_lifetime_sigma),
               config_.room_lifetime_s_max);
  const std::int64_t end_ms = now_ms + std::max<std::int64_t>(1000, lifetime_s * 1e3);
  const double drawn = pareto(rng_, 1.0, config_.room_users_pareto_alpha);
  const int users = static_cast<int>(std::min<double>(config_.room_users_max, drawn));

  const std::uint64_t creator = next_user_;
  queue_.push(now_ms, Pending{room, creator, 0, Step::emit, EventKind::create});
  schedule_user(room, now_ms, end_ms);  // the creator: there for the whole life
  for (int i = 1; i < users; ++i) {
    const auto join_ms = now_ms + static_cast<std::int64_t>(uniform01(rng_) * (end_ms - now_ms));
    const auto stay_ms =
        static_cast<std::int64_t>(exponential(rng_, config_.user_stay_mean_s) * 1e3);
    schedule_user(room, join_ms, std::min(end_ms, join_ms + std::max<std::int64_t>(1, stay_ms)));
  }
}

void SyntheticWorkload::schedule_user(std::uint64_t room, std::int64_t join_ms,
                                      std::int64_t leave_ms) {
  const std::uint64_t user = next_user_++;
  queue_.push(join_ms, Pending{room, user, 0, Step::emit, EventKind::join});
  queue_.push(leave_ms, Pending{room, user, 0, Step::emit, EventKind::leave});
  schedule_message(room, user, join_ms, leave_ms);
}

// One pending message per user at a time, not all of a long stay's messages
// at once: the queue stays proportional to the users present.
void SyntheticWorkload::schedule_message(std::uint64_t room, std::uint64_t user,
                                         std::int64_t after_ms, std::int64_t leave_ms) {
  if (config_.messages_per_user_per_min <= 0) return;
  const double gap_ms = exponential(rng_, 60e3 / config_.messages_per_user_per_min);
  const auto at_ms = after_ms + 1 + static_cast<std::int64_t>(gap_ms);
  if (at_ms >= leave_ms) return;
  queue_.push(at_ms, Pending{room, user, leave_ms, Step::next_message, EventKind::message});
}

bool SyntheticWorkload::next(WorkloadEvent& event) {
  while (!queue_.empty()) {
    const auto entry = queue_.pop();
    const Pending& pending = entry.payload;
    switch (pending.step) {
      case Step::arrival:
        start_room(entry.time_ms);
        schedule_next_arrival(entry.time_ms);
        continue;
      case Step::next_message: {
        const double size =
            lognormal(rng_, config_.message_bytes_median, config_.message_bytes_sigma);
        const auto bytes =
            static_cast<std::uint32_t>(std::clamp<double>(size, 1, config_.message_bytes_max));
        schedule_message(pending.room, pending.user, entry.time_ms, pending.user_leaves_ms);
        event = WorkloadEvent{entry.time_ms, EventKind::message, pending.room, pending.user, bytes};
        return true;
      }
      case Step::emit:
        event = WorkloadEvent{entry.time_ms, pending.kind, pending.room, pending.user, 0};
        return true;
    }
  }
  return false;
}

}  // namespace sim
