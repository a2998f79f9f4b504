#include "server/backend/room_waiters.h"

#include <vector>

namespace chat {

RoomWaiters::~RoomWaiters() {
  // Timers still pending hold `this`: cancel them before it goes.
  for (auto& [key, waiter] : waiters_) waiter.deadline->cancel();
}

void RoomWaiters::add(std::string room_id, std::chrono::steady_clock::time_point deadline,
                      NoServerNow at_deadline, Answer answer) {
  std::uint64_t key = next_key_++;
  auto timer = std::make_unique<boost::asio::steady_timer>(executor_, deadline);
  timer->async_wait([this, key](boost::system::error_code ec) {
    if (ec) return;  // answered before the deadline, or cancelled
    auto it = waiters_.find(key);
    if (it != waiters_.end()) finish(key, it->second.at_deadline);
  });
  waiters_.emplace(
      key, Waiter{std::move(room_id), std::move(at_deadline), std::move(answer), std::move(timer)});
}

void RoomWaiters::wake(const Settle& settle) {
  std::vector<std::pair<std::uint64_t, FindRoomResult>> settled;
  for (const auto& [key, waiter] : waiters_) {
    if (auto result = settle(waiter.room_id)) settled.emplace_back(key, std::move(*result));
  }
  for (auto& [key, result] : settled) finish(key, std::move(result));
}

void RoomWaiters::cancel_all(const NoServerNow& reason) {
  while (!waiters_.empty()) finish(waiters_.begin()->first, reason);
}

void RoomWaiters::finish(std::uint64_t key, FindRoomResult result) {
  auto node = waiters_.extract(key);
  if (node.empty()) return;
  node.mapped().deadline->cancel();
  // Erased before answering: the answer may add a waiter or wake the others.
  node.mapped().answer(std::move(result));
}

}  // namespace chat
