#include "server/common/jwt.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <memory>

#include <boost/json/parse.hpp>
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

TEST(Base64Url, RefusesForeignCharactersAndPadding) {
  std::string out;
  EXPECT_FALSE(jwt::base64url_decode("ab+c", out));
  EXPECT_FALSE(jwt::base64url_decode("ab/c", out));
  EXPECT_FALSE(jwt::base64url_decode("abc=", out));
  EXPECT_FALSE(jwt::base64url_decode("YQ==", out)) << "padded 'a'";
  EXPECT_FALSE(jwt::base64url_decode("a", out));
  EXPECT_FALSE(jwt::base64url_decode("ab c", out));
}

TEST(Base64Url, RefusesStrayBitsAfterTheLastByte) {
  std::string out;
  ASSERT_TRUE(jwt::base64url_decode("YQ", out));
  EXPECT_EQ(out, "a");
  EXPECT_FALSE(jwt::base64url_decode("YR", out)) << "also 'a', with a stray bit";
  ASSERT_TRUE(jwt::base64url_decode("YWI", out));
  EXPECT_EQ(out, "ab");
  EXPECT_FALSE(jwt::base64url_decode("YWJ", out)) << "also 'ab', with a stray bit";
}

// Every short string the decoder accepts is the one spelling of its bytes.
TEST(Base64Url, EachAcceptedStringIsTheEncodingOfItsBytes) {
  const std::string alphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_+/=.";
  int accepted = 0;
  for (char a : alphabet) {
    for (char b : alphabet) {
      for (char c : alphabet) {
        for (std::string text : {std::string{a, b}, std::string{a, b, c}}) {
          std::string bytes;
          if (!jwt::base64url_decode(text, bytes)) continue;
          ++accepted;
          ASSERT_EQ(jwt::base64url_encode(bytes), text);
        }
      }
    }
  }
  // 2 characters carry 1 byte, 3 carry 2: exactly one spelling each. (The
  // 2-character strings are met once for every third character.)
  EXPECT_EQ(accepted, 256 * static_cast<int>(alphabet.size()) + 65536);
}

TEST(Jwt, KnownVector) {
  // Same token as Node's crypto produces for this payload and secret:
  const std::string token =
      "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."
      "eyJ0eXAiOiJ1c2VyIiwidXNlcklkIjoiYWxpY2UiLCJpYXQiOjE3MDAwMDAwMDAsImV4cCI6MTcwMDAwMzYwMH0."
      "QrDLrkR4WDyW1ejHw5WGVTqqtwe6xLZJjgauuZJjvwY";
  auto verified = jwt::verify(token, "s3cret", kNow);
  ASSERT_TRUE(verified) << jwt::describe(verified.error);
  EXPECT_EQ(verified.claims.at("userId").as_string(), "alice");
}

TEST(Jwt, RefusesATokenWithoutExpiryLikeTheSeeds) {
  // The seed's user token for alice: {"userId":"alice","iat":1700000000}.
  const std::string seed_token =
      "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJ1c2VySWQiOiJhbGljZSIsImlhdCI6MTcwMDAwMDAwMH0."
      "Kq6nLls87byuneq33KrsfHMeoDzCWBi6laNR2H8vvj0";
  EXPECT_EQ(jwt::verify(seed_token, "s3cret", kNow).error, jwt::Error::no_expiry);
  EXPECT_EQ(jwt::verify(seed_token, "other", kNow).error, jwt::Error::bad_signature)
      << "the signature is checked first: a forger learns nothing from the claims";
  EXPECT_EQ(jwt::describe(jwt::Error::no_expiry), "token has no expiry (exp)");
}

TEST(Jwt, SignThenVerify) {
  std::string token = jwt::sign({{"userId", "bob"}, {"iat", kNow}, {"exp", kNow + 60}}, "k");
  auto verified = jwt::verify(token, "k", kNow);
  ASSERT_TRUE(verified);
  EXPECT_EQ(verified.claims.at("userId").as_string(), "bob");
}

// The same signed token, spelled another way, must not verify.
TEST(Jwt, RefusesNonCanonicalSpellingsOfAValidToken) {
  std::string token = jwt::sign({{"userId", "bob"}, {"exp", kNow + 60}}, "k");
  ASSERT_TRUE(jwt::verify(token, "k", kNow));
  // A 32-byte signature is 43 characters: the last one carries 2 stray bits.
  std::string stray = token;
  char& last = stray.back();
  const std::string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  last = alphabet[alphabet.find(last) ^ 1];
  EXPECT_EQ(jwt::verify(stray, "k", kNow).error, jwt::Error::bad_encoding);
  EXPECT_EQ(jwt::verify(token + "=", "k", kNow).error, jwt::Error::bad_encoding);
  std::string standard_alphabet = token;
  for (char& c : standard_alphabet) c = c == '-' ? '+' : c == '_' ? '/' : c;
  if (standard_alphabet != token) {
    EXPECT_EQ(jwt::verify(standard_alphabet, "k", kNow).error, jwt::Error::bad_encoding);
  }
  std::string padded_header = token;
  padded_header.insert(padded_header.find('.'), "=");
  EXPECT_EQ(jwt::verify(padded_header, "k", kNow).error, jwt::Error::bad_encoding);
}

TEST(Jwt, RefusesWrongSecretAndTampering) {
  std::string token = jwt::sign({{"userId", "bob"}, {"exp", kNow + 60}}, "k");
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
  for (std::string_view bad : {"", ".", "..", "a.b", "a.b.c.d", "e30.e30"}) {
    EXPECT_NE(jwt::verify(bad, "k", kNow).error, jwt::Error::none) << bad;
  }
  for (std::string_view bad : {"a.b", "a.b.c.d", "e30.e30", "e30..x"}) {
    EXPECT_EQ(jwt::verify(bad, "k", kNow).error, jwt::Error::malformed) << bad;
  }
  EXPECT_EQ(jwt::verify("!!.??.xx", "k", kNow).error, jwt::Error::bad_encoding);
  // JSON that is not an object.
  EXPECT_EQ(jwt::verify(forge(R"({"alg":"HS256"})", "[1]", "x"), "k", kNow).error,
            jwt::Error::malformed);
}

TEST(Jwt, ChecksExpiryAndNotBefore) {
  std::string expired = jwt::sign({{"exp", kNow - 1}}, "k");
  EXPECT_EQ(jwt::verify(expired, "k", kNow).error, jwt::Error::expired);
  std::string fresh = jwt::sign({{"exp", kNow + 60}}, "k");
  EXPECT_TRUE(jwt::verify(fresh, "k", kNow));
  std::string future = jwt::sign({{"nbf", kNow + 60}, {"exp", kNow + 120}}, "k");
  EXPECT_EQ(jwt::verify(future, "k", kNow).error, jwt::Error::not_yet_valid);
  std::string stringy = jwt::sign({{"exp", "tomorrow"}}, "k");
  EXPECT_EQ(jwt::verify(stringy, "k", kNow).error, jwt::Error::malformed);
}

// Found by fuzz/jwt_fuzzer.cc: converting an exp of 1.9e54 to int64 was
// undefined behaviour (fuzz/corpus/jwt/exp_beyond_int64).
TEST(Jwt, TimeClaimsBeyond64BitsAreMalformed) {
  for (std::string_view claims : {R"({"exp":1.9e54})", R"({"exp":-1e300})",
                                  R"({"exp":18446744073709551615})",
                                  R"({"exp":1800000000,"nbf":18446744073709551615})"}) {
    auto token = jwt::sign(boost::json::parse(claims).as_object(), "k");
    EXPECT_EQ(jwt::verify(token, "k", kNow).error, jwt::Error::malformed) << claims;
  }
  EXPECT_TRUE(jwt::verify(jwt::sign({{"exp", 1.8e9}}, "k"), "k", kNow));
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

  // Session tokens are short-lived.
  EXPECT_EQ(check_session_token(policy, session, kNow + 3600).error, "token expired");
}

TEST(Tokens, EachKindIsRefusedWhereTheOtherBelongs) {
  TokenPolicy policy{"secret"};
  std::string user = issue_user_token(policy, {"alice"}, kNow);
  std::string session = issue_session_token(policy, {"alice", "r1", "localhost:8000"}, kNow);
  EXPECT_EQ(jwt::verify(user, "secret", kNow).claims.at("typ").as_string(), "user");
  EXPECT_EQ(jwt::verify(session, "secret", kNow).claims.at("typ").as_string(), "session");

  auto user_at_session_server = check_session_token(policy, user, kNow);
  EXPECT_FALSE(user_at_session_server.claims);
  EXPECT_EQ(user_at_session_server.error,
            "a user token is not a session token; connect with the token from "
            "GET /api/rooms/:roomId");
  // A session token carries a userId too: only its typ keeps it from
  // creating rooms and looking them up.
  auto session_at_backend = check_user_token(policy, session, kNow);
  EXPECT_FALSE(session_at_backend.claims);
  EXPECT_EQ(session_at_backend.error,
            "a session token (for connecting to a room) is not a user token; use the token "
            "from POST /api/login");
}

TEST(Tokens, RefusesTokensWithoutTypOrWithAnother) {
  TokenPolicy policy{"secret"};
  boost::json::object untyped{
      {"userId", "alice"}, {"roomId", "r1"}, {"host", "h:1"}, {"exp", kNow + 60}};
  std::string token = jwt::sign(untyped, "secret");
  EXPECT_EQ(check_user_token(policy, token, kNow).error, "token has no typ claim");
  EXPECT_EQ(check_session_token(policy, token, kNow).error, "token has no typ claim");
  untyped["typ"] = "admin";
  token = jwt::sign(untyped, "secret");
  EXPECT_EQ(check_user_token(policy, token, kNow).error, "token typ is not user");
  EXPECT_EQ(check_session_token(policy, token, kNow).error, "token typ is not session");
}

TEST(Tokens, RefusesTheSeedsTokensWithoutExpiry) {
  TokenPolicy policy{"secret"};
  std::string seed_token =
      jwt::sign({{"typ", "user"}, {"userId", "alice"}, {"iat", kNow}}, "secret");
  auto check = check_user_token(policy, seed_token, kNow);
  EXPECT_FALSE(check.claims);
  EXPECT_EQ(check.error, "token has no expiry (exp)");
}

TEST(Tokens, SecretsShorterThan32BytesAreRefusedWithHowToMakeOne) {
  EXPECT_FALSE(secret_problem(std::string(32, 'k')));
  auto short_secret = secret_problem(std::string(31, 'k'));
  ASSERT_TRUE(short_secret);
  EXPECT_NE(short_secret->find("JWT_SECRET is 31 bytes"), std::string::npos) << *short_secret;
  EXPECT_NE(short_secret->find("head -c 32 /dev/urandom | base64"), std::string::npos);
  EXPECT_TRUE(secret_problem(""));
}


// Key ids: rotating the secret with nobody logged out.

TEST(Jwt, ATokenNamesTheKeyThatSignedItAndIsCheckedWithThatKey) {
  const jwt::Keys keys{{"new", "new-secret"}, {"old", "old-secret"}};
  const std::string token = jwt::sign({{"userId", "bob"}, {"exp", kNow + 60}}, keys[1]);
  boost::json::object header;
  std::string json;
  ASSERT_TRUE(jwt::base64url_decode(token.substr(0, token.find('.')), json));
  EXPECT_EQ(boost::json::parse(json).as_object().at("kid").as_string(), "old");
  EXPECT_TRUE(jwt::verify(token, keys, kNow));
  // Only the key it names: the same secret under another id does not check it.
  EXPECT_EQ(jwt::verify(token, jwt::Keys{{"other", "old-secret"}}, kNow).error,
            jwt::Error::unknown_key);
  EXPECT_EQ(jwt::verify(token, jwt::Keys{{"old", "new-secret"}}, kNow).error,
            jwt::Error::bad_signature);
}

TEST(Jwt, ATokenWithoutKeyIdIsCheckedWithEveryKey) {
  const std::string token = jwt::sign({{"userId", "bob"}, {"exp", kNow + 60}}, "old-secret");
  EXPECT_TRUE(jwt::verify(token, jwt::Keys{{"new", "new-secret"}, {"old", "old-secret"}}, kNow));
  EXPECT_EQ(jwt::verify(token, jwt::Keys{{"new", "new-secret"}}, kNow).error,
            jwt::Error::bad_signature);
}

TEST(Jwt, AKeyIdThatIsNotAStringIsMalformed) {
  const std::string input = jwt::base64url_encode(R"({"alg":"HS256","kid":7})") + "." +
                            jwt::base64url_encode(R"({"exp":1800000000})");
  EXPECT_EQ(jwt::verify(input + "." + std::string(43, 'A'), jwt::Keys{{"7", "k"}}, kNow).error,
            jwt::Error::malformed);
}

TEST(Tokens, AKeysFileIsReadInOrderAndEveryMistakeNamesItsLine) {
  const std::string path = ::testing::TempDir() + "/keys";
  const auto write = [&](const std::string& text) {
    std::FILE* file = std::fopen(path.c_str(), "w");
    std::fputs(text.c_str(), file);
    std::fclose(file);
  };
  const std::string a(32, 'a'), b(40, 'b');
  write("# signing key first\n2026-12 " + a + "\n\n2026-06 " + b + "\n");
  auto read = read_keys_file(path);
  ASSERT_TRUE(std::holds_alternative<jwt::Keys>(read)) << std::get<std::string>(read);
  const auto& keys = std::get<jwt::Keys>(read);
  ASSERT_EQ(keys.size(), 2u);
  EXPECT_EQ(keys[0].id, "2026-12");
  EXPECT_EQ(keys[1].secret, b);
  const auto problem = [&](const std::string& text) {
    write(text);
    auto result = read_keys_file(path);
    return std::holds_alternative<std::string>(result) ? std::get<std::string>(result) : "";
  };
  EXPECT_NE(problem("one " + a + "\nshort abc\n").find("line 2"), std::string::npos);
  EXPECT_NE(problem("one " + a + "\none " + b + "\n").find("used twice"), std::string::npos);
  EXPECT_NE(problem("bad/id " + a + "\n").find("key id"), std::string::npos);
  EXPECT_NE(problem("lonely\n").find("two words"), std::string::npos);
  EXPECT_NE(problem("# nothing\n").find("no key"), std::string::npos);
  EXPECT_NE(std::get<std::string>(read_keys_file(path + ".missing")).find("cannot be read"),
            std::string::npos);
}

TEST(Tokens, TokensAreSignedWithTheFirstKeyAndCheckedWithAnyAfterAReplace) {
  auto keys = std::make_shared<TokenKeys>(jwt::Keys{{"old", "old-secret"}});
  TokenPolicy policy{keys};
  const std::string before = issue_user_token(policy, {"alice"}, kNow);
  keys->replace({{"new", "new-secret"}, {"old", "old-secret"}});
  const std::string after = issue_user_token(policy, {"alice"}, kNow);
  EXPECT_TRUE(check_user_token(policy, before, kNow).claims);
  EXPECT_TRUE(check_user_token(policy, after, kNow).claims);
  EXPECT_FALSE(check_user_token(TokenPolicy{"old-secret"}, after, kNow).claims);
  keys->replace({{"new", "new-secret"}});
  const auto retired = check_user_token(policy, before, kNow);
  EXPECT_FALSE(retired.claims);
  EXPECT_NE(retired.error.find("log in again"), std::string::npos) << retired.error;
}

}  // namespace
}  // namespace chat
