// The seed's SESSION_SERVER_HOST: "localhost:8000" or "h1:p1,h2:p2".
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace chat {

// "a:1, b:2" -> {"a:1", "b:2"}; throws std::invalid_argument saying which entry is bad.
std::vector<std::string> parse_host_list(std::string_view list);

}  // namespace chat
