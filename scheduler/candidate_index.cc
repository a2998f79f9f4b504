#include "scheduler/candidate_index.h"

#include <string>

#include "scheduler/check.h"

namespace sched {
namespace {

std::string about(ServerKey key) { return "candidate index, server key " + std::to_string(key); }

}  // namespace

void CandidateIndex::set_free_slots(ServerKey key, int free_slots) {
  if (free_slots <= 0) return erase(key);
  auto found = position_.find(key);
  if (found == position_.end()) {
    position_.emplace(key, list_.size());
    list_.push_back({key, free_slots});
    if (orders_.by_key) {
      const bool inserted = by_key_.insert(key).second;
      SCHED_CHECK(inserted, about(key) + ": in the key order but not in the list");
    }
  } else {
    Candidate& existing = list_[found->second];
    SCHED_CHECK(existing.key == key,
                about(key) + ": its position holds key " + std::to_string(existing.key));
    if (existing.free_slots == free_slots) return;
    if (orders_.by_free_slots) {
      const std::size_t erased = by_free_slots_.erase({existing.free_slots, key});
      SCHED_CHECK(erased == 1, about(key) + ": missing from the free-slot order at " +
                                   std::to_string(existing.free_slots));
    }
    free_slots_total_ -= existing.free_slots;
    existing.free_slots = free_slots;
  }
  if (orders_.by_free_slots) by_free_slots_.insert({free_slots, key});
  free_slots_total_ += free_slots;
  check_sizes(key);
}

void CandidateIndex::erase(ServerKey key) {
  auto found = position_.find(key);
  if (found == position_.end()) return;
  const std::size_t index = found->second;
  SCHED_CHECK(index < list_.size() && list_[index].key == key,
              about(key) + ": its position is out of step with the list");
  const Candidate removed = list_[index];
  // Swap with the last element so removal from the dense list is O(1).
  list_[index] = list_.back();
  position_[list_[index].key] = index;
  list_.pop_back();
  position_.erase(key);
  const std::size_t erased_by_free_slots = by_free_slots_.erase({removed.free_slots, key});
  SCHED_CHECK(erased_by_free_slots == (orders_.by_free_slots ? 1u : 0u),
              about(key) + ": free-slot order out of step with the list");
  const std::size_t erased_by_key = by_key_.erase(key);
  SCHED_CHECK(erased_by_key == (orders_.by_key ? 1u : 0u),
              about(key) + ": key order out of step with the list");
  free_slots_total_ -= removed.free_slots;
  check_sizes(key);
}

// Every candidate has at least one free slot, so the total is at least the
// count; each kept order holds exactly the candidates.
void CandidateIndex::check_sizes(ServerKey changed) const {
  SCHED_CHECK(position_.size() == list_.size(), about(changed) + ": positions and list differ");
  SCHED_CHECK(free_slots_total_ >= static_cast<long long>(list_.size()),
              about(changed) + ": free slot total " + std::to_string(free_slots_total_) +
                  " below the candidate count " + std::to_string(list_.size()));
  SCHED_CHECK(!orders_.by_free_slots || by_free_slots_.size() == list_.size(),
              about(changed) + ": free-slot order and list differ in size");
  SCHED_CHECK(!orders_.by_key || by_key_.size() == list_.size(),
              about(changed) + ": key order and list differ in size");
}

void CandidateIndex::require(bool kept, const char* order) const {
  SCHED_CHECK(kept, std::string("a policy read the candidate index's ") + order +
                        " order, which its orders() did not ask for");
}

std::optional<Candidate> CandidateIndex::fullest() const {
  require(orders_.by_free_slots, "free-slot");
  if (by_free_slots_.empty()) return std::nullopt;
  return candidate(by_free_slots_.begin()->second);
}

std::optional<Candidate> CandidateIndex::emptiest() const {
  require(orders_.by_free_slots, "free-slot");
  if (by_free_slots_.empty()) return std::nullopt;
  // The largest free-slot count, then the lowest key among those.
  const int most_free = by_free_slots_.rbegin()->first;
  return candidate(by_free_slots_.lower_bound({most_free, 0})->second);
}

std::optional<Candidate> CandidateIndex::oldest() const {
  require(orders_.by_key, "key");
  if (by_key_.empty()) return std::nullopt;
  return candidate(*by_key_.begin());
}

std::optional<Candidate> CandidateIndex::next_after(ServerKey key) const {
  require(orders_.by_key, "key");
  if (by_key_.empty()) return std::nullopt;
  auto next = by_key_.upper_bound(key);
  if (next == by_key_.end()) next = by_key_.begin();
  return candidate(*next);
}

}  // namespace sched
