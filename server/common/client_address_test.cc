#include "server/common/client_address.h"

#include <gtest/gtest.h>

#include "server/common/admission.h"

namespace chat {
namespace {

AddressSet set_of(std::string_view list) {
  auto parsed = AddressSet::parse(list);
  EXPECT_TRUE(std::holds_alternative<AddressSet>(parsed)) << std::get<std::string>(parsed);
  return std::get<AddressSet>(parsed);
}

IpAddress ip(std::string_view text) {
  auto address = parse_ip(text);
  EXPECT_TRUE(address) << text;
  return address.value_or(IpAddress{});
}

std::string client(std::string_view peer, std::string_view forwarded_for,
                   const AddressSet& trusted) {
  auto address = client_address(peer, forwarded_for, trusted);
  return address ? address->to_string() : "none";
}

TEST(ParseIp, ReadsBothFamiliesAndMapsIpv4) {
  EXPECT_EQ(ip("192.0.2.1").to_string(), "192.0.2.1");
  EXPECT_TRUE(ip("192.0.2.1").is_v4());
  EXPECT_EQ(ip("::ffff:192.0.2.1"), ip("192.0.2.1"));
  EXPECT_EQ(ip("2001:DB8::1").to_string(), "2001:db8::1");
  EXPECT_FALSE(ip("2001:db8::1").is_v4());
  for (auto bad : {"", "1.2.3", "1.2.3.4.5", "256.0.0.1", "example.com", "1.2.3.4:80", "[::1]"}) {
    EXPECT_FALSE(parse_ip(bad)) << bad;
  }
}

TEST(AddressSet, MatchesCidrBlocksOfBothFamilies) {
  auto set = set_of("10.0.0.0/8, 192.0.2.7,2001:db8::/32 ,127.0.0.0/31");
  EXPECT_TRUE(set.contains(ip("10.255.1.2")));
  EXPECT_FALSE(set.contains(ip("11.0.0.1")));
  EXPECT_TRUE(set.contains(ip("192.0.2.7")));
  EXPECT_FALSE(set.contains(ip("192.0.2.8")));
  EXPECT_TRUE(set.contains(ip("2001:db8:ffff::1")));
  EXPECT_FALSE(set.contains(ip("2001:db9::1")));
  EXPECT_TRUE(set.contains(ip("127.0.0.1")));
  EXPECT_FALSE(set.contains(ip("127.0.0.2")));
  EXPECT_TRUE(set_of("0.0.0.0/0").contains(ip("203.0.113.9")));
  EXPECT_FALSE(set_of("0.0.0.0/0").contains(ip("2001:db8::1")));
  EXPECT_TRUE(set_of("").empty());
}

TEST(AddressSet, RefusesWhatIsNotABlockAndSaysWhich) {
  for (auto bad : {"10.0.0.0/33", "::/129", "10.0.0.0/", "10.0.0.0/x", "ten", "10.0.0.0/8/8"}) {
    auto parsed = AddressSet::parse(std::string("192.0.2.1,") + bad);
    ASSERT_TRUE(std::holds_alternative<std::string>(parsed)) << bad;
    EXPECT_NE(std::get<std::string>(parsed).find(bad), std::string::npos);
  }
}

TEST(ClientAddress, IgnoresForwardedForFromAnUntrustedPeer) {
  auto trusted = set_of("10.0.0.1");
  EXPECT_EQ(client("203.0.113.5", "198.51.100.1", trusted), "203.0.113.5");
  EXPECT_EQ(client("203.0.113.5", "198.51.100.1", AddressSet{}), "203.0.113.5");
}

TEST(ClientAddress, TakesTheRightMostAddressNotATrustedProxy) {
  auto trusted = set_of("10.0.0.0/24");
  // The client claims 1.1.1.1; our proxies saw 198.51.100.1, then 10.0.0.2.
  EXPECT_EQ(client("10.0.0.1", "1.1.1.1, 198.51.100.1, 10.0.0.2", trusted), "198.51.100.1");
  EXPECT_EQ(client("10.0.0.1", "198.51.100.1", trusted), "198.51.100.1");
  // Every hop trusted: the left-most one is the client.
  EXPECT_EQ(client("10.0.0.1", "10.0.0.3, 10.0.0.2", trusted), "10.0.0.3");
  // No header: the proxy itself.
  EXPECT_EQ(client("10.0.0.1", "", trusted), "10.0.0.1");
  // Garbage where a proxy would have written an address: stop at the last trusted hop.
  EXPECT_EQ(client("10.0.0.1", "198.51.100.1, unknown", trusted), "10.0.0.1");
  EXPECT_EQ(client("10.0.0.1", " 2001:db8::7 ", trusted), "2001:db8::7");
  EXPECT_EQ(client("not an address", "198.51.100.1", trusted), "none");
}

TEST(RateKey, IsTheIpv4AddressOrTheIpv6Slash64) {
  EXPECT_EQ(rate_key(ip("192.0.2.1")), "192.0.2.1");
  EXPECT_EQ(rate_key(ip("2001:db8:1:2:aaaa::1")), "2001:db8:1:2::/64");
  EXPECT_EQ(rate_key(ip("2001:db8:1:2:bbbb::9")), rate_key(ip("2001:db8:1:2::")));
}

TEST(IdentifyCaller, ExemptsByTheClientAddressNotTheProxy) {
  AdmissionOptions options{set_of("10.0.0.1"), set_of("192.0.2.0/24"), 10};
  EXPECT_TRUE(identify_caller("192.0.2.9", "", options).exempt);
  EXPECT_FALSE(identify_caller("10.0.0.1", "203.0.113.4", options).exempt);
  EXPECT_TRUE(identify_caller("10.0.0.1", "192.0.2.3", options).exempt);
  EXPECT_EQ(identify_caller("10.0.0.1", "203.0.113.4", options).key, "203.0.113.4");
  EXPECT_EQ(identify_caller("", "", options).key, "unknown");
}

}  // namespace
}  // namespace chat
