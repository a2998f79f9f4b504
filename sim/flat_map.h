// A hash map from 64-bit ids to values, stored in one array (open
// addressing, linear probing): the simulator's users and rooms, looked up on
// every workload event. std::unordered_map's node per entry cost two cache
// misses a look-up and an allocation per insert; here a look-up is usually
// one miss, in an array kept small (no per-slot state byte: the stored key is
// the id + 1, 0 marks an empty slot and ~0 an erased one). Erasing leaves
// that tombstone, so it moves nothing: a pointer to a value stays valid
// until the next insertion (which may rebuild the array).
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace sim {

template <typename Value>
class FlatMap {
 public:
  Value* find(std::uint64_t id) {
    const std::size_t index = index_of(id);
    return index == kNone ? nullptr : &slots_[index].value;
  }
  const Value* find(std::uint64_t id) const { return const_cast<FlatMap*>(this)->find(id); }
  Value& at(std::uint64_t id) {
    Value* value = find(id);
    if (value == nullptr) throw std::out_of_range("FlatMap: no entry " + std::to_string(id));
    return *value;
  }
  bool contains(std::uint64_t id) const { return find(id) != nullptr; }

  // The value for `id`, default-constructed if new, and whether it is new.
  // Ids up to 2^64 - 3 (two values mark empty and erased slots).
  std::pair<Value*, bool> try_emplace(std::uint64_t id) {
    if (Value* existing = find(id)) return {existing, false};
    if (4 * (size_ + tombstones_ + 1) > 3 * slots_.size()) rebuild();
    const std::uint64_t key = id + 1;
    for (std::size_t i = home(key);; i = (i + 1) & mask_) {
      Slot& slot = slots_[i];
      if (slot.key != kEmpty && slot.key != kErased) continue;
      if (slot.key == kErased) --tombstones_;
      slot.key = key;
      ++size_;
      return {&slot.value, true};
    }
  }

  bool erase(std::uint64_t id) {
    const std::size_t index = index_of(id);
    if (index == kNone) return false;
    Slot& slot = slots_[index];
    slot.key = kErased;
    slot.value = Value{};  // release what it holds now; a reused slot starts afresh
    --size_;
    ++tombstones_;
    return true;
  }

  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }

 private:
  static constexpr std::uint64_t kEmpty = 0;
  static constexpr std::uint64_t kErased = ~std::uint64_t{0};
  static constexpr std::size_t kNone = ~std::size_t{0};
  struct Slot {
    std::uint64_t key = kEmpty;
    Value value{};
  };

  std::size_t index_of(std::uint64_t id) const {
    if (slots_.empty()) return kNone;
    const std::uint64_t key = id + 1;
    for (std::size_t i = home(key);; i = (i + 1) & mask_) {
      const std::uint64_t stored = slots_[i].key;
      if (stored == key) return i;
      if (stored == kEmpty) return kNone;
    }
  }

  // Fibonacci hashing: ids are dense counters, and the multiply spreads them.
  std::size_t home(std::uint64_t key) const {
    return static_cast<std::size_t>((key * 0x9e3779b97f4a7c15ULL) >> shift_);
  }

  // At most 3/4 full counting tombstones. The rebuilt array is 2.5x to 5x
  // the live entries: tombstones from churn then take a while to fill it
  // again, and a table that only churns rebuilds at the same size.
  void rebuild() {
    std::size_t capacity = 16;
    while (2 * capacity < 5 * (size_ + 1)) capacity *= 2;
    std::vector<Slot> old(capacity);
    old.swap(slots_);
    mask_ = capacity - 1;
    shift_ = 64;
    for (std::size_t c = capacity; c > 1; c >>= 1) --shift_;
    tombstones_ = 0;
    for (Slot& slot : old) {
      if (slot.key == kEmpty || slot.key == kErased) continue;
      std::size_t i = home(slot.key);
      while (slots_[i].key != kEmpty) i = (i + 1) & mask_;
      slots_[i].key = slot.key;
      slots_[i].value = std::move(slot.value);
    }
  }

  std::vector<Slot> slots_;
  std::size_t mask_ = 0;
  int shift_ = 64;
  std::size_t size_ = 0;
  std::size_t tombstones_ = 0;
};

}  // namespace sim
