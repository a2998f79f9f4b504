// A min-heap of events keyed by (time, sequence number). The sequence
// number is the order of scheduling, so events due at the same millisecond
// run in the order they were scheduled: ties never depend on the heap's
// layout, and a seed replays the same run.
//
// Four children per node, not two: the heap is half as deep, and a node's
// children sit next to each other in memory, so a pop touches about half as
// many cache lines. With a million rooms a day the generator's heap holds
// ~200k entries, far beyond the cache, and sifting was its main cost. The
// order of pops is the same with any arity, as (time, sequence) never ties.
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
    heap_.push_back(Entry{time_ms, next_sequence_++, std::move(payload)});
    sift_up(heap_.size() - 1);
  }

  bool empty() const { return heap_.empty(); }
  std::size_t size() const { return heap_.size(); }
  const Entry& top() const { return heap_.front(); }

  Entry pop() {
    Entry first = std::move(heap_.front());
    heap_.front() = std::move(heap_.back());
    heap_.pop_back();
    if (!heap_.empty()) sift_down(0);
    return first;
  }

 private:
  static constexpr std::size_t kArity = 4;

  static bool before(const Entry& a, const Entry& b) {
    return a.time_ms != b.time_ms ? a.time_ms < b.time_ms : a.sequence < b.sequence;
  }

  void sift_up(std::size_t index) {
    Entry moving = std::move(heap_[index]);
    while (index > 0) {
      const std::size_t parent = (index - 1) / kArity;
      if (!before(moving, heap_[parent])) break;
      heap_[index] = std::move(heap_[parent]);
      index = parent;
    }
    heap_[index] = std::move(moving);
  }

  void sift_down(std::size_t index) {
    Entry moving = std::move(heap_[index]);
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
      heap_[index] = std::move(heap_[child]);
      index = child;
    }
    heap_[index] = std::move(moving);
  }

  std::vector<Entry> heap_;
  std::uint64_t next_sequence_ = 0;
  std::size_t size_max_;
};

}  // namespace sim
