#include "scheduler/candidate_index.h"

#include <stdexcept>

namespace sched {

void CandidateIndex::set_free_slots(ServerKey key, int free_slots) {
  if (free_slots <= 0) return erase(key);
  auto found = position_.find(key);
  if (found == position_.end()) {
    position_.emplace(key, list_.size());
    list_.push_back({key, free_slots});
    if (orders_.by_key) by_key_.insert(key);
  } else {
    Candidate& existing = list_[found->second];
    if (existing.free_slots == free_slots) return;
    if (orders_.by_free_slots) by_free_slots_.erase({existing.free_slots, key});
    free_slots_total_ -= existing.free_slots;
    existing.free_slots = free_slots;
  }
  if (orders_.by_free_slots) by_free_slots_.insert({free_slots, key});
  free_slots_total_ += free_slots;
}

void CandidateIndex::erase(ServerKey key) {
  auto found = position_.find(key);
  if (found == position_.end()) return;
  const std::size_t index = found->second;
  const Candidate removed = list_[index];
  // Swap with the last element so removal from the dense list is O(1).
  list_[index] = list_.back();
  position_[list_[index].key] = index;
  list_.pop_back();
  position_.erase(key);
  by_free_slots_.erase({removed.free_slots, key});
  by_key_.erase(key);
  free_slots_total_ -= removed.free_slots;
}

void CandidateIndex::require(bool kept) const {
  if (!kept) throw std::logic_error("CandidateIndex: this order is not kept for the policy");
}

std::optional<Candidate> CandidateIndex::fullest() const {
  require(orders_.by_free_slots);
  if (by_free_slots_.empty()) return std::nullopt;
  return candidate(by_free_slots_.begin()->second);
}

std::optional<Candidate> CandidateIndex::emptiest() const {
  require(orders_.by_free_slots);
  if (by_free_slots_.empty()) return std::nullopt;
  // The largest free-slot count, then the lowest key among those.
  const int most_free = by_free_slots_.rbegin()->first;
  return candidate(by_free_slots_.lower_bound({most_free, 0})->second);
}

std::optional<Candidate> CandidateIndex::oldest() const {
  require(orders_.by_key);
  if (by_key_.empty()) return std::nullopt;
  return candidate(*by_key_.begin());
}

std::optional<Candidate> CandidateIndex::next_after(ServerKey key) const {
  require(orders_.by_key);
  if (by_key_.empty()) return std::nullopt;
  auto next = by_key_.upper_bound(key);
  if (next == by_key_.end()) next = by_key_.begin();
  return candidate(*next);
}

}  // namespace sched
