// Time and randomness come in from outside, so the simulator can run the same
// scheduler on a simulated clock with a seeded generator and replay a run.
#pragma once

#include <cstdint>
#include <functional>
#include <random>
#include <string>

#include "scheduler/types.h"

namespace sched {

// A clock that moves only when told to: tests and the simulator. The
// scheduler itself reads no clock (each call takes `now`), so production
// passes steady_clock's reading and needs nothing from here.
class ManualClock {
 public:
  explicit ManualClock(Millis start = Millis{0}) : now_(start) {}
  Millis now() const { return now_; }
  void advance(Millis by) { now_ += by; }
  void set(Millis to) { now_ = to; }

 private:
  Millis now_;
};

// Randomness is a seeded std::mt19937_64 handed to the scheduler: the same
// seed gives the same placements.
using Random = std::mt19937_64;

// The high and low 64 bits of a * b, in portable C++ (no __int128): the
// schoolbook product of 32-bit halves.
struct Product128 {
  std::uint64_t high = 0;
  std::uint64_t low = 0;
};
inline Product128 multiply_wide(std::uint64_t a, std::uint64_t b) {
  constexpr std::uint64_t low32 = 0xffff'ffff;
  const std::uint64_t lo_lo = (a & low32) * (b & low32);
  const std::uint64_t hi_lo = (a >> 32) * (b & low32);
  const std::uint64_t lo_hi = (a & low32) * (b >> 32);
  const std::uint64_t hi_hi = (a >> 32) * (b >> 32);
  // At most 3 * (2^32 - 1) + (2^32 - 1)^2 < 2^64: no overflow.
  const std::uint64_t cross = (lo_lo >> 32) + (hi_lo & low32) + lo_hi;
  return {hi_hi + (hi_lo >> 32) + (cross >> 32), a * b};
}

// A uniform integer in [0, n), n > 0, drawn from the generator's raw 64-bit
// output by Lemire's multiply-shift with rejection ("Fast Random Integer
// Generation in an Interval", 2019): the high word of x * n, redrawing x in
// the rare case (probability < n / 2^64) that the low word falls in the
// biased zone. Written out because std::uniform_int_distribution's algorithm
// is up to each standard library, so the same seed placed rooms differently
// on different platforms; this one is fully specified, and needs no division
// on the common path.
inline std::uint64_t uniform_below(Random& random, std::uint64_t n) {
  Product128 product = multiply_wide(random(), n);
  if (product.low < n) {
    const std::uint64_t threshold = (0 - n) % n;  // 2^64 mod n
    while (product.low < threshold) product = multiply_wide(random(), n);
  }
  return product.high;
}

// Makes room ids. The backend passes one backed by a crypto RNG (room ids are
// capabilities: whoever knows one can ask to join); tests and the simulator
// use the deterministic ones below.
using RoomIdGenerator = std::function<RoomId()>;

// "r1", "r2", ...: readable ids for tests.
RoomIdGenerator sequential_room_ids(std::string prefix = "r");

// 16 hex digits from a seeded generator: deterministic but realistic ids.
RoomIdGenerator seeded_room_ids(std::uint64_t seed);

}  // namespace sched
