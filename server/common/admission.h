// Admission control's view of a caller: whom to count a request against and
// whether it is exempt, from the connection's address and X-Forwarded-For
// (believed from trusted proxies only). Asio-free.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "server/common/client_address.h"

namespace chat {

struct AdmissionOptions {
  // Proxies in front of us (--trusted-proxies): their X-Forwarded-For is
  // believed. Empty: the header is ignored, each connection is its own client.
  AddressSet trusted_proxies;
  // Clients no limit applies to (--admission-exempt), e.g. a load generator.
  AddressSet exempt;
  // Most keys each rate limit's table holds (see RateLimiter).
  std::size_t keys_max = 100000;
};

struct Caller {
  std::string key;      // what per-address limits count under (rate_key of the address)
  std::string address;  // for logs and errors
  bool exempt = false;
};

// `peer` is the connection's address; `forwarded_for` every X-Forwarded-For
// value of the request, in order, joined by commas. A peer that is not an
// address (a request built in a test) is counted under "unknown".
Caller identify_caller(std::string_view peer, std::string_view forwarded_for,
                       const AdmissionOptions& options);

}  // namespace chat
