#include "scheduler/fleets/host_list.h"

#include <algorithm>

#include "network/host_port.h"

namespace sched {
namespace {

std::string_view trim(std::string_view text) {
  auto first = text.find_first_not_of(" \t");
  if (first == std::string_view::npos) return {};
  return text.substr(first, text.find_last_not_of(" \t") - first + 1);
}

}  // namespace

network::Result<std::vector<std::string>> parse_host_list(std::string_view list) {
  using Hosts = network::Result<std::vector<std::string>>;
  std::vector<std::string> hosts;
  std::size_t position = 0;
  while (true) {
    auto comma = list.find(',', position);
    std::string_view entry = trim(list.substr(position, comma - position));
    if (entry.empty()) {
      if (hosts.empty() && comma == std::string_view::npos) break;  // an empty list
      return Hosts::failure("entry " + std::to_string(hosts.size() + 1) +
                            " is empty: write host:port entries separated by commas, "
                            "e.g. localhost:8000,localhost:8001");
    }
    auto parsed = network::parse_host_port(entry);
    if (!parsed) {
      return Hosts::failure("'" + std::string(entry) +
                            "' is not host:port (e.g. localhost:8000): " + parsed.error());
    }
    std::string host = parsed->to_string();
    if (std::find(hosts.begin(), hosts.end(), host) != hosts.end()) {
      return Hosts::failure("'" + host + "' is listed twice");
    }
    hosts.push_back(std::move(host));
    if (comma == std::string_view::npos) break;
    position = comma + 1;
  }
  if (hosts.empty()) return Hosts::failure("the list of session servers is empty");
  return hosts;
}

}  // namespace sched
