// Where the history store is: "redis://[user:password@]host[:port][/db]", as
// the session server's --redis flag takes it. Asio-free; errors as values.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "network/host_port.h"
#include "network/result.h"

namespace chat::redis {

struct RedisUrl {
  static constexpr std::uint16_t default_port = 6379;

  network::HostPort endpoint;  // port 6379 when the URL has none
  std::string username;        // empty: AUTH with the password alone (Redis before 6)
  std::string password;        // empty: no AUTH
  int database = 0;            // SELECTed after connecting when not 0

  // "redis://host:port" or "redis://host:port/db": never the credentials, so
  // it is safe for logs and errors.
  std::string to_string() const;
  bool operator==(const RedisUrl&) const = default;

  // Percent-escapes in the user and password are decoded ("%40" for '@').
  // A refusal says what to write instead and never repeats the password.
  static network::Result<RedisUrl> parse(std::string_view text);
};

}  // namespace chat::redis
