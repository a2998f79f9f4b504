#include "network/host_port.h"

#include <gtest/gtest.h>

namespace network {
namespace {

TEST(ParsePort, AcceptsTheWholeRange) {
  EXPECT_EQ(*parse_port("1"), 1);
  EXPECT_EQ(*parse_port("8080"), 8080);
  EXPECT_EQ(*parse_port("65535"), 65535);
}

TEST(ParsePort, RefusesZeroOverflowAndLetters) {
  for (const char* bad : {"0", "65536", "99999999999999999999", "", "80a", "-1", "+80", " 80"}) {
    auto port = parse_port(bad);
    EXPECT_FALSE(port) << bad;
    EXPECT_NE(port.error().find(std::string("'") + bad + "'"), std::string::npos)
        << "the error shows what was given: " << port.error();
  }
  EXPECT_NE(parse_port("65536").error().find("1..65535"), std::string::npos);
  EXPECT_NE(parse_port("http").error().find("not a number"), std::string::npos);
}

TEST(ParseHostPort, NameAndIpv4) {
  EXPECT_EQ(*parse_host_port("example.com:443"), (HostPort{"example.com", 443}));
  EXPECT_EQ(*parse_host_port("127.0.0.1:8000"), (HostPort{"127.0.0.1", 8000}));
  EXPECT_EQ(*parse_host_port("session-1_a:9"), (HostPort{"session-1_a", 9}));
}

TEST(ParseHostPort, Ipv6InBrackets) {
  EXPECT_EQ(*parse_host_port("[::1]:8080"), (HostPort{"::1", 8080}));
  EXPECT_EQ(*parse_host_port("[2001:db8::7]:1"), (HostPort{"2001:db8::7", 1}));
  EXPECT_EQ(*parse_host_port("[::ffff:127.0.0.1]:80"), (HostPort{"::ffff:127.0.0.1", 80}));
}

TEST(ParseHostPort, DefaultPortOnlyWhenGiven) {
  EXPECT_EQ(*parse_host_port("example.com", 80), (HostPort{"example.com", 80}));
  EXPECT_EQ(*parse_host_port("[::1]", 443), (HostPort{"::1", 443}));
  EXPECT_EQ(*parse_host_port("example.com:81", 80), (HostPort{"example.com", 81}));
  auto missing = parse_host_port("example.com");
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().find("no port"), std::string::npos) << missing.error();
}

TEST(ParseHostPort, RefusesWithAReason) {
  struct Case {
    const char* text;
    const char* says;
  };
  for (const auto& [text, says] : std::initializer_list<Case>{
           {"::1:8080", "needs brackets"},
           {"[::1", "unclosed"},
           {"[::1]8080", "after ']'"},
           {"[]:80", "empty brackets"},
           {"[example.com]:80", "IPv6"},
           {":80", "no host"},
           {"", "no host"},
           {"a b:80", "character"},
           {"user@host:80", "character"},
           {"host:", "not a number"},
           {"host:0", "1..65535"},
           {"host:65536", "1..65535"},
           {"host:http", "not a number"},
       }) {
    auto parsed = parse_host_port(text);
    ASSERT_FALSE(parsed) << text;
    EXPECT_NE(parsed.error().find(says), std::string::npos) << text << ": " << parsed.error();
  }
}

TEST(HostPort, FormatsWhatItParses) {
  for (const char* text : {"example.com:443", "127.0.0.1:8000", "[::1]:8080", "[2001:db8::7]:1"}) {
    EXPECT_EQ(parse_host_port(text)->to_string(), text);
  }
  EXPECT_EQ((HostPort{"::1", 80}).host_for_url(), "[::1]");
  EXPECT_EQ((HostPort{"example.com", 80}).host_for_url(), "example.com");
}

}  // namespace
}  // namespace network
