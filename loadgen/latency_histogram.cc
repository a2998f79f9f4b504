#include "loadgen/latency_histogram.h"

#include <bit>

namespace loadgen {

int LatencyHistogram::bucket_of(std::uint64_t value) {
  if (value < kSub) return static_cast<int>(value);
  int magnitude = 63 - std::countl_zero(value);  // >= kSubBits
  int shift = magnitude - kSubBits;
  int sub = static_cast<int>((value >> shift) & (kSub - 1));
  return (shift + 1) * kSub + sub;
}

std::uint64_t LatencyHistogram::bucket_upper(int bucket) {
  if (bucket < kSub) return static_cast<std::uint64_t>(bucket);
  int shift = bucket / kSub - 1;
  std::uint64_t sub = static_cast<std::uint64_t>(bucket % kSub);
  std::uint64_t lower = (std::uint64_t{kSub} + sub) << shift;
  return lower + ((std::uint64_t{1} << shift) - 1);
}

void LatencyHistogram::record(std::uint64_t value_us) {
  buckets_[bucket_of(value_us)].fetch_add(1, std::memory_order_relaxed);
  count_.fetch_add(1, std::memory_order_relaxed);
  sum_.fetch_add(value_us, std::memory_order_relaxed);
  auto seen = max_.load(std::memory_order_relaxed);
  while (value_us > seen && !max_.compare_exchange_weak(seen, value_us)) {
  }
}

double LatencyHistogram::mean_us() const {
  auto n = count();
  return n == 0 ? 0.0 : static_cast<double>(sum_.load(std::memory_order_relaxed)) / n;
}

std::uint64_t LatencyHistogram::percentile_us(double q) const {
  std::uint64_t total = count();
  if (total == 0) return 0;
  if (q < 0) q = 0;
  if (q > 1) q = 1;
  // The rank of the value wanted, 1-based: at least one sample.
  auto rank = static_cast<std::uint64_t>(q * static_cast<double>(total) + 0.5);
  if (rank < 1) rank = 1;
  std::uint64_t seen = 0;
  for (int b = 0; b < kBuckets; ++b) {
    seen += buckets_[b].load(std::memory_order_relaxed);
    if (seen >= rank) {
      auto upper = bucket_upper(b);
      auto top = max_us();
      return upper < top ? upper : top;
    }
  }
  return max_us();
}

void LatencyHistogram::add(const LatencyHistogram& other) {
  for (int b = 0; b < kBuckets; ++b) {
    buckets_[b].fetch_add(other.buckets_[b].load(std::memory_order_relaxed),
                          std::memory_order_relaxed);
  }
  count_.fetch_add(other.count(), std::memory_order_relaxed);
  sum_.fetch_add(other.sum_.load(std::memory_order_relaxed), std::memory_order_relaxed);
  auto value = other.max_us();
  auto seen = max_.load(std::memory_order_relaxed);
  while (value > seen && !max_.compare_exchange_weak(seen, value)) {
  }
}

std::vector<LatencyHistogram::Bucket> LatencyHistogram::nonzero_buckets() const {
  std::vector<Bucket> buckets;
  for (int b = 0; b < kBuckets; ++b) {
    auto count = buckets_[b].load(std::memory_order_relaxed);
    if (count) buckets.push_back({b, count});
  }
  return buckets;
}

void LatencyHistogram::add_buckets(const std::vector<Bucket>& buckets, std::uint64_t sum_us,
                                   std::uint64_t max_us) {
  for (const auto& bucket : buckets) {
    if (bucket.index < 0 || bucket.index >= kBuckets) continue;
    buckets_[bucket.index].fetch_add(bucket.count, std::memory_order_relaxed);
    count_.fetch_add(bucket.count, std::memory_order_relaxed);
  }
  sum_.fetch_add(sum_us, std::memory_order_relaxed);
  auto seen = max_.load(std::memory_order_relaxed);
  while (max_us > seen && !max_.compare_exchange_weak(seen, max_us)) {
  }
}

void LatencyHistogram::reset() {
  for (auto& bucket : buckets_) bucket.store(0, std::memory_order_relaxed);
  count_ = 0;
  sum_ = 0;
  max_ = 0;
}

}  // namespace loadgen
