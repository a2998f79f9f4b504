#include "server/backend/recording_placement.h"

namespace chat {

void RecordingPlacement::create_room(const std::string& creator, int unjoined_rooms_max,
                                     std::function<void(CreateRoomResult)> done) {
  // The time asked, not answered: a creation that waited for a server to
  // start is replayed as the user asked for it, and waits again.
  const std::int64_t asked_ms = trace::Recorder::now_ms();
  placement_.create_room(
      creator, unjoined_rooms_max,
      [this, creator, asked_ms, done = std::move(done)](CreateRoomResult result) {
        if (const auto* created = std::get_if<RoomCreated>(&result)) {
          recorder_->record_at(asked_ms, trace::EventKind::create, created->room_id, creator);
        }
        done(std::move(result));
      });
}

}  // namespace chat
