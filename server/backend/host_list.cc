#include "server/backend/host_list.h"

#include <stdexcept>

namespace chat {

std::vector<std::string> parse_host_list(std::string_view list) {
  std::vector<std::string> hosts;
  while (!list.empty()) {
    auto comma = list.find(',');
    std::string_view entry = list.substr(0, comma);
    while (!entry.empty() && entry.front() == ' ') entry.remove_prefix(1);
    while (!entry.empty() && entry.back() == ' ') entry.remove_suffix(1);
    auto colon = entry.rfind(':');
    if (entry.empty() || colon == std::string_view::npos || colon == 0 ||
        colon + 1 == entry.size() ||
        entry.substr(colon + 1).find_first_not_of("0123456789") != std::string_view::npos) {
      throw std::invalid_argument("'" + std::string(entry) +
                                  "' is not host:port (e.g. localhost:8000)");
    }
    hosts.emplace_back(entry);
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  if (hosts.empty()) throw std::invalid_argument("the list of session servers is empty");
  return hosts;
}

}  // namespace chat
