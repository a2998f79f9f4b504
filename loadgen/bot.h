// One simulated user: logs in, looks its room up, holds one WebSocket, and
// reports what it receives to its room's delivery checker. A small object on
// purpose: a run holds up to ~19,000 of them. Its life is driven by
// callbacks from its connection; only the join is a (short-lived) coroutine.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "loadgen/delivery_checker.h"
#include "loadgen/ws_client.h"

namespace loadgen {

class Engine;
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
  // The scenario expects this bot to be closed or refused: not an error.
  void expect_close() { expect_close_ = true; }

  void on_open() override {}
  void on_frame(std::string_view text) override;
  void on_closed(const WsClosed& closed) override;

 private:
  boost::asio::awaitable<void> join_steps();
  void give_up(std::string why);
  void connect(const std::string& host, const std::string& session_token);
  void on_joined();
  void on_chat_message(std::string_view msg);
  void on_event_frame(std::string_view text);
  void on_snapshot_frame(std::string_view text);

  Engine& engine_;
  ScenarioRoom& room_;
  std::uint32_t slot_;
  std::uint32_t index_;
  std::string user_;
  std::string host_;
  std::string close_reason_;
  std::shared_ptr<WsConnection> connection_;
  SeenMark last_seen_;  // compat mode: the newest of our messages seen
  int close_code_ = 0;
  State state_ = State::idle;
  bool expect_close_ = false;
};

}  // namespace loadgen
