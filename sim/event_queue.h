// A min-heap of events keyed by (time, sequence number). The sequence
// number is the order of scheduling, so events due at the same millisecond
// run in the order they were scheduled: ties never depend on the heap's
// layout, and a seed replays the same run.
//
// Laid out for memory traffic, which is its whole cost at scale (with a
// million rooms a day the generator's heap holds ~200k entries, far beyond
// the cache): four children per node, not two, so the heap is half as deep
// and a node's children sit next to each other; and the heap orders small
// keys (time, sequence, slot) while payloads stay put in slots, so a sift
// moves 24 bytes per level whatever the payload. The order of pops is the
// same with any layout, as (time, sequence) never ties.
#pragma once

#include <algorithm>
#include <cstdint>
#include <stdexcept>
#include <utility>
#include <vector>

namespace sim {

template <typename Payload>
class EventQueue {
 public:
  struct Entry {
    std::int64_t time_ms = 0;
    std::uint64_t sequence = 0;
    Payload payload;
  };

  // "Put a limit on everything": a runaway feedback loop (an event that
  // schedules two more) fails loudly instead of eating the machine's memory.
  explicit EventQueue(std::size_t size_max = 50'000'000) : size_max_(size_max) {}

  void push(std::int64_t time_ms, Payload payload) {
    if (heap_.size() >= size_max_) throw std::length_error("event queue is full");
    std::uint32_t slot;
    if (free_slots_.empty()) {
      slot = static_cast<std::uint32_t>(payloads_.size());
      payloads_.push_back(std::move(payload));
    } else {
      slot = free_slots_.back();
      free_slots_.pop_back();
      payloads_[slot] = std::move(payload);
    }
    heap_.push_back(Key{time_ms, next_sequence_++, slot});
    sift_up(heap_.size() - 1);
  }

  bool empty() const { return heap_.empty(); }
  std::size_t size() const { return heap_.size(); }
  std::int64_t top_time_ms() const { return heap_.front().time_ms; }
  const Payload& top_payload() const { return payloads_[heap_.front().slot]; }

  Entry pop() {
    const Key first = heap_.front();
    free_slots_.push_back(first.slot);
    heap_.front() = heap_.back();
    heap_.pop_back();
    if (!heap_.empty()) sift_down(0);
    return Entry{first.time_ms, first.sequence, std::move(payloads_[first.slot])};
  }

 private:
  static constexpr std::size_t kArity = 4;

  struct Key {
    std::int64_t time_ms = 0;
    std::uint64_t sequence = 0;
    std::uint32_t slot = 0;  // where the payload is, in payloads_
  };

  static bool before(const Key& a, const Key& b) {
    return a.time_ms != b.time_ms ? a.time_ms < b.time_ms : a.sequence < b.sequence;
  }

  void sift_up(std::size_t index) {
    const Key moving = heap_[index];
    while (index > 0) {
      const std::size_t parent = (index - 1) / kArity;
      if (!before(moving, heap_[parent])) break;
      heap_[index] = heap_[parent];
      index = parent;
    }
    heap_[index] = moving;
  }

  void sift_down(std::size_t index) {
    const Key moving = heap_[index];
    const std::size_t size = heap_.size();
    while (true) {
      const std::size_t first = kArity * index + 1;
      if (first >= size) break;
      std::size_t child = first;  // the earliest of the (up to) kArity children
      const std::size_t last = std::min(first + kArity, size);
      for (std::size_t other = first + 1; other < last; ++other) {
        if (before(heap_[other], heap_[child])) child = other;
      }
      if (!before(heap_[child], moving)) break;
      heap_[index] = heap_[child];
      index = child;
    }
    heap_[index] = moving;
  }

  std::vector<Key> heap_;
  std::vector<Payload> payloads_;          // by slot; a popped event's slot is reused
  std::vector<std::uint32_t> free_slots_;  // popped slots, reused last-in first-out
  std::uint64_t next_sequence_ = 0;
  std::size_t size_max_;
};

}  // namespace sim
