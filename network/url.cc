#include "network/url.h"

#include <array>
#include <utility>

namespace network {

namespace {

constexpr std::array<std::pair<std::string_view, Scheme>, 4> kSchemes{{
    {"http", Scheme::http},
    {"https", Scheme::https},
    {"ws", Scheme::ws},
    {"wss", Scheme::wss},
}};

std::string quoted(std::string_view text) { return "'" + std::string(text) + "'"; }

bool equals_ignoring_case(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char lower = a[i] >= 'A' && a[i] <= 'Z' ? static_cast<char>(a[i] - 'A' + 'a') : a[i];
    if (lower != b[i]) return false;
  }
  return true;
}

// Spaces and control characters are never part of a URL; a request line with
// them would be malformed (or worse, split).
bool has_unsafe_char(std::string_view text) {
  for (char c : text) {
    auto byte = static_cast<unsigned char>(c);
    if (byte <= 0x20 || byte == 0x7f) return true;
  }
  return false;
}

}  // namespace

std::string_view scheme_name(Scheme scheme) {
  for (const auto& [name, value] : kSchemes) {
    if (value == scheme) return name;
  }
  return "http";
}

std::uint16_t default_port(Scheme scheme) {
  return scheme == Scheme::https || scheme == Scheme::wss ? 443 : 80;
}

std::string Url::authority() const {
  if (endpoint.port == default_port(scheme)) return endpoint.host_for_url();
  return endpoint.to_string();
}

std::string Url::origin() const { return std::string(scheme_name(scheme)) + "://" + authority(); }

std::string Url::to_string() const { return origin() + target; }

Result<Url> Url::parse(std::string_view text) {
  using R = Result<Url>;
  auto separator = text.find("://");
  if (separator == std::string_view::npos) {
    return R::failure("a URL starts with http://, https://, ws:// or wss:// (got " + quoted(text) +
                      ")");
  }
  Url url;
  auto scheme_text = text.substr(0, separator);
  bool known = false;
  for (const auto& [name, value] : kSchemes) {
    if (equals_ignoring_case(scheme_text, name)) {
      url.scheme = value;
      known = true;
    }
  }
  if (!known) {
    return R::failure("the scheme " + quoted(scheme_text) +
                      " is not one of http, https, ws, wss (in " + quoted(text) + ")");
  }
  if (has_unsafe_char(text)) {
    return R::failure("a space or control character in the URL " + quoted(text));
  }
  if (text.find('#') != std::string_view::npos) {
    return R::failure("a fragment ('#...') has no meaning to a server (in " + quoted(text) + ")");
  }
  auto rest = text.substr(separator + 3);
  auto authority_end = rest.find_first_of("/?");
  auto authority = rest.substr(0, authority_end);
  if (authority.find('@') != std::string_view::npos) {
    return R::failure("credentials in a URL ('user@host') are refused (in " + quoted(text) +
                      "): send them in a header");
  }
  auto endpoint = parse_host_port(authority, default_port(url.scheme));
  if (!endpoint) return R::failure(endpoint.error() + " (in the URL " + quoted(text) + ")");
  url.endpoint = std::move(endpoint).value();
  if (authority_end != std::string_view::npos) {
    auto target = rest.substr(authority_end);
    // "http://h?x" asks for "/?x": the path is never empty.
    url.target = target.front() == '?' ? "/" + std::string(target) : std::string(target);
  }
  return url;
}

}  // namespace network
