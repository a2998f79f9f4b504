// SCHED_CHECK stops the program with the condition and the message, and
// stays on where assert() is off (this test is built with NDEBUG).
#include "scheduler/check.h"

#include <gtest/gtest.h>

#include <string>

#include "scheduler/candidate_index.h"

namespace sched {
namespace {

#ifndef NDEBUG
#error "check_test must be built with NDEBUG, to show the checks do not depend on it"
#endif

TEST(CheckDeathTest, PrintsTheConditionAndTheMessageThenAborts) {
  const int rooms = 11;
  const int capacity = 10;
  EXPECT_DEATH(SCHED_CHECK(rooms <= capacity, "server s1 holds " + std::to_string(rooms)),
               "check_test.cc:[0-9]+: check failed: rooms <= capacity: server s1 holds 11");
}

TEST(CheckDeathTest, BuildsTheMessageOnlyWhenTheCheckFails) {
  int messages_built = 0;
  const auto message = [&messages_built] {
    ++messages_built;
    return std::string("never shown");
  };
  SCHED_CHECK(messages_built == 0, message());
  EXPECT_EQ(messages_built, 0);
}

// A policy that reads an order the index does not keep for it is a bug, and
// is stopped at once rather than answered from an empty order.
TEST(CheckDeathTest, ReadingAnOrderThePolicyDidNotAskForStops) {
  CandidateIndex index({.by_free_slots = false, .by_key = true});
  index.set_free_slots(1, 3);
  EXPECT_EQ(index.oldest()->key, 1u);
  EXPECT_DEATH(index.fullest(), "free-slot order, which its orders\\(\\) did not ask for");
}

}  // namespace
}  // namespace sched
