#include "server/session/subprotocol.h"

namespace chat {

bool offers_subprotocol(std::string_view header_value, std::string_view wanted) {
  std::string_view rest = header_value;
  while (true) {
    auto comma = rest.find(',');
    std::string_view token = rest.substr(0, comma);
    while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
    while (!token.empty() && token.back() == ' ') token.remove_suffix(1);
    if (token == wanted) return true;
    if (comma == std::string_view::npos) return false;
    rest.remove_prefix(comma + 1);
  }
}

WireMode choose_wire_mode(std::string_view header_value) {
  if (offers_subprotocol(header_value, kEventSubprotocolV2)) return WireMode::events_v2;
  if (offers_subprotocol(header_value, kEventSubprotocol)) return WireMode::events_v1;
  return WireMode::seed_snapshots;
}

std::string_view subprotocol_of(WireMode mode) {
  switch (mode) {
    case WireMode::events_v2:
      return kEventSubprotocolV2;
    case WireMode::events_v1:
      return kEventSubprotocol;
    case WireMode::seed_snapshots:
      break;
  }
  return {};
}

}  // namespace chat
