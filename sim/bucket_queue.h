// A calendar queue for events pushed in time order's wake: each push is at
// or after the time of the last pop (the synthetic generator's queue is
// like that). Pops come out in (time, push order), exactly as from
// EventQueue, so swapping one for the other changes no workload.
//
// Why: at a million rooms a day the generator holds ~200k pending joins and
// leaves, and a heap that large costs a cache miss per level on every pop.
// Here events sit in buckets of 1,024 ms (a ring of 65,536, ~18.6 h ahead);
// a bucket is sorted once when time reaches it, and the few events further
// ahead wait in an EventQueue. Push and pop are O(1) amortised plus the
// bucket's sort.
#pragma once

#include <algorithm>
#include <cstdint>
#include <stdexcept>
#include <utility>
#include <vector>

#include "sim/event_queue.h"

namespace sim {

template <typename Payload>
class BucketQueue {
 public:
  struct Entry {
    std::int64_t time_ms = 0;
    Payload payload;
  };

  // size_max: "put a limit on everything", as EventQueue.
  explicit BucketQueue(std::size_t size_max = 50'000'000)
      : ring_(kBuckets), far_(size_max), size_max_(size_max) {}

  // time_ms must not be before the last pop's: throws std::logic_error.
  void push(std::int64_t time_ms, Payload payload) {
    if (time_ms < last_pop_ms_) throw std::logic_error("BucketQueue: push into the past");
    if (size_ >= size_max_) throw std::length_error("event queue is full");
    Item item{time_ms, next_sequence_++, std::move(payload)};
    const std::int64_t bucket = time_ms >> kShift;
    ++size_;
    // Beyond the ring, or before the bucket being read (time went back to a
    // far event popped before it): the heap, which the pops merge with.
    if (bucket < cursor_ || bucket >= cursor_ + static_cast<std::int64_t>(kBuckets)) {
      far_.push(time_ms, std::move(item));
      return;
    }
    ++in_ring_;
    std::vector<Item>& target = ring_[bucket & kMask];
    if (bucket == cursor_) {
      // The bucket being read is sorted from head_ on: keep it so. Later
      // sequence numbers go after every equal time.
      const auto at = std::upper_bound(
          target.begin() + static_cast<std::ptrdiff_t>(head_), target.end(), time_ms,
          [](std::int64_t time, const Item& other) { return time < other.time_ms; });
      target.insert(at, std::move(item));
    } else {
      target.push_back(std::move(item));
    }
  }

  bool empty() const { return size_ == 0; }
  std::size_t size() const { return size_; }

  // Not const: finding the next event may sort the next bucket.
  std::int64_t top_time_ms() {
    const Item* ring = ring_front();
    if (ring == nullptr) return far_.top_time_ms();
    if (far_.empty()) return ring->time_ms;
    return std::min(ring->time_ms, far_.top_time_ms());
  }

  Entry pop() {
    const Item* ring = ring_front();
    Item item;
    if (ring != nullptr && (far_.empty() || !far_before(*ring))) {
      item = std::move(ring_[cursor_ & kMask][head_++]);
      --in_ring_;
    } else {
      item = far_.pop().payload;
      // Nothing in the ring is earlier: time may jump straight to this bucket.
      const std::int64_t bucket = item.time_ms >> kShift;
      if (in_ring_ == 0 && bucket > cursor_) move_cursor_to(bucket);
    }
    --size_;
    last_pop_ms_ = item.time_ms;
    return Entry{item.time_ms, std::move(item.payload)};
  }

 private:
  static constexpr int kShift = 10;  // 1,024 ms a bucket
  static constexpr std::size_t kBuckets = std::size_t{1} << 16;
  static constexpr std::int64_t kMask = static_cast<std::int64_t>(kBuckets) - 1;

  struct Item {
    std::int64_t time_ms = 0;
    std::uint64_t sequence = 0;
    Payload payload{};
  };

  // The far queue's top is before `ring` in (time, sequence) order.
  bool far_before(const Item& ring) {
    const std::int64_t far_ms = far_.top_time_ms();
    if (far_ms != ring.time_ms) return far_ms < ring.time_ms;
    return far_.top_payload().sequence < ring.sequence;
  }

  // The earliest event in the ring, its bucket sorted; nullptr if none.
  const Item* ring_front() {
    while (in_ring_ > 0) {
      std::vector<Item>& current = ring_[cursor_ & kMask];
      if (head_ < current.size()) return &current[head_];
      move_cursor_to(cursor_ + 1);
    }
    return nullptr;
  }

  void move_cursor_to(std::int64_t bucket) {
    // Freed, not just cleared: a bucket fills with a second's worth of the
    // day's events, and 65,536 buckets keeping their peak would hold them all.
    std::vector<Item>().swap(ring_[cursor_ & kMask]);
    head_ = 0;
    cursor_ = bucket;
    std::vector<Item>& next = ring_[cursor_ & kMask];
    std::sort(next.begin(), next.end(), [](const Item& a, const Item& b) {
      return a.time_ms != b.time_ms ? a.time_ms < b.time_ms : a.sequence < b.sequence;
    });
  }

  std::vector<std::vector<Item>> ring_;
  EventQueue<Item> far_;     // beyond the ring; its own order agrees with ours
  std::int64_t cursor_ = 0;  // the bucket being read
  std::size_t head_ = 0;     // the next item in it
  std::size_t in_ring_ = 0;
  std::size_t size_ = 0;
  std::size_t size_max_;
  std::uint64_t next_sequence_ = 0;
  std::int64_t last_pop_ms_ = 0;
};

}  // namespace sim
