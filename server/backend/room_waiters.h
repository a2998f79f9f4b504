// Look-ups waiting for their room's session server to start (a room placed
// on a starting server). They are woken when the scheduler's view changes (a
// server ready or failed, a status report, a tick) rather than each polling
// on a timer, and answered at their deadline if the server is still starting.
// Used on the scheduler's strand only.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "server/backend/placement.h"

namespace chat {

class RoomWaiters {
 public:
  using Answer = std::function<void(FindRoomResult)>;
  // The room's answer now, or nullopt while its server is still starting.
  using Settle = std::function<std::optional<FindRoomResult>(const std::string& room_id)>;

  explicit RoomWaiters(boost::asio::any_io_executor executor) : executor_(executor) {}
  ~RoomWaiters();

  // Answers with `at_deadline` if the room is not settled by `deadline`.
  void add(std::string room_id, std::chrono::steady_clock::time_point deadline,
           NoServerNow at_deadline, Answer answer);
  // Looks every waiting room up again and answers those that are settled.
  void wake(const Settle& settle);
  // Answers every waiter with `reason` (the backend is stopping).
  void cancel_all(const NoServerNow& reason);
  std::size_t size() const { return waiters_.size(); }

 private:
  struct Waiter {
    std::string room_id;
    NoServerNow at_deadline;
    Answer answer;
    std::unique_ptr<boost::asio::steady_timer> deadline;
  };
  void finish(std::uint64_t key, FindRoomResult result);

  boost::asio::any_io_executor executor_;
  std::map<std::uint64_t, Waiter> waiters_;
  std::uint64_t next_key_ = 1;
};

}  // namespace chat
