#include "loadgen/outbox.h"

#include <gtest/gtest.h>

namespace loadgen {
namespace {

std::vector<std::uint32_t> seqs(const Outbox& outbox) {
  std::vector<std::uint32_t> out;
  for (const auto& entry : outbox.unacknowledged()) out.push_back(entry.seq);
  return out;
}

TEST(MessageId, PrefixDashSeq) {
  EXPECT_EQ(message_id("ab12.7", 42), "ab12.7-42");
  EXPECT_EQ(parse_message_id("ab12.7-42", "ab12.7"), 42u);
  EXPECT_EQ(parse_message_id("ab12.7-0", "ab12.7"), 0u);
  // Another bot's ids, or not ids of ours at all.
  EXPECT_FALSE(parse_message_id("ab12.17-42", "ab12.7"));
  EXPECT_FALSE(parse_message_id("ab12.7-", "ab12.7"));
  EXPECT_FALSE(parse_message_id("ab12.7-4x", "ab12.7"));
  EXPECT_FALSE(parse_message_id("ab12.7_42", "ab12.7"));
  EXPECT_FALSE(parse_message_id("", "ab12.7"));
}

TEST(MessageId, TheClientFrame) {
  EXPECT_EQ(v2_frame("ab.1-3", "lg:1:3:99:"), R"({"id":"ab.1-3","msg":"lg:1:3:99:"})");
}

TEST(Outbox, AcknowledgedInOrderLeavesNothingToResend) {
  Outbox outbox;
  outbox.add(0, 100);
  outbox.add(1, 200);
  EXPECT_EQ(outbox.acknowledge(0), Outbox::Ack::in_order);
  EXPECT_EQ(outbox.acknowledge(1), Outbox::Ack::in_order);
  EXPECT_EQ(outbox.size(), 0u);
  EXPECT_TRUE(outbox.unacknowledged().empty());
}

TEST(Outbox, ResendsTheUnacknowledgedInTheirOrderWithTheirFirstSendTime) {
  Outbox outbox;
  for (std::uint32_t seq = 0; seq < 5; ++seq) outbox.add(seq, 1000 + seq);
  EXPECT_EQ(outbox.acknowledge(0), Outbox::Ack::in_order);
  EXPECT_EQ(outbox.acknowledge(1), Outbox::Ack::in_order);
  // The connection is lost here: 2, 3 and 4 go again, oldest first.
  EXPECT_EQ(seqs(outbox), (std::vector<std::uint32_t>{2, 3, 4}));
  EXPECT_EQ(outbox.unacknowledged().front().sent_us, 1002u);
  // Re-sent, and acknowledged by the new server (or by `ack` for one it had).
  EXPECT_EQ(outbox.acknowledge(2), Outbox::Ack::in_order);
  EXPECT_EQ(seqs(outbox), (std::vector<std::uint32_t>{3, 4}));
}

TEST(Outbox, ASecondAcknowledgementIsUnknownAndChangesNothing) {
  Outbox outbox;
  outbox.add(0, 1);
  outbox.add(1, 2);
  EXPECT_EQ(outbox.acknowledge(0), Outbox::Ack::in_order);
  // The same message again: the echo of a duplicate delivery, or an `ack`
  // after the message event already acknowledged it.
  EXPECT_EQ(outbox.acknowledge(0), Outbox::Ack::unknown);
  EXPECT_EQ(outbox.acknowledge(9), Outbox::Ack::unknown);  // never sent
  EXPECT_EQ(seqs(outbox), (std::vector<std::uint32_t>{1}));
}

TEST(Outbox, AnAcknowledgementOutOfOrderIsToldApart) {
  Outbox outbox;
  outbox.add(0, 1);
  outbox.add(1, 2);
  outbox.add(2, 3);
  EXPECT_EQ(outbox.acknowledge(1), Outbox::Ack::out_of_order);
  EXPECT_EQ(seqs(outbox), (std::vector<std::uint32_t>{0, 2}));
}

TEST(Outbox, ARefusedMessageIsNeverResent) {
  Outbox outbox;
  outbox.add(0, 1);
  outbox.add(1, 2);
  EXPECT_TRUE(outbox.refuse(0));
  EXPECT_FALSE(outbox.refuse(0));
  EXPECT_EQ(seqs(outbox), (std::vector<std::uint32_t>{1}));
  EXPECT_EQ(outbox.acknowledge(1), Outbox::Ack::in_order);
}

TEST(Outbox, FullAtTheServersMemoryOfIds) {
  Outbox outbox;
  for (std::uint32_t seq = 0; seq < Outbox::kUnackedMax; ++seq) {
    EXPECT_FALSE(outbox.full());
    outbox.add(seq, seq);
  }
  EXPECT_TRUE(outbox.full());
  outbox.acknowledge(0);
  EXPECT_FALSE(outbox.full());
}

}  // namespace
}  // namespace loadgen
