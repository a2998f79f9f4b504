// The WebSocket subprotocols of the session server (docs/PROTOCOL.md), and
// how a client's offer of them is read. Asio-free, so it is tested alone.
#pragma once

#include <string_view>

namespace chat {

// The subprotocol of small events; without it, the seed's snapshot frames.
inline constexpr std::string_view kEventSubprotocol = "scalable-chat.events.v1";
// Events with message ids, acknowledgements and resends.
inline constexpr std::string_view kEventSubprotocolV2 = "scalable-chat.events.v2";

enum class WireMode { seed_snapshots, events_v1, events_v2 };

// The mode a client's Sec-WebSocket-Protocol offer gets: the newest offered.
WireMode choose_wire_mode(std::string_view header_value);
// The subprotocol the server echoes for a mode (empty for the seed's).
std::string_view subprotocol_of(WireMode mode);

// Whether a Sec-WebSocket-Protocol header value (a comma-separated list of
// tokens, spaces around them allowed) offers `wanted`.
bool offers_subprotocol(std::string_view header_value, std::string_view wanted);

}  // namespace chat
