// Delivery latencies in microseconds, log-linear buckets (HdrHistogram-like):
// 32 linear sub-buckets per power of two, so a percentile is within ~3%.
// Recording is lock-free (relaxed atomics), so a progress line may read it.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <vector>

namespace loadgen {

class LatencyHistogram {
 public:
  static constexpr int kSubBits = 5;
  static constexpr int kSub = 1 << kSubBits;
  static constexpr int kBuckets = (64 - kSubBits + 1) * kSub;

  void record(std::uint64_t value_us);
  std::uint64_t count() const { return count_.load(std::memory_order_relaxed); }
  std::uint64_t max_us() const { return max_.load(std::memory_order_relaxed); }
  double mean_us() const;
  // The value at quantile q (0..1): the upper edge of its bucket; 0 if empty.
  std::uint64_t percentile_us(double q) const;
  void add(const LatencyHistogram& other);
  void reset();

  // The histogram as data, so that another process can merge it exactly
  // (percentiles of several processes come from their summed buckets, never
  // from their percentiles).
  struct Bucket {
    int index = 0;
    std::uint64_t count = 0;
  };
  std::vector<Bucket> nonzero_buckets() const;
  std::uint64_t sum_us() const { return sum_.load(std::memory_order_relaxed); }
  // Adds counts read back from nonzero_buckets() (indices out of range are
  // ignored), with their sum and maximum.
  void add_buckets(const std::vector<Bucket>& buckets, std::uint64_t sum_us, std::uint64_t max_us);

  static int bucket_of(std::uint64_t value);
  static std::uint64_t bucket_upper(int bucket);  // largest value in the bucket

 private:
  std::array<std::atomic<std::uint64_t>, kBuckets> buckets_{};
  std::atomic<std::uint64_t> count_{0};
  std::atomic<std::uint64_t> sum_{0};
  std::atomic<std::uint64_t> max_{0};
};

}  // namespace loadgen
