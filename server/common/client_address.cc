#include "server/common/client_address.h"

#include <arpa/inet.h>

#include <charconv>
#include <cstring>

namespace chat {
namespace {

constexpr std::array<std::uint8_t, 12> kV4MappedPrefix = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

std::optional<Cidr> parse_cidr(std::string_view text) {
  auto slash = text.find('/');
  auto address = parse_ip(text.substr(0, slash));
  if (!address) return std::nullopt;
  Cidr cidr{*address, 128};
  if (slash == std::string_view::npos) return cidr;
  std::string_view bits_text = text.substr(slash + 1);
  int bits = -1;
  auto [end, ec] = std::from_chars(bits_text.data(), bits_text.data() + bits_text.size(), bits);
  int bits_max = address->is_v4() ? 32 : 128;
  if (ec != std::errc{} || end != bits_text.data() + bits_text.size() || bits < 0 ||
      bits > bits_max) {
    return std::nullopt;
  }
  cidr.prefix_bits = address->is_v4() ? 96 + bits : bits;
  return cidr;
}

}  // namespace

bool IpAddress::is_v4() const {
  return std::equal(kV4MappedPrefix.begin(), kV4MappedPrefix.end(), bytes.begin());
}

std::string IpAddress::to_string() const {
  char text[INET6_ADDRSTRLEN] = {};
  if (is_v4()) {
    inet_ntop(AF_INET, bytes.data() + 12, text, sizeof text);
  } else {
    inet_ntop(AF_INET6, bytes.data(), text, sizeof text);
  }
  return text;
}

std::optional<IpAddress> parse_ip(std::string_view text) {
  // inet_pton wants a terminated string; addresses are short.
  if (text.empty() || text.size() >= INET6_ADDRSTRLEN) return std::nullopt;
  char terminated[INET6_ADDRSTRLEN] = {};
  std::memcpy(terminated, text.data(), text.size());
  IpAddress address;
  if (inet_pton(AF_INET, terminated, address.bytes.data() + 12) == 1) {
    std::copy(kV4MappedPrefix.begin(), kV4MappedPrefix.end(), address.bytes.begin());
    return address;
  }
  if (inet_pton(AF_INET6, terminated, address.bytes.data()) == 1) return address;
  return std::nullopt;
}

bool Cidr::contains(const IpAddress& address) const {
  int whole_bytes = prefix_bits / 8;
  if (!std::equal(base.bytes.begin(), base.bytes.begin() + whole_bytes, address.bytes.begin())) {
    return false;
  }
  int rest = prefix_bits % 8;
  if (rest == 0) return true;
  auto mask = static_cast<std::uint8_t>(0xff << (8 - rest));
  return (base.bytes[whole_bytes] & mask) == (address.bytes[whole_bytes] & mask);
}

std::variant<AddressSet, std::string> AddressSet::parse(std::string_view list) {
  AddressSet set;
  while (!list.empty()) {
    auto comma = list.find(',');
    std::string_view entry = trim(list.substr(0, comma));
    list = comma == std::string_view::npos ? std::string_view{} : list.substr(comma + 1);
    if (entry.empty()) continue;
    auto cidr = parse_cidr(entry);
    if (!cidr) {
      return "'" + std::string(entry) +
             "' is not an address or CIDR block (e.g. 10.0.0.0/8, 192.0.2.7, 2001:db8::/32)";
    }
    set.blocks_.push_back(*cidr);
  }
  return set;
}

bool AddressSet::contains(const IpAddress& address) const {
  for (const Cidr& block : blocks_) {
    if (block.contains(address)) return true;
  }
  return false;
}

std::optional<IpAddress> client_address(std::string_view peer, std::string_view forwarded_for,
                                        const AddressSet& trusted_proxies) {
  auto client = parse_ip(peer);
  if (!client) return std::nullopt;
  // Walk from the right: each trusted hop vouches for the entry before it.
  while (trusted_proxies.contains(*client) && !forwarded_for.empty()) {
    auto comma = forwarded_for.rfind(',');
    std::string_view entry =
        trim(comma == std::string_view::npos ? forwarded_for : forwarded_for.substr(comma + 1));
    forwarded_for =
        comma == std::string_view::npos ? std::string_view{} : forwarded_for.substr(0, comma);
    if (entry.empty()) continue;
    auto hop = parse_ip(entry);
    if (!hop) break;  // not written by a proxy of ours: believe nothing further left
    client = hop;
  }
  return client;
}

std::string rate_key(const IpAddress& address) {
  if (address.is_v4()) return address.to_string();
  IpAddress prefix = address;
  std::fill(prefix.bytes.begin() + 8, prefix.bytes.end(), 0);
  return prefix.to_string() + "/64";
}

}  // namespace chat
