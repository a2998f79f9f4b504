// The servers a new room may go to (ready, with a free slot), indexed so that
// every policy answers without scanning the fleet: O(1) for a random pick,
// O(log n) for the fullest, the emptiest, the oldest and the next in turn.
#pragma once

#include <cstddef>
#include <optional>
#include <set>
#include <utility>
#include <vector>

#include "scheduler/types.h"

namespace sched {

struct Candidate {
  ServerKey key = 0;
  int free_slots = 0;
};

// The ordered views the index keeps. Each costs a tree update with cache
// misses on every change of a server's free slots, so an index kept for one
// policy maintains only the views that policy reads (random picks read none).
struct CandidateOrders {
  bool by_free_slots = true;  // fullest(), emptiest()
  bool by_key = true;         // oldest(), next_after()
};

class CandidateIndex {
 public:
  explicit CandidateIndex(CandidateOrders orders = {}) : orders_(orders) {}

  // Adds, updates or (when free_slots <= 0) removes a server.
  void set_free_slots(ServerKey key, int free_slots);
  void erase(ServerKey key);

  bool empty() const { return list_.empty(); }
  std::size_t size() const { return list_.size(); }
  bool contains(ServerKey key) const { return key < position_.size() && position_[key] != 0; }
  // Free slots summed over all candidates, kept as servers change.
  long long free_slots_total() const { return free_slots_total_; }

  // The i-th candidate in no particular order (i < size()): for random picks.
  Candidate at(std::size_t i) const { return list_[i]; }
  // Fewest free slots (ties: oldest server). This and the three below stop
  // the program (SCHED_CHECK) if their order is not kept: a policy that reads
  // an order it did not ask for is a bug, found by the policy's first test.
  std::optional<Candidate> fullest() const;
  // Most free slots (ties: oldest server).
  std::optional<Candidate> emptiest() const;
  // The oldest server, i.e. the lowest key.
  std::optional<Candidate> oldest() const;
  // The candidate with the next key after `key`, wrapping to the oldest.
  std::optional<Candidate> next_after(ServerKey key) const;

 private:
  Candidate candidate(ServerKey key) const { return list_[position_.at(key) - 1]; }
  void require(bool kept, const char* order) const;
  void check_sizes(ServerKey changed) const;  // O(1) checks after every change

  CandidateOrders orders_;

  // Puts `value` into an order, in a node of one erased before if there is
  // one (see spare_*); keeps the node of one erased for that.
  template <class Set>
  static void insert(Set& order, std::vector<typename Set::node_type>& spare,
                     typename Set::value_type value);
  template <class Set>
  static void keep(std::vector<typename Set::node_type>& spare, typename Set::node_type node);

  std::vector<Candidate> list_;  // dense, for O(1) random picks
  // Index in list_ + 1 by key, 0 for a server that is not a candidate. Keys
  // are the scheduler's registration numbers (dense from 1): an array is a
  // load where a hash map was a hash, a division and a node per server.
  std::vector<std::uint32_t> position_;
  std::set<std::pair<int, ServerKey>> by_free_slots_;  // (free slots, key)
  std::set<ServerKey> by_key_;                         // registration order
  // Nodes taken out of the orders (a few), reused by the next insertions:
  // servers fill and free slots on every placement and report, and a node
  // freed and allocated again each time was most of the index's cost.
  std::vector<std::set<std::pair<int, ServerKey>>::node_type> spare_by_free_slots_;
  std::vector<std::set<ServerKey>::node_type> spare_by_key_;
  long long free_slots_total_ = 0;
};

}  // namespace sched
