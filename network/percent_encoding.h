// Percent-encoding (RFC 3986 section 2.1), once for every part of the tree
// that reads or writes it: request paths and queries, redis:// user info,
// the ids chatctl puts in a path.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace network {

// Every %XX replaced by its byte; '+' stays '+' (a space only in HTML forms).
// nullopt when a '%' is not followed by two hex digits.
std::optional<std::string> percent_decode(std::string_view text);

// Every byte but the unreserved ones (letters, digits, "-._~") as %XX.
std::string percent_encode(std::string_view text);

}  // namespace network
