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

// Each of these makes a name look like another one, or hides part of it.
TEST(UserId, RefusesBidiControlsSayingWhich) {
  for (const char* bidi :
       {"\u202E", "\u202A", "\u202D", "\u2066", "\u2067", "\u2068", "\u2069", "\u200F", "\u061C"}) {
    auto check = check_user_id(std::string("admin") + bidi + "txt");
    EXPECT_FALSE(check.user_id) << "U+" << bidi;
    EXPECT_NE(check.error.find("bidirectional control"), std::string::npos) << check.error;
  }
  EXPECT_EQ(check_user_id("alice\u202Eevil").error,
            "userId contains U+202E RIGHT-TO-LEFT OVERRIDE, a bidirectional control that changes "
            "how text around it reads: remove it");
}

TEST(UserId, RefusesZeroWidthAndOtherInvisibleCharacters) {
  for (const char* invisible :
       {"\u200B", "\u200C", "\u200D", "\u2060", "\uFEFF", "\u00AD", "\u180E", "\U000E0041"}) {
    auto check = check_user_id(std::string("ali") + invisible + "ce");
    EXPECT_FALSE(check.user_id) << check.error;
    EXPECT_NE(check.error.find("invisible formatting character"), std::string::npos) << check.error;
  }
  EXPECT_EQ(check_user_id("ali\u200Bce").error,
            "userId contains U+200B ZERO WIDTH SPACE, an invisible formatting character: "
            "remove it");
  // Not format characters, but just as invisible.
  for (const char* invisible : {"\u3164", "\u115F", "\uFFA0", "\u034F"}) {
    auto check = check_user_id(std::string("bob") + invisible);
    EXPECT_FALSE(check.user_id) << check.error;
    EXPECT_NE(check.error.find("an invisible character"), std::string::npos) << check.error;
  }
  EXPECT_FALSE(check_user_id("bob\u2028").user_id) << "line separator";
  EXPECT_EQ(check_user_id("a\u0007b").error,
            "userId contains U+0007, a control character: remove it");
}

TEST(UserId, AllowsTheEmojiStyleSelectorOnlyAfterAnEmoji) {
  EXPECT_TRUE(check_user_id("love \u2764\uFE0F").user_id) << "red heart, emoji style";
  EXPECT_FALSE(check_user_id("alice\uFE0F").user_id) << "after a letter it is only invisible";
  EXPECT_FALSE(check_user_id("\uFE0Falice").user_id);
}

TEST(UserId, NormalisesToNfcSoOneNameHasOneSpelling) {
  const std::string composed = "Jos\u00E9";     // é as one code point
  const std::string decomposed = "Jose\u0301";  // e + combining acute accent
  ASSERT_NE(composed, decomposed);
  ASSERT_TRUE(check_user_id(decomposed).user_id);
  EXPECT_EQ(*check_user_id(decomposed).user_id, composed);
  EXPECT_EQ(*check_user_id(composed).user_id, composed);
  // Hangul syllables typed as their jamo.
  EXPECT_EQ(*check_user_id("\u1112\u1161\u11AB").user_id, "\uD55C");
  // The limit counts the normalised characters.
  std::string thirty_two_accented;
  for (int i = 0; i < 32; ++i) thirty_two_accented += "e\u0301";
  EXPECT_TRUE(check_user_id(thirty_two_accented).user_id);
}

TEST(UserId, TrimsUnicodeSpacesButNotControls) {
  EXPECT_EQ(*check_user_id("\u00A0alice\u3000").user_id, "alice");
  EXPECT_FALSE(check_user_id("\u00A0\u2003").user_id);
  EXPECT_FALSE(check_user_id("alice\u0085").user_id) << "NEL is a control, not a space";
}

}  // namespace
}  // namespace chat
