// Time and randomness come in from outside, so the simulator can run the same
// scheduler on a simulated clock with a seeded generator and replay a run.
#pragma once

#include <chrono>
#include <functional>
#include <random>
#include <string>

#include "scheduler/types.h"

namespace sched {

class Clock {
 public:
  virtual ~Clock() = default;
  virtual Millis now() const = 0;
};

// Monotonic wall time for production: immune to clock adjustments.
class SteadyClock final : public Clock {
 public:
  Millis now() const override;
};

// A clock that moves only when told to: tests and the simulator.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(Millis start = Millis{0}) : now_(start) {}
  Millis now() const override { return now_; }
  void advance(Millis by) { now_ += by; }
  void set(Millis to) { now_ = to; }

 private:
  Millis now_;
};

// Randomness is a seeded std::mt19937_64 handed to the scheduler: the same
// seed gives the same placements.
using Random = std::mt19937_64;

// Makes room ids. The backend passes one backed by a crypto RNG (room ids are
// capabilities: whoever knows one can ask to join); tests and the simulator
// use the deterministic ones below.
using RoomIdGenerator = std::function<RoomId()>;

// "r1", "r2", ...: readable ids for tests.
RoomIdGenerator sequential_room_ids(std::string prefix = "r");

// 16 hex digits from a seeded generator: deterministic but realistic ids.
RoomIdGenerator seeded_room_ids(std::uint64_t seed);

}  // namespace sched
