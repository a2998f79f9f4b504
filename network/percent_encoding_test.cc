#include "network/percent_encoding.h"

#include <gtest/gtest.h>

namespace network {
namespace {

TEST(PercentDecode, DecodesEscapesAndLeavesPlusAlone) {
  EXPECT_EQ(percent_decode("a%20b"), "a b");
  EXPECT_EQ(percent_decode("%41%7a%7A"), "Azz");
  EXPECT_EQ(percent_decode("a+b"), "a+b");  // '+' is a space only in queries
  EXPECT_EQ(percent_decode("%e2%82%ac"), "\xe2\x82\xac");
  EXPECT_EQ(percent_decode(""), "");
  EXPECT_EQ(percent_decode("%00"), std::string(1, '\0'));
}

TEST(PercentDecode, RefusesBrokenEscapes) {
  for (const char* text : {"%", "%4", "a%", "%zz", "%4g", "%%41", "%-1", "% 1", "%+1"}) {
    EXPECT_EQ(percent_decode(text), std::nullopt) << text;
  }
}

TEST(PercentEncode, KeepsUnreservedAndEncodesTheRestSoThatDecodingGivesItBack) {
  EXPECT_EQ(percent_encode("local-1.a_b~"), "local-1.a_b~");
  EXPECT_EQ(percent_encode("a b/c?d%"), "a%20b%2Fc%3Fd%25");
  const std::string every_byte = [] {
    std::string all;
    for (int c = 0; c < 256; ++c) all += static_cast<char>(c);
    return all;
  }();
  EXPECT_EQ(percent_decode(percent_encode(every_byte)), every_byte);
}

}  // namespace
}  // namespace network
