#include "loadgen/delivery_checker.h"

#include <gtest/gtest.h>

namespace loadgen {
namespace {

using Verdict = RoomChecker::Verdict;

TEST(Message, RoundTripsAndPads) {
  auto text = encode_message(7, 42, 123456789, 64);
  EXPECT_EQ(text.size(), 64u);
  auto message = parse_message(text);
  ASSERT_TRUE(message);
  EXPECT_EQ(message->slot, 7u);
  EXPECT_EQ(message->seq, 42u);
  EXPECT_EQ(message->sent_us, 123456789u);
  EXPECT_FALSE(parse_message("hello"));
  EXPECT_FALSE(parse_message("lg:1:2"));
  EXPECT_FALSE(parse_message("lg:x:2:3:"));
}

// Three members all joined; everyone sends one message, everyone gets it.
TEST(RoomChecker, EveryoneGetsEverything) {
  RoomChecker room;
  for (int i = 0; i < 3; ++i) room.add_member();
  for (std::uint32_t i = 0; i < 3; ++i) room.joined(i);
  for (std::uint32_t s = 0; s < 3; ++s) {
    auto seq = room.next_seq(s);
    for (std::uint32_t r = 0; r < 3; ++r) EXPECT_EQ(room.received(r, s, seq), Verdict::in_order);
  }
  EXPECT_EQ(room.outstanding(), 0u);
  room.finish();
  EXPECT_EQ(room.counts().delivered, 9u);
  EXPECT_EQ(room.counts().missing(), 0u);
}

TEST(RoomChecker, CountsGapsTailsAndLateOnes) {
  RoomChecker room;
  room.add_member();
  room.add_member();
  room.joined(0);
  room.joined(1);
  for (int i = 0; i < 5; ++i) room.next_seq(0);
  EXPECT_EQ(room.received(1, 0, 0), Verdict::in_order);
  EXPECT_EQ(room.received(1, 0, 2), Verdict::gap);        // 1 skipped
  EXPECT_EQ(room.received(1, 0, 2), Verdict::duplicate);  // twice
  EXPECT_EQ(room.outstanding(), 5u + 2u);                 // member 0 got none; 3, 4 to member 1
  room.finish();
  EXPECT_EQ(room.counts().gaps, 1u);
  EXPECT_EQ(room.counts().late, 0u);
  EXPECT_EQ(room.counts().duplicates, 1u);
  EXPECT_EQ(room.counts().tail_missing, 7u);
  EXPECT_EQ(room.counts().missing(), 8u);  // 1 never came, nor did the tail
}

TEST(RoomChecker, ASkippedMessageArrivingIsLateAndASecondCopyADuplicate) {
  RoomChecker room;
  room.add_member();
  room.add_member();
  room.joined(1);
  for (int i = 0; i < 3; ++i) room.next_seq(0);
  EXPECT_EQ(room.received(1, 0, 2), Verdict::gap);
  EXPECT_EQ(room.received(1, 0, 0), Verdict::late);
  EXPECT_EQ(room.received(1, 0, 0), Verdict::duplicate);
  EXPECT_EQ(room.received(1, 0, 2), Verdict::duplicate);
  room.finish();
  EXPECT_EQ(room.counts().late, 1u);
  EXPECT_EQ(room.counts().duplicates, 2u);
  EXPECT_EQ(room.counts().missing(), 1u);  // seq 1
}

TEST(RoomChecker, ReorderingIsLateNotMissing) {
  RoomChecker room;
  room.add_member();
  room.add_member();
  room.joined(1);
  room.next_seq(0);
  room.next_seq(0);
  EXPECT_EQ(room.received(1, 0, 1), Verdict::gap);
  EXPECT_EQ(room.received(1, 0, 0), Verdict::late);
  room.finish();
  EXPECT_EQ(room.counts().missing(), 0u);
  EXPECT_EQ(room.counts().late, 1u);
}

TEST(RoomChecker, OwesNothingFromBeforeTheJoinNorAfterTheLeave) {
  RoomChecker room;
  room.add_member();
  room.add_member();
  room.joined(0);
  room.next_seq(0);  // before member 1 joined
  room.joined(1);
  EXPECT_EQ(room.received(1, 0, 0), Verdict::before_join);
  auto seq = room.next_seq(0);
  EXPECT_EQ(room.received(1, 0, seq), Verdict::in_order);
  room.left(1);
  room.next_seq(0);
  EXPECT_EQ(room.received(1, 0, 2), Verdict::not_joined);
  EXPECT_EQ(room.received(0, 1, 0), Verdict::unknown_sender);  // member 1 never sent
  EXPECT_EQ(room.outstanding(), 3u);  // member 0 still owed its own three
}

TEST(RoomChecker, ALaterMemberIsExpectedByEarlierOnes) {
  RoomChecker room;
  room.add_member();
  room.joined(0);
  auto late = room.add_member();
  room.joined(late);
  auto seq = room.next_seq(late);
  EXPECT_EQ(room.received(0, late, seq), Verdict::in_order);
}

TEST(FirstNewMessage, FindsTheMarkFromTheEnd) {
  std::vector<std::optional<ChatMessage>> snapshot = {
      ChatMessage{0, 0, 0}, std::nullopt, ChatMessage{1, 0, 0}, ChatMessage{0, 1, 0}};
  EXPECT_EQ(first_new_message(snapshot, SeenMark{}), 0u);
  EXPECT_EQ(first_new_message(snapshot, SeenMark{1, 0}), 3u);
  EXPECT_EQ(first_new_message(snapshot, SeenMark{0, 1}), 4u);
  EXPECT_EQ(first_new_message(snapshot, SeenMark{5, 5}), 0u);  // window moved past it
}

}  // namespace
}  // namespace loadgen
