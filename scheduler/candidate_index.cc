#include "scheduler/candidate_index.h"

#include <string>

#include "scheduler/check.h"

namespace sched {
namespace {

std::string about(ServerKey key) { return "candidate index, server key " + std::to_string(key); }

}  // namespace

template <class Set>
void CandidateIndex::insert(Set& order, std::vector<typename Set::node_type>& spare,
                            typename Set::value_type value) {
  if (spare.empty()) {
    order.insert(value);
    return;
  }
  spare.back().value() = value;
  order.insert(std::move(spare.back()));
  spare.pop_back();
}

template <class Set>
void CandidateIndex::keep(std::vector<typename Set::node_type>& spare,
                          typename Set::node_type node) {
  constexpr std::size_t kSpareMax = 16;
  if (!node.empty() && spare.size() < kSpareMax) spare.push_back(std::move(node));
}

void CandidateIndex::set_free_slots(ServerKey key, int free_slots) {
  if (free_slots <= 0) return erase(key);
  if (key >= position_.size()) position_.resize(key + 1, 0);
  if (position_[key] == 0) {
    list_.push_back({key, free_slots});
    position_[key] = static_cast<std::uint32_t>(list_.size());
    if (orders_.by_key) {
      const std::size_t before = by_key_.size();
      insert(by_key_, spare_by_key_, key);
      SCHED_CHECK(by_key_.size() == before + 1,
                  about(key) + ": in the key order but not in the list");
    }
    if (orders_.by_free_slots) insert(by_free_slots_, spare_by_free_slots_, {free_slots, key});
  } else {
    Candidate& existing = list_[position_[key] - 1];
    SCHED_CHECK(existing.key == key,
                about(key) + ": its position holds key " + std::to_string(existing.key));
    if (existing.free_slots == free_slots) return;
    if (orders_.by_free_slots) {
      // The same node, moved to its new place in the order.
      auto node = by_free_slots_.extract({existing.free_slots, key});
      SCHED_CHECK(!node.empty(), about(key) + ": missing from the free-slot order at " +
                                     std::to_string(existing.free_slots));
      node.value() = {free_slots, key};
      by_free_slots_.insert(std::move(node));
    }
    free_slots_total_ -= existing.free_slots;
    existing.free_slots = free_slots;
  }
  free_slots_total_ += free_slots;
  check_sizes(key);
}

void CandidateIndex::erase(ServerKey key) {
  if (!contains(key)) return;
  const std::size_t index = position_[key] - 1;
  SCHED_CHECK(index < list_.size() && list_[index].key == key,
              about(key) + ": its position is out of step with the list");
  const Candidate removed = list_[index];
  // Swap with the last element so removal from the dense list is O(1).
  list_[index] = list_.back();
  position_[list_[index].key] = static_cast<std::uint32_t>(index + 1);
  list_.pop_back();
  position_[key] = 0;
  auto by_free_slots = by_free_slots_.extract({removed.free_slots, key});
  SCHED_CHECK(by_free_slots.empty() != orders_.by_free_slots,
              about(key) + ": free-slot order out of step with the list");
  keep<decltype(by_free_slots_)>(spare_by_free_slots_, std::move(by_free_slots));
  auto by_key = by_key_.extract(key);
  SCHED_CHECK(by_key.empty() != orders_.by_key,
              about(key) + ": key order out of step with the list");
  keep<decltype(by_key_)>(spare_by_key_, std::move(by_key));
  free_slots_total_ -= removed.free_slots;
  check_sizes(key);
}

// Every candidate has at least one free slot, so the total is at least the
// count; each kept order holds exactly the candidates.
void CandidateIndex::check_sizes(ServerKey changed) const {
  SCHED_CHECK(!contains(changed) || (position_[changed] <= list_.size() &&
                                     list_[position_[changed] - 1].key == changed),
              about(changed) + ": positions and list differ");
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
