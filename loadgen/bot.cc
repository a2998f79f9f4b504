#include "loadgen/bot.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>

#include "loadgen/engine.h"
#include "loadgen/frames.h"

namespace loadgen {

namespace net = boost::asio;

void Bot::join() {
  state_ = State::joining;
  close_code_ = 0;
  close_reason_.clear();
  ++engine_.stats().bots_started;
  if (room_.id.empty()) {
    if (room_.create_failed) return give_up("room was not created");
    room_.waiting.push_back(this);  // joins once the room exists
    return;
  }
  net::co_spawn(engine_.io(), join_steps(), net::detached);
}

net::awaitable<void> Bot::join_steps() {
  auto token = co_await engine_.login(user_);
  if (!token) {
    give_up("login failed");
    co_return;
  }
  auto placement = co_await engine_.find_room(std::move(*token), room_.id);
  if (!placement) {
    give_up("look-up failed");
    co_return;
  }
  connect(placement->host, placement->token);
}

void Bot::give_up(std::string why) {
  state_ = State::closed;
  close_reason_ = std::move(why);
}

void Bot::connect(const std::string& host, const std::string& session_token) {
  host_ = host;
  ++engine_.stats().ws_attempts;
  last_seen_ = SeenMark{};
  connection_ = ws_connect(engine_.ws_settings(), host, session_token, this, index_);
}

void Bot::leave() {
  expect_close_ = true;
  if (state_ == State::open) {
    room_.checker.left(slot_);
    --engine_.stats().bots_connected;
    state_ = State::closed;
  }
  if (connection_) connection_->close();
}

void Bot::send_message(int pad_to_bytes) {
  if (state_ != State::open || !connection_) return;
  auto seq = room_.checker.next_seq(slot_);
  ++engine_.stats().messages_sent;
  connection_->send(encode_message(slot_, seq, now_us(), pad_to_bytes));
}

void Bot::on_joined() {
  state_ = State::open;
  room_.checker.joined(slot_);
  engine_.stats().bot_connected();
}

void Bot::on_chat_message(std::string_view msg) {
  auto message = parse_message(msg);
  if (!message) return;  // someone else's
  auto verdict = room_.checker.received(slot_, message->slot, message->seq);
  if (verdict == RoomChecker::Verdict::in_order || verdict == RoomChecker::Verdict::gap ||
      verdict == RoomChecker::Verdict::late) {
    ++engine_.stats().deliveries;
    auto now = now_us();
    engine_.on_latency(now > message->sent_us ? now - message->sent_us : 0);
  }
}

void Bot::on_frame(std::string_view text) {
  if (engine_.ws_settings().events_protocol) {
    on_event_frame(text);
  } else {
    on_snapshot_frame(text);
  }
}

void Bot::on_event_frame(std::string_view text) {
  auto problem = parse_event_frame(text, [&](const FrameEvent& event) {
    if (event.type == "message") {
      on_chat_message(event.msg);
    } else if (event.type == "snapshot") {
      if (state_ == State::joining) on_joined();
    } else if (event.type == "error") {
      engine_.error("server_error_" + std::string(event.code),
                    user_ + ": " + std::string(event.message));
    }
  });
  if (problem != FrameError::none) engine_.error("bad_frame", std::string(text.substr(0, 200)));
}

void Bot::on_snapshot_frame(std::string_view text) {
  auto problem = parse_snapshot_frame(text, [&](const SnapshotFrame& snapshot) {
    std::vector<std::optional<ChatMessage>> messages;
    messages.reserve(snapshot.messages.size());
    for (auto msg : snapshot.messages) messages.push_back(parse_message(msg));
    if (snapshot.error_code) {
      engine_.error("server_error_" + std::string(*snapshot.error_code), user_);
    }
    std::size_t first = messages.size();
    if (state_ == State::joining) {
      on_joined();  // the snapshot of our own join: what is in it came before us
    } else {
      first = first_new_message(messages, last_seen_);
    }
    for (std::size_t i = first; i < messages.size(); ++i) {
      if (messages[i]) on_chat_message(snapshot.messages[i]);
    }
    for (std::size_t i = messages.size(); i-- > 0;) {
      if (messages[i]) {
        last_seen_ = SeenMark{messages[i]->slot, messages[i]->seq};
        break;
      }
    }
  });
  if (problem == FrameError::no_messages) {
    engine_.error("bad_snapshot", std::string(text.substr(0, 200)));
  } else if (problem != FrameError::none) {
    engine_.error("bad_frame", std::string(text.substr(0, 200)));
  }
}

void Bot::on_closed(const WsClosed& closed) {
  if (state_ == State::open) {
    room_.checker.left(slot_);
    --engine_.stats().bots_connected;
  }
  state_ = State::closed;
  close_code_ = closed.close_code;
  close_reason_ = std::string(closed.close_code ? closed.reason : closed.detail);
  connection_.reset();
  if (expect_close_ || engine_.stopping()) return;
  std::string detail = user_ + " on " + host_;
  if (closed.close_code) {
    detail += ": " + std::string(closed.reason);
  } else if (!closed.detail.empty()) {
    detail += ": " + std::string(closed.detail);
  }
  engine_.error(closed.category(), detail);
}

}  // namespace loadgen
