#include <gtest/gtest.h>

#include <set>

#include "server/backend/room_id.h"
#include "server/backend/user_id.h"

namespace chat {
namespace {

TEST(RoomId, SixteenBase32CharactersAndUnique) {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    std::string id = generate_room_id();
    ASSERT_EQ(id.size(), 16u);
    EXPECT_EQ(id.find_first_not_of("abcdefghijklmnopqrstuvwxyz234567"), std::string::npos) << id;
    EXPECT_TRUE(plausible_room_id(id));
    seen.insert(id);
  }
  EXPECT_EQ(seen.size(), 1000u);
}

TEST(RoomId, PlausibleAcceptsSeedIdsAndRefusesJunk) {
  EXPECT_TRUE(plausible_room_id("k3j9x0a1b2c"));  // seed: Math.random().toString(36).slice(2)
  EXPECT_FALSE(plausible_room_id(""));
  EXPECT_FALSE(plausible_room_id("../etc/passwd"));
  EXPECT_FALSE(plausible_room_id("a b"));
  EXPECT_FALSE(plausible_room_id(std::string(65, 'a')));
}

TEST(UserId, TrimsAndAccepts) {
  auto check = check_user_id("  alice  ");
  ASSERT_TRUE(check.user_id);
  EXPECT_EQ(*check.user_id, "alice");
  EXPECT_TRUE(check_user_id("Zoë 🚀").user_id);
}

TEST(UserId, RefusesEmptyLongControlAndInvalid) {
  EXPECT_FALSE(check_user_id("").user_id);
  EXPECT_FALSE(check_user_id("   ").user_id);
  EXPECT_TRUE(check_user_id(std::string(32, 'a')).user_id);
  EXPECT_FALSE(check_user_id(std::string(33, 'a')).user_id);
  std::string thirty_two_emoji;
  for (int i = 0; i < 32; ++i) thirty_two_emoji += "\xF0\x9F\x9A\x80";
  EXPECT_TRUE(check_user_id(thirty_two_emoji).user_id) << "characters, not bytes";
  EXPECT_FALSE(check_user_id("a\x01"
                             "b")
                   .user_id);
  EXPECT_FALSE(check_user_id("a\nb").user_id);
  EXPECT_FALSE(check_user_id("a\x7f").user_id);
  EXPECT_FALSE(check_user_id("a\xC2\x85").user_id) << "C1 control (NEL)";
  EXPECT_FALSE(check_user_id("\xC0\xAF").user_id) << "overlong";
  EXPECT_FALSE(check_user_id("\xED\xA0\x80").user_id) << "surrogate";
  EXPECT_FALSE(check_user_id("abc\xE2\x82").user_id) << "truncated";
  EXPECT_EQ(check_user_id(std::string(33, 'a')).error, "userId is longer than 32 characters");
}

}  // namespace
}  // namespace chat
