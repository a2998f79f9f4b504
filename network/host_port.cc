#include "network/host_port.h"

#include <charconv>

namespace network {

namespace {

std::string quoted(std::string_view text) { return "'" + std::string(text) + "'"; }

// The characters of a name or an IPv4 address (RFC 3986 reg-name, minus
// percent-encoding and sub-delims that no host of ours uses).
bool is_name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_';
}

bool is_ipv6_char(char c) {
  return (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') || (c >= '0' && c <= '9') || c == ':' ||
         c == '.';
}

Result<std::string> check_name(std::string_view name, std::string_view given) {
  if (name.empty()) return Result<std::string>::failure("no host in " + quoted(given));
  for (char c : name) {
    if (!is_name_char(c)) {
      return Result<std::string>::failure(
          "the host " + quoted(name) + " in " + quoted(given) +
          " has a character a host name cannot have: " + quoted(std::string_view(&c, 1)));
    }
  }
  return std::string(name);
}

Result<std::string> check_ipv6(std::string_view address, std::string_view given) {
  if (address.empty()) return Result<std::string>::failure("empty brackets in " + quoted(given));
  bool valid = address.find(':') != std::string_view::npos;
  for (char c : address) valid = valid && is_ipv6_char(c);
  if (!valid) {
    return Result<std::string>::failure("brackets hold an IPv6 address, not " + quoted(address) +
                                        " (in " + quoted(given) + ")");
  }
  return std::string(address);
}

}  // namespace

std::string HostPort::host_for_url() const { return is_ipv6() ? "[" + host + "]" : host; }

std::string HostPort::to_string() const { return host_for_url() + ":" + std::to_string(port); }

Result<std::uint16_t> parse_port(std::string_view text) {
  if (text.empty() || text.find_first_not_of("0123456789") != std::string_view::npos) {
    return Result<std::uint16_t>::failure("the port " + quoted(text) + " is not a number");
  }
  unsigned value = 0;
  auto parsed = std::from_chars(text.data(), text.data() + text.size(), value);
  if (parsed.ec != std::errc{} || value < 1 || value > 65535) {
    return Result<std::uint16_t>::failure("the port " + quoted(text) + " is outside 1..65535");
  }
  return static_cast<std::uint16_t>(value);
}

Result<HostPort> parse_host_port(std::string_view text, std::optional<std::uint16_t> default_port) {
  using R = Result<HostPort>;
  std::string_view host_part;
  std::optional<std::string_view> port_part;
  bool bracketed = !text.empty() && text.front() == '[';
  if (bracketed) {
    auto close = text.find(']');
    if (close == std::string_view::npos) return R::failure("an unclosed '[' in " + quoted(text));
    host_part = text.substr(1, close - 1);
    auto rest = text.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') {
        return R::failure("after ']' comes ':' and a port, not " + quoted(rest) + " (in " +
                          quoted(text) + ")");
      }
      port_part = rest.substr(1);
    }
  } else {
    auto colon = text.find(':');
    if (colon != std::string_view::npos && text.find(':', colon + 1) != std::string_view::npos) {
      return R::failure("an IPv6 address needs brackets, as in '[::1]:8080' (got " + quoted(text) +
                        ")");
    }
    host_part = text.substr(0, colon);
    if (colon != std::string_view::npos) port_part = text.substr(colon + 1);
  }
  auto host = bracketed ? check_ipv6(host_part, text) : check_name(host_part, text);
  if (!host) return R::failure(host.error());
  HostPort result;
  result.host = std::move(host).value();
  if (port_part) {
    auto port = parse_port(*port_part);
    if (!port) return R::failure(port.error() + " (in " + quoted(text) + ")");
    result.port = *port;
  } else if (default_port) {
    result.port = *default_port;
  } else {
    return R::failure("no port in " + quoted(text) + ": write host:port");
  }
  return result;
}

}  // namespace network
