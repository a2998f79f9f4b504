// Portable randomness for the simulator. The standard distributions
// (std::normal_distribution, std::exponential_distribution, ...) are
// implementation-defined, so the same seed could give another workload on
// another standard library; these transforms are written out from uniform
// doubles so that a seed means the same run everywhere.
#pragma once

#include <cstdint>
#include <random>
#include <string_view>

namespace sim {

using Rng = std::mt19937_64;

// SplitMix64: a well-mixed 64-bit value from any 64-bit input.
std::uint64_t mix64(std::uint64_t value);

// Each component's seed: the master seed mixed with the component's name, so
// adding a component never shifts the random streams of the others.
std::uint64_t derive_seed(std::uint64_t master_seed, std::string_view component);

// Uniform in [0, 1), 53 random bits.
double uniform01(Rng& rng);
// Uniform integer in [low, high] (inclusive); low <= high.
std::int64_t uniform_int(Rng& rng, std::int64_t low, std::int64_t high);
// Exponential with the given mean (> 0).
double exponential(Rng& rng, double mean);
// Standard normal by Box-Muller (one value a call: simpler than caching the pair).
double standard_normal(Rng& rng);
// Lognormal given the median (exp(mu)) and sigma of the underlying normal.
double lognormal(Rng& rng, double median, double sigma);
// Pareto with scale x_min (> 0) and shape alpha (> 0): heavy-tailed sizes.
double pareto(Rng& rng, double x_min, double alpha);

}  // namespace sim
