#include "network/url.h"

#include <gtest/gtest.h>

namespace network {
namespace {

Url parsed(std::string_view text) {
  auto url = Url::parse(text);
  EXPECT_TRUE(url) << text << ": " << url.error();
  return url ? url.value() : Url{};
}

std::string refusal(std::string_view text) {
  auto url = Url::parse(text);
  EXPECT_FALSE(url) << text << " was accepted";
  return url ? std::string() : url.error();
}

TEST(Url, SchemesAndTheirDefaultPorts) {
  auto http = parsed("http://example.com");
  EXPECT_EQ(http.scheme, Scheme::http);
  EXPECT_FALSE(http.tls());
  EXPECT_EQ(http.endpoint, (HostPort{"example.com", 80}));
  EXPECT_EQ(http.target, "/");

  auto https = parsed("https://example.com/");
  EXPECT_TRUE(https.tls());
  EXPECT_EQ(https.endpoint.port, 443);

  EXPECT_EQ(parsed("ws://h").endpoint.port, 80);
  EXPECT_FALSE(parsed("ws://h").tls());
  EXPECT_EQ(parsed("wss://h").endpoint.port, 443);
  EXPECT_TRUE(parsed("wss://h").tls());
  EXPECT_EQ(parsed("HTTPS://h").scheme, Scheme::https);
}

TEST(Url, PortPathAndQuery) {
  auto url = parsed("http://127.0.0.1:8000/status?verbose=1");
  EXPECT_EQ(url.endpoint, (HostPort{"127.0.0.1", 8000}));
  EXPECT_EQ(url.target, "/status?verbose=1");
  EXPECT_EQ(parsed("http://h:1?x=1").target, "/?x=1");
  EXPECT_EQ(parsed("wss://h/?token=abc").target, "/?token=abc");
}

TEST(Url, Ipv6WithAndWithoutPort) {
  auto with_port = parsed("http://[::1]:8080/api");
  EXPECT_EQ(with_port.endpoint, (HostPort{"::1", 8080}));
  EXPECT_EQ(with_port.target, "/api");
  EXPECT_EQ(with_port.authority(), "[::1]:8080");

  auto without_port = parsed("https://[2001:db8::1]/");
  EXPECT_EQ(without_port.endpoint, (HostPort{"2001:db8::1", 443}));
  EXPECT_EQ(without_port.authority(), "[2001:db8::1]");
}

TEST(Url, AuthorityOmitsOnlyTheDefaultPort) {
  EXPECT_EQ(parsed("http://h:80/x").authority(), "h");
  EXPECT_EQ(parsed("https://h:80/x").authority(), "h:80");
  EXPECT_EQ(parsed("https://h:443").origin(), "https://h");
  EXPECT_EQ(parsed("http://h:8080/a?b").to_string(), "http://h:8080/a?b");
}

TEST(Url, RefusesWithAReason) {
  EXPECT_NE(refusal("example.com:80").find("starts with http://"), std::string::npos);
  EXPECT_NE(refusal("ftp://h/").find("'ftp'"), std::string::npos);
  EXPECT_NE(refusal("http://").find("no host"), std::string::npos);
  EXPECT_NE(refusal("http:///path").find("no host"), std::string::npos);
  EXPECT_NE(refusal("http://:8080/").find("no host"), std::string::npos);
  EXPECT_NE(refusal("http://h:0/").find("1..65535"), std::string::npos);
  EXPECT_NE(refusal("http://h:65536/").find("1..65535"), std::string::npos);
  EXPECT_NE(refusal("http://h:8o8o/").find("not a number"), std::string::npos);
  EXPECT_NE(refusal("http://::1:8080/").find("brackets"), std::string::npos);
  EXPECT_NE(refusal("http://user:pw@h/").find("credentials"), std::string::npos);
  EXPECT_NE(refusal("http://h/page#top").find("fragment"), std::string::npos);
  EXPECT_NE(refusal("http://h/a b").find("space"), std::string::npos);
  EXPECT_NE(refusal("http://h/a\r\nX: y").find("control"), std::string::npos);
}

TEST(Url, ErrorsQuoteTheUrl) {
  EXPECT_NE(refusal("http://h:99999/x").find("'http://h:99999/x'"), std::string::npos);
}

}  // namespace
}  // namespace network
