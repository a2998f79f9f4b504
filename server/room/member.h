// A room member as the room sees it: a user id and somewhere to send frames.
// The session server's WebSocket session implements it; tests use fakes.
#pragma once

#include <memory>
#include <string>

namespace chat {

// A serialised frame, built once and shared by every member it goes to.
using Frame = std::shared_ptr<const std::string>;

class Member {
 public:
  virtual ~Member() = default;
  virtual const std::string& user_id() const = 0;
  // True for the event subprotocol, false for the seed's snapshot frames.
  virtual bool wants_events() const = 0;
  // Called with the room's lock held, in room order, so every member sees
  // the same order. Must only enqueue: never block or call back into the room.
  // `replaceable`: a newer frame makes this one obsolete (whole snapshots), so
  // a member that is behind may drop it for the newer one.
  virtual void deliver(const Frame& frame, bool replaceable) = 0;
};

}  // namespace chat
