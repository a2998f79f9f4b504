#include "sim/random.h"

#include <cmath>
#include <numbers>

namespace sim {

std::uint64_t mix64(std::uint64_t value) {
  value += 0x9e3779b97f4a7c15ULL;
  value = (value ^ (value >> 30)) * 0xbf58476d1ce4e5b9ULL;
  value = (value ^ (value >> 27)) * 0x94d049bb133111ebULL;
  return value ^ (value >> 31);
}

std::uint64_t derive_seed(std::uint64_t master_seed, std::string_view component) {
  // FNV-1a of the name: stable across platforms, unlike std::hash.
  std::uint64_t name_hash = 0xcbf29ce484222325ULL;
  for (char c : component) {
    name_hash ^= static_cast<unsigned char>(c);
    name_hash *= 0x100000001b3ULL;
  }
  return mix64(master_seed ^ mix64(name_hash));
}

double uniform01(Rng& rng) { return static_cast<double>(rng() >> 11) * 0x1.0p-53; }

std::int64_t uniform_int(Rng& rng, std::int64_t low, std::int64_t high) {
  const std::uint64_t span = static_cast<std::uint64_t>(high - low) + 1;
  if (span == 0) return static_cast<std::int64_t>(rng());  // the full 64-bit range
  // Rejection removes the modulo bias; at most a few draws in the worst case.
  const std::uint64_t limit = UINT64_MAX - UINT64_MAX % span;
  std::uint64_t draw = rng();
  while (draw >= limit) draw = rng();
  return low + static_cast<std::int64_t>(draw % span);
}

double exponential(Rng& rng, double mean) { return -mean * std::log1p(-uniform01(rng)); }

double standard_normal(Rng& rng) {
  const double u1 = 1.0 - uniform01(rng);  // (0, 1]: log stays finite
  const double u2 = uniform01(rng);
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
}

double lognormal(Rng& rng, double median, double sigma) {
  return median * std::exp(sigma * standard_normal(rng));
}

double pareto(Rng& rng, double x_min, double alpha) {
  return x_min / std::pow(1.0 - uniform01(rng), 1.0 / alpha);
}

}  // namespace sim
