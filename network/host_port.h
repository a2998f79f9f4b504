// "host:port" as people and peers write it: names, IPv4 addresses, and IPv6
// addresses in brackets ("[::1]:8080"). Asio-free, so anything may use it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "network/result.h"

namespace network {

struct HostPort {
  std::string host;  // a name or an address, without brackets
  std::uint16_t port = 0;

  bool is_ipv6() const { return host.find(':') != std::string::npos; }
  // "host:port", "[v6]:port".
  std::string to_string() const;
  // The host as written in a URL or a Host header: brackets around IPv6.
  std::string host_for_url() const;
  bool operator==(const HostPort&) const = default;
};

// "1".."65535", digits only.
Result<std::uint16_t> parse_port(std::string_view text);

// "host:port", "[v6]:port"; a bare "host" or "[v6]" takes `default_port`, and is
// refused when there is none. An IPv6 address without brackets is refused:
// "::1:8080" cannot say where the address ends.
Result<HostPort> parse_host_port(std::string_view text,
                                 std::optional<std::uint16_t> default_port = std::nullopt);

}  // namespace network
