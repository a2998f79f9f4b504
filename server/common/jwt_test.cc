#include "server/common/jwt.h"

#include <gtest/gtest.h>

#include <boost/json/serialize.hpp>

#include "server/common/tokens.h"

namespace chat {
namespace {

constexpr std::int64_t kNow = 1'700'000'000;

std::string forge(std::string_view header_json, std::string_view payload_json,
                  std::string_view signature) {
  return jwt::base64url_encode(header_json) + "." + jwt::base64url_encode(payload_json) + "." +
         std::string(signature);
}

TEST(Base64Url, RoundTripsEveryLength) {
  std::string bytes;
  for (int i = 0; i < 70; ++i) {
    std::string encoded = jwt::base64url_encode(bytes);
    EXPECT_EQ(encoded.find_first_of("+/="), std::string::npos) << encoded;
    std::string decoded;
    ASSERT_TRUE(jwt::base64url_decode(encoded, decoded)) << encoded;
    EXPECT_EQ(decoded, bytes);
    bytes.push_back(static_cast<char>(i * 37 + 250));
  }
}

TEST(Base64Url, RefusesForeignCharacters) {
  std::string out;
  EXPECT_FALSE(jwt::base64url_decode("ab+c", out));
  EXPECT_FALSE(jwt::base64url_decode("ab/c", out));
  EXPECT_FALSE(jwt::base64url_decode("abc=", out));
  EXPECT_FALSE(jwt::base64url_decode("a", out));
}

TEST(Jwt, KnownVectorFromRfc7515StyleSecret) {
  // Same token as PyJWT and Node crypto produce for this payload and secret:
  const std::string token =
      "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJ1c2VySWQiOiJhbGljZSIsImlhdCI6MTcwMDAwMDAwMH0."
      "Kq6nLls87byuneq33KrsfHMeoDzCWBi6laNR2H8vvj0";
  auto verified = jwt::verify(token, "s3cret", kNow);
  ASSERT_TRUE(verified) << jwt::describe(verified.error);
  EXPECT_EQ(verified.claims.at("userId").as_string(), "alice");
}

TEST(Jwt, SignThenVerify) {
  std::string token = jwt::sign({{"userId", "bob"}, {"iat", kNow}}, "k");
  auto verified = jwt::verify(token, "k", kNow);
  ASSERT_TRUE(verified);
  EXPECT_EQ(verified.claims.at("userId").as_string(), "bob");
}

TEST(Jwt, RefusesWrongSecretAndTampering) {
  std::string token = jwt::sign({{"userId", "bob"}}, "k");
  EXPECT_EQ(jwt::verify(token, "other", kNow).error, jwt::Error::bad_signature);
  std::string tampered = token;
  tampered[tampered.find('.') + 2] ^= 1;
  EXPECT_NE(jwt::verify(tampered, "k", kNow).error, jwt::Error::none);
}

TEST(Jwt, RefusesAlgNoneAndOtherAlgorithms) {
  EXPECT_EQ(jwt::verify(forge(R"({"alg":"none"})", R"({"userId":"x"})", ""), "k", kNow).error,
            jwt::Error::bad_algorithm);
  EXPECT_EQ(jwt::verify(forge(R"({"alg":"HS512"})", R"({"userId":"x"})", "abc"), "k", kNow).error,
            jwt::Error::bad_algorithm);
  EXPECT_EQ(jwt::verify(forge(R"({"typ":"JWT"})", R"({"userId":"x"})", "abc"), "k", kNow).error,
            jwt::Error::bad_algorithm);
}

TEST(Jwt, RefusesMalformed) {
  for (std::string_view bad : {"", ".", "..", "a.b", "a.b.c.d", "!!.??.xx", "e30.e30"}) {
    EXPECT_EQ(jwt::verify(bad, "k", kNow).error, jwt::Error::malformed) << bad;
  }
  // JSON that is not an object.
  EXPECT_EQ(jwt::verify(forge(R"({"alg":"HS256"})", "[1]", "x"), "k", kNow).error,
            jwt::Error::malformed);
}

TEST(Jwt, ChecksExpiryAndNotBefore) {
  std::string expired = jwt::sign({{"exp", kNow - 1}}, "k");
  EXPECT_EQ(jwt::verify(expired, "k", kNow).error, jwt::Error::expired);
  std::string fresh = jwt::sign({{"exp", kNow + 60}}, "k");
  EXPECT_TRUE(jwt::verify(fresh, "k", kNow));
  std::string future = jwt::sign({{"nbf", kNow + 60}}, "k");
  EXPECT_EQ(jwt::verify(future, "k", kNow).error, jwt::Error::not_yet_valid);
  std::string stringy = jwt::sign({{"exp", "tomorrow"}}, "k");
  EXPECT_EQ(jwt::verify(stringy, "k", kNow).error, jwt::Error::malformed);
}

TEST(Tokens, UserAndSessionTokensRoundTrip) {
  TokenPolicy policy{"secret"};
  std::string user = issue_user_token(policy, {"alice"}, kNow);
  auto user_check = check_user_token(policy, user, kNow + 10);
  ASSERT_TRUE(user_check.claims) << user_check.error;
  EXPECT_EQ(user_check.claims->user_id, "alice");

  std::string session = issue_session_token(policy, {"alice", "r1", "localhost:8000"}, kNow);
  auto session_check = check_session_token(policy, session, kNow + 10);
  ASSERT_TRUE(session_check.claims) << session_check.error;
  EXPECT_EQ(session_check.claims->room_id, "r1");
  EXPECT_EQ(session_check.claims->host, "localhost:8000");

  // A user token is not a session token.
  EXPECT_FALSE(check_session_token(policy, user, kNow).claims);
  // Session tokens are short-lived.
  EXPECT_EQ(check_session_token(policy, session, kNow + 3600).error, "token expired");
}

TEST(Tokens, AcceptsTheSeedsTokensWithoutExpiry) {
  TokenPolicy policy{"secret"};
  std::string seed_token = jwt::sign({{"userId", "alice"}, {"iat", kNow}}, "secret");
  EXPECT_TRUE(check_user_token(policy, seed_token, kNow).claims);
}

}  // namespace
}  // namespace chat
