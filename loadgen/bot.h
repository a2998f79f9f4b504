// One simulated user: logs in, looks its room up, holds one WebSocket, and
// reports what it receives to its room's delivery checker. A small object on
// purpose: a run holds up to ~19,000 of them. Its life is driven by
// callbacks from its connection; only the join (and, in v2, the way back
// after a lost connection) is a short-lived coroutine.
//
// In v2 (scalable-chat.events.v2) each message carries an id; what the
// server has not acknowledged stays in the bot's outbox and is sent again
// once the bot is back in its room. A connection lost without a close frame
// (1006) is followed by a look-up naming the host that was lost
// (?unreachable=), one closed with 1012 `Room moving` or 1001 by a plain one;
// on the way back, every failed attempt is followed by another (after a
// short backoff) for up to 60 s.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "loadgen/delivery_checker.h"
#include "loadgen/outbox.h"
#include "loadgen/ws_client.h"

namespace loadgen {

class Engine;
struct FrameEvent;
struct ScenarioRoom;

class Bot final : public WsHandler {
 public:
  enum class State : std::uint8_t { idle, joining, open, closed };

  Bot(Engine& engine, ScenarioRoom& room, std::uint32_t slot, std::uint32_t index, std::string user)
      : engine_(engine), room_(room), slot_(slot), index_(index), user_(std::move(user)) {}

  void join();   // login, look the room up, connect; open once the snapshot arrives
  void leave();  // a normal close
  void send_message(int pad_to_bytes);

  State state() const { return state_; }
  bool settled() const { return state_ == State::open || state_ == State::closed; }
  int close_code() const { return close_code_; }
  const std::string& close_reason() const { return close_reason_; }
  const std::string& user() const { return user_; }
  const std::string& host() const { return host_; }
  ScenarioRoom& room() { return room_; }
  std::uint32_t slot() const { return slot_; }
  // The scenario expects this bot to be closed or refused: not an error.
  void expect_close() { expect_close_ = true; }
  // v2: between losing an open connection and being back in the room.
  bool reconnecting() const { return reconnecting_; }
  // When the last outage began (0: never lost an open connection).
  std::uint64_t last_outage_start_us() const { return outage_start_us_; }
  std::size_t unacknowledged() const { return outbox_.size(); }

  void on_open() override {}
  void on_frame(std::string_view text) override;
  void on_closed(const WsClosed& closed) override;

 private:
  boost::asio::awaitable<void> join_steps();
  boost::asio::awaitable<void> rejoin_steps(std::string unreachable, std::uint64_t delay_us);
  void give_up(std::string why);
  void connect(const std::string& host, const std::string& session_token);
  void on_joined();
  void on_rejoined(const FrameEvent& snapshot);
  // v2: whether to come back after this close, and schedules the way back.
  bool come_back(const WsClosed& closed, bool was_open);
  void stop_coming_back(const std::string& why);
  void resend();
  void on_chat_message(std::string_view msg, std::string_view id);
  void on_ack(std::string_view id);
  void on_refused(std::string_view id);
  void on_event_frame(std::string_view text);
  void on_snapshot_frame(std::string_view text);
  // The prefix of the message ids of the bot in `slot`: the run's and the slot's.
  std::string id_prefix(std::uint32_t slot) const;

  Engine& engine_;
  ScenarioRoom& room_;
  std::uint32_t slot_;
  std::uint32_t index_;
  std::string user_;
  std::string host_;
  std::string close_reason_;
  std::string user_token_;  // v2: kept for the look-ups after a lost connection
  std::shared_ptr<WsConnection> connection_;
  Outbox outbox_;        // v2: sent, not yet acknowledged
  SeenMark last_seen_;   // compat mode: the newest of our messages seen
  std::uint64_t outage_start_us_ = 0;  // v2: when the open connection was lost
  int close_code_ = 0;
  std::uint16_t rejoin_attempts_ = 0;
  State state_ = State::idle;
  bool expect_close_ = false;
  bool reconnecting_ = false;
};

}  // namespace loadgen
