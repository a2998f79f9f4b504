// What a client of the v2 event subprotocol sends: one JSON object a message,
// {"id":"<message id>","msg":"<text>"} (docs/PROTOCOL.md). Read here, apart
// from the room, so that its rules are tested (and fuzzed) on their own.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace chat {

struct ClientMessage {
  std::string id;    // the client's: unique for this user in this room
  std::string text;  // the chat message, checked by the room's rules
};

inline constexpr std::size_t kClientMessageIdMax = 64;

// True for 1 to 64 characters from A-Z a-z 0-9 - _ . : (ids are echoed in
// every member's frames, so nothing that needs escaping or could mislead).
bool valid_client_message_id(std::string_view id);

// nullopt for anything but an object with a valid "id" and a string "msg"
// (other fields are ignored, so clients may add some later).
std::optional<ClientMessage> parse_client_message(std::string_view frame);

}  // namespace chat
