// Each policy on a hand-built set of candidates with a known answer.
#include "scheduler/policy.h"

#include <gtest/gtest.h>

#include <map>

namespace sched {
namespace {

// Keys 1..4 with 3, 7, 1 and 7 free slots; key 5 is full (not a candidate).
CandidateIndex sample_fleet(CandidateOrders orders = {}) {
  CandidateIndex index(orders);
  index.set_free_slots(1, 3);
  index.set_free_slots(2, 7);
  index.set_free_slots(3, 1);
  index.set_free_slots(4, 7);
  index.set_free_slots(5, 0);
  return index;
}

ServerKey choose(std::string_view policy_name, const CandidateIndex& index, Random& random) {
  auto policy = make_policy(policy_name);
  EXPECT_NE(policy, nullptr) << policy_name;
  return policy->choose(index, random);
}

TEST(PolicyRegistry, KnowsEveryPolicyByName) {
  EXPECT_EQ(policy_names(),
            (std::vector<std::string>{"best-fit", "first-fit", "least-loaded",
                                      "power-of-two-choices", "random", "round-robin"}));
  EXPECT_EQ(make_policy("no-such-policy"), nullptr);
}

TEST(PolicyRegistry, EveryListedNameMakesAPolicyThatChoosesACandidate) {
  for (const std::string& name : policy_names()) {
    auto policy = make_policy(name);
    ASSERT_NE(policy, nullptr) << name;
    // The index the scheduler keeps for this policy holds only the orders it
    // asked for: reading another one would stop the program here.
    const CandidateIndex kept = sample_fleet(policy->orders());
    Random random(1);
    EXPECT_TRUE(kept.contains(policy->choose(kept, random))) << name;
  }
}

TEST(BestFit, PicksTheFullestServerWithAFreeSlot) {
  Random random(1);
  EXPECT_EQ(choose("best-fit", sample_fleet(), random), 3u);
}

TEST(LeastLoaded, PicksTheEmptiestServerOldestFirst) {
  Random random(1);
  EXPECT_EQ(choose("least-loaded", sample_fleet(), random), 2u);
}

TEST(FirstFit, PicksTheOldestServerWithAFreeSlot) {
  Random random(1);
  CandidateIndex index = sample_fleet();
  EXPECT_EQ(choose("first-fit", index, random), 1u);
  index.set_free_slots(1, 0);  // server 1 fills up
  EXPECT_EQ(choose("first-fit", index, random), 2u);
}

TEST(RoundRobin, TakesTurnsAndWrapsAround) {
  Random random(1);
  CandidateIndex index = sample_fleet();
  auto policy = make_policy("round-robin");
  std::vector<ServerKey> chosen;
  for (int i = 0; i < 6; ++i) chosen.push_back(policy->choose(index, random));
  EXPECT_EQ(chosen, (std::vector<ServerKey>{1, 2, 3, 4, 1, 2}));
  index.set_free_slots(3, 0);  // the next in turn fills: skip it
  EXPECT_EQ(policy->choose(index, random), 4u);
}

TEST(Random, ReachesEveryCandidateAndOnlyCandidates) {
  Random random(7);
  const CandidateIndex index = sample_fleet();
  std::map<ServerKey, int> times;
  for (int i = 0; i < 4000; ++i) ++times[choose("random", index, random)];
  EXPECT_EQ(times.size(), 4u);
  for (const auto& [key, count] : times) {
    EXPECT_GE(key, 1u);
    EXPECT_LE(key, 4u);
    EXPECT_GT(count, 800) << "far from uniform for server " << key;
  }
}

TEST(Random, SameSeedSameChoices) {
  const CandidateIndex index = sample_fleet();
  Random first(42), second(42);
  for (int i = 0; i < 100; ++i) {
    EXPECT_EQ(choose("random", index, first), choose("random", index, second));
  }
}

// The policy's definition, checked draw by draw: a copy of the generator
// makes the same two draws, and the policy must return the emptier of them
// (the first drawn on a tie).
TEST(PowerOfTwoChoices, PicksTheEmptierOfItsTwoDraws) {
  const CandidateIndex index = sample_fleet();
  auto policy = make_policy("power-of-two-choices");
  Random random(5);
  int fuller_drawn_first = 0;
  for (int i = 0; i < 200; ++i) {
    Random replay = random;
    const Candidate first = index.at(uniform_below(replay, index.size()));
    const Candidate second = index.at(uniform_below(replay, index.size()));
    const ServerKey emptier = second.free_slots > first.free_slots ? second.key : first.key;
    if (first.free_slots < second.free_slots) ++fuller_drawn_first;
    EXPECT_EQ(policy->choose(index, random), emptier) << "draw " << i;
  }
  EXPECT_GT(fuller_drawn_first, 0) << "no draw where the choice mattered";
}

TEST(PowerOfTwoChoices, PicksTheFullerOfTwoOnlyWhenItIsDrawnTwice) {
  // Two candidates, drawn with replacement: the emptier wins whenever it is
  // drawn at all, so the nearly full server is chosen only when drawn twice,
  // 1 time in 4 (1,000 of 4,000, standard deviation about 27).
  CandidateIndex index;
  index.set_free_slots(1, 1);
  index.set_free_slots(2, 9);
  Random random(3);
  auto policy = make_policy("power-of-two-choices");
  int fuller = 0;
  for (int i = 0; i < 4000; ++i) fuller += policy->choose(index, random) == 1 ? 1 : 0;
  EXPECT_GT(fuller, 860);
  EXPECT_LT(fuller, 1140);
}

TEST(CandidateIndex, KeepsTotalsAcrossUpdatesAndRemovals) {
  CandidateIndex index = sample_fleet();
  EXPECT_EQ(index.size(), 4u);
  EXPECT_EQ(index.free_slots_total(), 18);
  index.set_free_slots(2, 2);
  index.erase(1);
  index.erase(99);  // unknown: no effect
  EXPECT_EQ(index.size(), 3u);
  EXPECT_EQ(index.free_slots_total(), 10);
  EXPECT_EQ(index.fullest()->key, 3u);
  EXPECT_EQ(index.emptiest()->key, 4u);
  EXPECT_EQ(index.next_after(4)->key, 2u);
}

}  // namespace
}  // namespace sched
