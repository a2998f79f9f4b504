// POST /rooms/:roomId/reserve on the operators' listener (docs/PROTOCOL.md):
// a backend holds a slot for a room it is about to hand out, so that
// backends placing at the same moment can never put more rooms on this
// server than its limit. The registry decides under its lock.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "server/common/http_server.h"
#include "server/session/session_hub.h"

namespace chat {

// The room id of "/rooms/<id>/reserve", percent-decoded; nullopt for any
// other path.
std::optional<std::string> reserve_target(std::string_view path);

// 200 {"roomId","reserved":true} when the slot is held (or the room is
// here); 409 when the server is full or draining; 400 for a bad room id or
// body.
web::Response reserve_response(SessionHub& hub, const web::Request& request,
                               const std::string& room_id);

}  // namespace chat
