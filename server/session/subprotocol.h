// The WebSocket subprotocols of the session server (docs/PROTOCOL.md), and
// how a client's offer of them is read. Asio-free, so it is tested alone.
#pragma once

#include <string_view>

namespace chat {

// The subprotocol of small events; without it, the seed's snapshot frames.
inline constexpr std::string_view kEventSubprotocol = "scalable-chat.events.v1";

// Whether a Sec-WebSocket-Protocol header value (a comma-separated list of
// tokens, spaces around them allowed) offers `wanted`.
bool offers_subprotocol(std::string_view header_value, std::string_view wanted);

}  // namespace chat
