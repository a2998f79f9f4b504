// http://, https://, ws:// and wss:// URLs: where to connect and what to ask
// for. Asio-free. Userinfo ("user@") and fragments ("#x") are refused: no peer
// of ours uses them, and a fragment is never sent to a server.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "network/host_port.h"
#include "network/result.h"

namespace network {

enum class Scheme { http, https, ws, wss };

std::string_view scheme_name(Scheme scheme);  // "http", ...
std::uint16_t default_port(Scheme scheme);    // 80 or 443

struct Url {
  Scheme scheme = Scheme::http;
  HostPort endpoint;         // the port is the scheme's default when the URL has none
  std::string target = "/";  // path and query, "/" at least

  bool tls() const { return scheme == Scheme::https || scheme == Scheme::wss; }
  // What a Host header carries: "host", or "host:port" when the port is not the default.
  std::string authority() const;
  // "scheme://authority": requests to the same origin may share connections.
  std::string origin() const;
  std::string to_string() const;  // origin() + target

  static Result<Url> parse(std::string_view text);
};

}  // namespace network
