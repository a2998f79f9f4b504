// A room member as the room sees it: a user id and somewhere to send frames.
// The session server's WebSocket session implements it; tests use fakes.
#pragma once

#include <memory>
#include <string>

namespace chat {

// A serialised frame, built once and shared by every member it goes to.
using Frame = std::shared_ptr<const std::string>;

// Whether a frame must reach the member, or may give way to a newer one.
enum class Delivery {
  // Events, and refusals: each one says something the next does not.
  every_frame,
  // Whole seed snapshots: a newer one says all an older one did, so a member
  // that is behind may drop one still waiting for the newer.
  latest_snapshot,
};

class Member {
 public:
  virtual ~Member() = default;
  virtual const std::string& user_id() const = 0;
  // True for the event subprotocol, false for the seed's snapshot frames.
  virtual bool wants_events() const = 0;
  // Called with the room's lock held, in room order, so every member sees
  // the same order. Must only enqueue: never block or call back into the room.
  virtual void deliver(const Frame& frame, Delivery delivery) = 0;
};

}  // namespace chat
