// The delivery checker with acknowledgements (v2): acknowledged and refused
// messages, members that lose their connection and come back with a
// snapshot, and the history a snapshot must still hold after a fault.
#include <gtest/gtest.h>

#include "loadgen/delivery_checker.h"

namespace loadgen {
namespace {

using Verdict = RoomChecker::Verdict;

// A room of `members` members, all joined, tracking acknowledgements.
RoomChecker room_of(int members) {
  RoomChecker room;
  room.track_acks();
  for (int i = 0; i < members; ++i) room.add_member();
  for (int i = 0; i < members; ++i) room.joined(static_cast<std::uint32_t>(i));
  return room;
}

// The sender sends; everyone in `receivers` sees it live; the sender's echo
// acknowledges it when it is one of them.
std::uint32_t send(RoomChecker& room, std::uint32_t sender,
                   const std::vector<std::uint32_t>& receivers) {
  auto seq = room.next_seq(sender);
  for (auto receiver : receivers) {
    room.seen(sender, seq);
    if (receiver == sender) room.acknowledged(sender, seq);
    EXPECT_EQ(room.received(receiver, sender, seq), Verdict::in_order);
  }
  return seq;
}

Snapshot snapshot_of(std::vector<MessageRef> ours, std::size_t window = 100) {
  Snapshot snapshot;
  snapshot.entries = ours.size();
  snapshot.ours = std::move(ours);
  snapshot.window = window;
  return snapshot;
}

TEST(RoomCheckerAcks, AnAcknowledgedMessageSomeoneNeverGotIsLost) {
  auto room = room_of(3);
  send(room, 0, {0, 1, 2});
  send(room, 0, {0, 1});  // acknowledged, member 2 never gets it
  auto unacked = room.next_seq(1);
  room.received(2, 1, unacked);  // delivered to 2 only, never acknowledged
  room.finish();
  EXPECT_EQ(room.counts().acknowledged, 2u);
  EXPECT_EQ(room.counts().lost, 1u);
  EXPECT_EQ(room.counts().tail_missing, 1u + 2u);  // (0,1) to 2; (1,0) to 0 and 1
  EXPECT_EQ(room.counts().duplicates, 0u);
}

TEST(RoomCheckerAcks, ARefusedMessageIsOwedToNoOne) {
  auto room = room_of(2);
  send(room, 0, {0, 1});
  auto refused = room.next_seq(0);
  room.refused(0, refused);
  EXPECT_EQ(room.outstanding(), 0u);
  auto seq = room.next_seq(0);
  room.seen(0, seq);
  EXPECT_EQ(room.received(1, 0, seq), Verdict::in_order);  // nothing skipped over
  EXPECT_EQ(room.received(0, 0, seq), Verdict::in_order);
  room.finish();
  EXPECT_EQ(room.counts().gaps, 0u);
  EXPECT_EQ(room.counts().refused, 1u);
  EXPECT_EQ(room.counts().missing(), 0u);
}

TEST(RoomCheckerAcks, WhatWasStoredWhileAwayComesInTheSnapshot) {
  auto room = room_of(2);
  send(room, 0, {0, 1});
  // Member 1 loses its connection; two messages are stored meanwhile.
  send(room, 0, {0});
  send(room, 0, {0});
  EXPECT_EQ(room.rejoined(1, snapshot_of({{0, 0}, {0, 1}, {0, 2}})), 2u);
  // A live message after the snapshot continues the run.
  send(room, 0, {0, 1});
  // The same message again, live: a duplicate, not history.
  EXPECT_EQ(room.received(1, 0, 2), Verdict::duplicate);
  room.finish();
  EXPECT_EQ(room.counts().missing(), 0u);
  EXPECT_EQ(room.counts().duplicates, 1u);
  EXPECT_EQ(room.counts().lost, 0u);
}

TEST(RoomCheckerAcks, AHoleInASendersRunIsLost) {
  auto room = room_of(2);
  send(room, 0, {0});
  send(room, 0, {0});
  send(room, 0, {0});
  // The snapshot lacks the middle one, though the window has room for it.
  EXPECT_EQ(room.rejoined(1, snapshot_of({{0, 0}, {0, 2}})), 2u);
  room.finish();
  EXPECT_EQ(room.counts().gaps, 1u);
  EXPECT_EQ(room.counts().lost, 1u);
}

TEST(RoomCheckerAcks, UnacknowledgedMessagesNotInTheSnapshotAreStillExpectedLive) {
  auto room = room_of(2);
  auto seq = room.next_seq(0);  // sent to the server that failed; to be re-sent
  EXPECT_EQ(room.rejoined(1, snapshot_of({})), 0u);
  EXPECT_EQ(room.outstanding(), 2u);  // to both members
  room.seen(0, seq);
  room.acknowledged(0, seq);
  EXPECT_EQ(room.received(0, 0, seq), Verdict::in_order);
  EXPECT_EQ(room.received(1, 0, seq), Verdict::in_order);
  room.finish();
  EXPECT_EQ(room.counts().missing(), 0u);
}

TEST(RoomCheckerAcks, WhatAFullWindowPushedOutIsExcusedButNotWhatItShouldHold) {
  auto room = room_of(3);
  // While member 2 is away, senders 0 and 1 send 3 each, interleaved.
  for (int i = 0; i < 3; ++i) {
    send(room, 0, {0, 1});
    send(room, 1, {0, 1});
  }
  // A window of 3: (1,1) (0,2) (1,2) are the newest; (0,2) is missing, and a
  // stranger's message takes its place.
  auto snapshot = snapshot_of({{1, 1}, {1, 2}}, 3);
  snapshot.entries = 3;
  EXPECT_EQ(room.rejoined(2, snapshot), 2u);
  room.finish();
  // (0,0) (1,0) (0,1) are older than the window.
  EXPECT_EQ(room.counts().outside_window, 3u);
  EXPECT_EQ(room.counts().lost, 1u);  // (0,2)
}

TEST(RoomCheckerAcks, TheHistoryAfterAFaultHoldsWhatWasAcknowledgedBeforeIt) {
  auto room = room_of(2);
  for (int i = 0; i < 4; ++i) send(room, 0, {0, 1});
  room.mark_fault(3);  // the last 3: (0,1) (0,2) (0,3)
  // After the fault, one new message, then member 1 is back: a window of 3
  // holds the new one and the newest two from before.
  auto seq = room.next_seq(0);
  room.seen(0, seq);
  room.acknowledged(0, seq);
  room.rejoined(1, snapshot_of({{0, 2}, {0, 3}, {0, 4}}, 3));
  EXPECT_EQ(room.counts().history_checked, 1u);
  EXPECT_EQ(room.counts().history_missing, 0u);
  // Member 0's snapshot lacks the newest message from before the fault.
  room.rejoined(0, snapshot_of({{0, 1}, {0, 2}, {0, 4}}, 3));
  EXPECT_EQ(room.counts().history_checked, 2u);
  EXPECT_EQ(room.counts().history_missing, 1u);
}

TEST(RoomCheckerAcks, AHistoryLostAltogetherIsCounted) {
  auto room = room_of(2);
  for (int i = 0; i < 5; ++i) send(room, 0, {0, 1});
  room.mark_fault(100);
  room.rejoined(1, snapshot_of({}));  // a new server that loaded nothing
  EXPECT_EQ(room.counts().history_missing, 5u);
  // Checked once a member after the fault: its next return is not compared.
  room.rejoined(1, snapshot_of({}));
  EXPECT_EQ(room.counts().history_checked, 1u);
}

TEST(RoomCheckerAcks, LostSoFarCountsAcknowledgedSkippedMessagesOnce) {
  auto room = room_of(3);
  send(room, 0, {0});
  send(room, 0, {0});
  auto seq = send(room, 0, {0});
  room.seen(0, seq);
  EXPECT_EQ(room.received(1, 0, seq), Verdict::gap);
  EXPECT_EQ(room.received(2, 0, seq), Verdict::gap);
  EXPECT_EQ(room.lost_so_far(), 2u);  // (0,0) and (0,1), skipped by two members
}

}  // namespace
}  // namespace loadgen
