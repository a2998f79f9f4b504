// Who a request comes from, for admission control: the peer's address, or,
// when the peer is one of our own proxies, the address it says it saw
// (X-Forwarded-For). Also address sets given as CIDR lists (trusted proxies,
// addresses exempt from limits). Asio-free: plain inet_pton.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace chat {

// An IPv4 or IPv6 address; IPv4 is held as IPv4-mapped IPv6 (::ffff:a.b.c.d),
// so one CIDR test covers both.
struct IpAddress {
  std::array<std::uint8_t, 16> bytes{};
  bool is_v4() const;
  std::string to_string() const;
  friend bool operator==(const IpAddress&, const IpAddress&) = default;
};

// "192.0.2.1", "2001:db8::1", "::ffff:192.0.2.1"; nullopt for anything else.
std::optional<IpAddress> parse_ip(std::string_view text);

struct Cidr {
  IpAddress base;
  int prefix_bits = 128;  // of the 128-bit form (an IPv4 /8 is 104 here)
  bool contains(const IpAddress& address) const;
};

class AddressSet {
 public:
  // A comma-separated list of addresses and CIDR blocks ("10.0.0.0/8,
  // ::1, 192.0.2.7"); empty text: the empty set. The error names the entry.
  static std::variant<AddressSet, std::string> parse(std::string_view list);
  bool contains(const IpAddress& address) const;
  bool empty() const { return blocks_.empty(); }

 private:
  std::vector<Cidr> blocks_;
};

// Whom to count a request against. `peer` is the connection's address,
// `forwarded_for` every X-Forwarded-For value in order, joined by commas.
// X-Forwarded-For is believed only from a trusted peer, and only as far as
// trusted proxies appended it: the answer is the right-most address in it
// that is not a trusted proxy (entries left of that were written by the
// client and prove nothing). An unreadable entry stops the walk at the last
// trusted hop. nullopt when `peer` itself is not an address.
std::optional<IpAddress> client_address(std::string_view peer, std::string_view forwarded_for,
                                        const AddressSet& trusted_proxies);

// The key an address is rate-limited under: an IPv4 address itself, an IPv6
// address's /64 (one subscriber's usual allocation, in which an attacker
// could otherwise pick a fresh address for every request).
std::string rate_key(const IpAddress& address);

}  // namespace chat
