// The JSON frames of the wire protocol (docs/PROTOCOL.md), built as strings.
// Messages are serialised once when posted and reused in every snapshot.
#pragma once

#include <chrono>
#include <deque>
#include <string>
#include <string_view>
#include <vector>

#include "server/room/limits.h"

namespace chat::frames {

// "2024-01-01T12:00:00.000Z", as JavaScript's Date.toISOString().
std::string iso_timestamp(std::chrono::system_clock::time_point time);

// {"userId":..,"msg":..,"ts":..}: one entry of the snapshot's messages.
std::string message_json(std::string_view user_id, std::string_view text, std::string_view ts);

// Seed snapshot: {"messages":[...],"connectedUsers":[...]}.
std::string seed_snapshot(const std::deque<std::string>& messages_json,
                          const std::vector<std::string>& users);

// Event subprotocol frames.
std::string event_snapshot(std::string_view room_id, const std::deque<std::string>& messages_json,
                           const std::vector<std::string>& users, const RoomLimits& limits);
// `client_id`, when not empty, is added as "id": the v2 acknowledgement.
std::string event_message(const std::string& message_json, std::string_view client_id = {});
std::string event_ack(std::string_view client_id);
std::string event_presence(std::string_view type, std::string_view user_id, std::string_view ts);
// `client_id`, when not empty, names the refused v2 message.
std::string event_error(std::string_view code, std::string_view message,
                        std::string_view client_id = {});

}  // namespace chat::frames
