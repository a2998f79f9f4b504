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

}  // namespace
}  // namespace chat
