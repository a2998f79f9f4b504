// --record-trace on the backend: placement as the API sees it, recording
// each room created (trace `create`, at the time it was asked for) on the
// way. A creation refused is not recorded: it has no room id yet, and the
// client's later attempt that succeeds is.
#pragma once

#include <memory>

#include "server/backend/placement.h"
#include "trace/recorder.h"

namespace chat {

class RecordingPlacement : public RoomPlacement {
 public:
  RecordingPlacement(RoomPlacement& placement, std::shared_ptr<trace::Recorder> recorder)
      : placement_(placement), recorder_(std::move(recorder)) {}

  void create_room(const std::string& creator, int unjoined_rooms_max,
                   std::function<void(CreateRoomResult)> done) override;
  void find_room(const std::string& room_id, std::function<void(FindRoomResult)> done) override {
    placement_.find_room(room_id, std::move(done));
  }
  void find_room_after_failure(const std::string& room_id, const std::string& unreachable_host,
                               std::function<void(FindRoomResult)> done) override {
    placement_.find_room_after_failure(room_id, unreachable_host, std::move(done));
  }
  void drain_server(const std::string& server_id, std::function<void(DrainResult)> done) override {
    placement_.drain_server(server_id, std::move(done));
  }
  void describe(std::function<void(boost::json::value)> done) override {
    placement_.describe(std::move(done));
  }

 private:
  RoomPlacement& placement_;
  std::shared_ptr<trace::Recorder> recorder_;
};

}  // namespace chat
