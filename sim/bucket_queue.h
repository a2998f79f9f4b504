// A calendar queue for events pushed in time order's wake: each push is at
// or after the time of the last pop (the synthetic generator's queue and the
// simulator's own are like that). Pops come out in (time, push order),
// exactly as from EventQueue, so swapping one for the other changes no run.
//
// Why: at a million rooms a day the generator holds ~200k pending joins and
// leaves, and a heap that large costs a cache miss per level on every pop.
// Here events sit in buckets of 1,024 ms (a ring of 65,536, ~18.6 h ahead);
// a bucket is sorted once when time reaches it, and the few events further
// ahead wait in an EventQueue. Push and pop are O(1) amortised plus the
// bucket's sort.
//
// A bucket is a list of small fixed-size chunks from one pool, not a vector
// of its own: a vector per bucket grew by doubling from nothing (a few
// allocations and copies per second of the day's events) and was freed when
// read, which cost the generator as much as its sorting. Chunks go back to
// the pool when their bucket is read, so a run allocates only while the
// number of pending events grows, and an idle bucket holds no memory.
#pragma once

#include <algorithm>
#include <cstdint>
#include <memory>
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
    if (bucket == cursor_) {
      // Before every event left in the bucket (the usual case: an event for
      // now): into the place of the one read last.
      if (head_ > 0 && (head_ == current_.size() || time_ms < current_[head_].time_ms)) {
        ++in_ring_;
        current_[--head_] = std::move(item);
        return;
      }
      // The bucket being read is sorted from head_ on: kept so, the event
      // going after every equal time (later sequence numbers go last), if few
      // events are left in it; else it waits in the heap too. Inserting into
      // a large bucket moved the rest of it along each time: at a million
      // rooms a day (two events for the current second each) a tenth of the run.
      if (current_.size() - head_ > kInsertedBefore) {
        far_.push(time_ms, std::move(item));
        return;
      }
      const auto at = std::upper_bound(
          current_.begin() + static_cast<std::ptrdiff_t>(head_), current_.end(), time_ms,
          [](std::int64_t time, const Item& other) { return time < other.time_ms; });
      ++in_ring_;
      current_.insert(at, std::move(item));
      return;
    }
    ++in_ring_;
    Bucket& target = ring_[bucket & kMask];
    if (target.last == nullptr || target.last->count == kChunkItems) add_chunk(target);
    target.last->items[target.last->count++] = std::move(item);
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
      item = std::move(current_[head_++]);
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
  // Items a chunk holds: a bucket wastes at most a chunk less one item.
  static constexpr std::uint32_t kChunkItems = 8;
  static constexpr std::uint32_t kBlockChunks = 1024;  // chunks allocated at once
  // At most this many events moved to insert one into the bucket being read.
  static constexpr std::size_t kInsertedBefore = 16;

  struct Item {
    std::int64_t time_ms = 0;
    std::uint64_t sequence = 0;
    Payload payload{};
  };
  struct Chunk {
    Item items[kChunkItems];
    std::uint32_t count = 0;
    Chunk* next = nullptr;
  };
  // A bucket not being read: its chunks, filled in order.
  struct Bucket {
    Chunk* first = nullptr;
    Chunk* last = nullptr;
  };

  // A chunk from the pool (or a new block) at the end of the bucket's list.
  void add_chunk(Bucket& bucket) {
    Chunk* chunk = free_chunk_;
    if (chunk != nullptr) {
      free_chunk_ = chunk->next;
      chunk->count = 0;
      chunk->next = nullptr;
    } else {
      if (blocks_.empty() || used_in_block_ == kBlockChunks) {
        blocks_.push_back(std::make_unique<Chunk[]>(kBlockChunks));
        used_in_block_ = 0;
      }
      chunk = &blocks_.back()[used_in_block_++];
    }
    (bucket.last == nullptr ? bucket.first : bucket.last->next) = chunk;
    bucket.last = chunk;
  }

  // The far queue's top is before `ring` in (time, sequence) order.
  bool far_before(const Item& ring) {
    const std::int64_t far_ms = far_.top_time_ms();
    if (far_ms != ring.time_ms) return far_ms < ring.time_ms;
    return far_.top_payload().sequence < ring.sequence;
  }

  // The earliest event in the ring, its bucket sorted; nullptr if none.
  const Item* ring_front() {
    while (in_ring_ > 0) {
      if (head_ < current_.size()) return &current_[head_];
      move_cursor_to(cursor_ + 1);
    }
    return nullptr;
  }

  // The bucket's items move to current_ (kept: it holds a bucket's worth
  // again and again), its chunks back to the pool, and are sorted there.
  void move_cursor_to(std::int64_t bucket) {
    current_.clear();
    head_ = 0;
    cursor_ = bucket;
    Bucket& next = ring_[cursor_ & kMask];
    for (Chunk* chunk = next.first; chunk != nullptr;) {
      for (std::uint32_t i = 0; i < chunk->count; ++i)
        current_.push_back(std::move(chunk->items[i]));
      Chunk* following = chunk->next;
      chunk->next = free_chunk_;
      free_chunk_ = chunk;
      chunk = following;
    }
    next = Bucket{};
    std::sort(current_.begin(), current_.end(), [](const Item& a, const Item& b) {
      return a.time_ms != b.time_ms ? a.time_ms < b.time_ms : a.sequence < b.sequence;
    });
  }

  std::vector<Bucket> ring_;
  // Every bucket's chunks, and the free ones, in blocks that never move: a
  // vector of chunks doubling as the queue grew copied it all, and held the
  // old copy and the new at once (tens of MB at a million rooms a day).
  std::vector<std::unique_ptr<Chunk[]>> blocks_;
  std::uint32_t used_in_block_ = 0;  // chunks handed out from blocks_.back()
  Chunk* free_chunk_ = nullptr;      // the free chunks, linked by `next`
  std::vector<Item> current_;        // the bucket being read, sorted from head_ on
  EventQueue<Item> far_;             // beyond the ring; its own order agrees with ours
  std::int64_t cursor_ = 0;          // the bucket being read
  std::size_t head_ = 0;             // the next item in current_
  std::size_t in_ring_ = 0;
  std::size_t size_ = 0;
  std::size_t size_max_;
  std::uint64_t next_sequence_ = 0;
  std::int64_t last_pop_ms_ = 0;
};

}  // namespace sim
