// The seed's SESSION_SERVER_HOST: "localhost:8000" or "h1:p1,h2:p2". The one
// parser of host lists, used by the static fleet.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "network/result.h"

namespace sched {

// "a:1, b:2" -> {"a:1", "b:2"}, each entry parsed by network::parse_host_port
// ("[::1]:8000" too). Spaces around entries are ignored; an empty entry, an
// entry without a port, a duplicate and an empty list are refused, saying
// which entry and why (a duplicate would count one server twice).
network::Result<std::vector<std::string>> parse_host_list(std::string_view list);

}  // namespace sched
