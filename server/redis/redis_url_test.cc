#include "server/redis/redis_url.h"

#include <gtest/gtest.h>

namespace chat::redis {
namespace {

TEST(RedisUrl, HostAndPort) {
  auto url = RedisUrl::parse("redis://127.0.0.1:6380");
  ASSERT_TRUE(url) << url.error();
  EXPECT_EQ(url->endpoint, (network::HostPort{"127.0.0.1", 6380}));
  EXPECT_EQ(url->database, 0);
  EXPECT_TRUE(url->password.empty());
  EXPECT_EQ(url->to_string(), "redis://127.0.0.1:6380");
}

TEST(RedisUrl, DefaultPortIs6379) {
  EXPECT_EQ(RedisUrl::parse("redis://cache.internal")->endpoint,
            (network::HostPort{"cache.internal", 6379}));
  EXPECT_EQ(RedisUrl::parse("redis://[::1]")->endpoint, (network::HostPort{"::1", 6379}));
}

TEST(RedisUrl, Ipv6InBrackets) {
  auto url = RedisUrl::parse("redis://[::1]:6379");
  ASSERT_TRUE(url) << url.error();
  EXPECT_EQ(url->endpoint, (network::HostPort{"::1", 6379}));
  EXPECT_EQ(url->to_string(), "redis://[::1]:6379");
}

TEST(RedisUrl, Database) {
  EXPECT_EQ(RedisUrl::parse("redis://h:1/3")->database, 3);
  EXPECT_EQ(RedisUrl::parse("redis://h:1/")->database, 0);
  EXPECT_EQ(RedisUrl::parse("redis://h/15")->to_string(), "redis://h:6379/15");
}

TEST(RedisUrl, PasswordAndUser) {
  auto url = RedisUrl::parse("redis://:s3cret@h:1");
  ASSERT_TRUE(url) << url.error();
  EXPECT_EQ(url->password, "s3cret");
  EXPECT_TRUE(url->username.empty());
  EXPECT_EQ(url->to_string(), "redis://h:1") << "logs never show the password";

  auto with_user = RedisUrl::parse("redis://chat:p%40ss%3Aw@h:1/2");
  ASSERT_TRUE(with_user) << with_user.error();
  EXPECT_EQ(with_user->username, "chat");
  EXPECT_EQ(with_user->password, "p@ss:w");
  EXPECT_EQ(with_user->database, 2);

  // An unescaped '@' in the password: the last '@' ends the credentials.
  EXPECT_EQ(RedisUrl::parse("redis://:a@b@h:1")->password, "a@b");
}

TEST(RedisUrl, RefusesWithAReason) {
  struct Case {
    const char* text;
    const char* says;
  };
  for (const auto& [text, says] : std::initializer_list<Case>{
           {"127.0.0.1:6379", "does not start with redis://"},
           {"http://h:1", "does not start with redis://"},
           {"rediss://h:1", "TLS"},
           {"redis://", "no host"},
           {"redis://h:0", "1..65535"},
           {"redis://h:port", "not a number"},
           {"redis://::1:6379", "needs brackets"},
           {"redis://h:1/x", "database 'x'"},
           {"redis://h:1/-1", "database '-1'"},
           {"redis://h:1/99999999999", "not a number"},
           {"redis://h:1?db=2", "not supported"},
           {"redis://pw@h:1", "user:password or :password"},
           {"redis://:@h:1", "password"},
           {"redis://:bad%zz@h:1", "%25"},
           {"redis://:bad%4@h:1", "%25"},
       }) {
    auto parsed = RedisUrl::parse(text);
    ASSERT_FALSE(parsed) << text;
    EXPECT_NE(parsed.error().find(says), std::string::npos) << text << ": " << parsed.error();
    EXPECT_NE(parsed.error().find("redis://"), std::string::npos)
        << "every refusal shows the form to write: " << parsed.error();
  }
}

TEST(RedisUrl, RefusalsNeverShowThePassword) {
  for (const char* text : {"redis://:topsecret@h:0", "redis://u:topsecret@h:1/x",
                           "redis://:topsecret@h:1?x", "redis://:topsecret@::1:1"}) {
    auto parsed = RedisUrl::parse(text);
    ASSERT_FALSE(parsed) << text;
    EXPECT_EQ(parsed.error().find("topsecret"), std::string::npos) << parsed.error();
  }
}

}  // namespace
}  // namespace chat::redis
