#include "server/session/subprotocol.h"

#include <gtest/gtest.h>

namespace chat {
namespace {

TEST(Subprotocol, FindsTheEventSubprotocolInAnOffer) {
  EXPECT_TRUE(offers_subprotocol("scalable-chat.events.v1", kEventSubprotocol));
  EXPECT_TRUE(offers_subprotocol("chat, scalable-chat.events.v1", kEventSubprotocol));
  EXPECT_TRUE(offers_subprotocol("scalable-chat.events.v1,chat", kEventSubprotocol));
  EXPECT_TRUE(offers_subprotocol("a ,  scalable-chat.events.v1  , b", kEventSubprotocol));
}

TEST(Subprotocol, MatchesWholeTokensOnly) {
  EXPECT_FALSE(offers_subprotocol("", kEventSubprotocol));
  EXPECT_FALSE(offers_subprotocol(",", kEventSubprotocol));
  EXPECT_FALSE(offers_subprotocol("chat", kEventSubprotocol));
  EXPECT_FALSE(offers_subprotocol("scalable-chat.events.v10", kEventSubprotocol));
  EXPECT_FALSE(offers_subprotocol("scalable-chat.events", kEventSubprotocol));
  EXPECT_FALSE(offers_subprotocol("scalable-chat.events.v1x, chat", kEventSubprotocol));
  EXPECT_FALSE(offers_subprotocol("SCALABLE-CHAT.EVENTS.V1", kEventSubprotocol))
      << "subprotocol names are compared as they are written";
}


TEST(Subprotocol, TheNewestOfferedModeWins) {
  EXPECT_EQ(choose_wire_mode(""), WireMode::seed_snapshots);
  EXPECT_EQ(choose_wire_mode("scalable-chat.events.v1"), WireMode::events_v1);
  EXPECT_EQ(choose_wire_mode("scalable-chat.events.v2"), WireMode::events_v2);
  EXPECT_EQ(choose_wire_mode("scalable-chat.events.v1, scalable-chat.events.v2"),
            WireMode::events_v2);
  EXPECT_EQ(choose_wire_mode("scalable-chat.events.v3"), WireMode::seed_snapshots);
  EXPECT_EQ(subprotocol_of(WireMode::events_v2), "scalable-chat.events.v2");
  EXPECT_EQ(subprotocol_of(WireMode::seed_snapshots), "");
}

}  // namespace
}  // namespace chat
