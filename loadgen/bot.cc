#include "loadgen/bot.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "loadgen/engine.h"
#include "loadgen/frames.h"

namespace loadgen {

namespace net = boost::asio;

namespace {

// A bot that lost its room tries to come back for this long, then gives up.
constexpr std::uint64_t kRejoinPatienceUs = 60'000'000;
// Between connection attempts after the first: 100 ms, doubling to 1 s. The
// look-up before each one waits on its own while the room has no host yet.
std::uint64_t rejoin_delay_us(std::uint16_t attempt) {
  if (attempt == 0) return 0;
  std::uint64_t delay = 100'000u << std::min<std::uint16_t>(attempt - 1, 4);
  return std::min<std::uint64_t>(delay, 1'000'000);
}

}  // namespace

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
  if (engine_.config().acks()) user_token_ = *token;
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
  if (reconnecting_) {
    stop_coming_back("");
    state_ = State::closed;
  }
  if (connection_) connection_->close();
}

std::string Bot::id_prefix(std::uint32_t slot) const {
  return engine_.config().run_id + "." + std::to_string(slot);
}

void Bot::send_message(int pad_to_bytes) {
  if (state_ != State::open || !connection_) return;
  if (!engine_.config().acks()) {
    auto seq = room_.checker.next_seq(slot_);
    ++engine_.stats().messages_sent;
    connection_->send(encode_message(slot_, seq, now_us(), pad_to_bytes));
    return;
  }
  if (outbox_.full()) {
    engine_.error("v2_unacknowledged_max",
                  user_ + ": " + std::to_string(Outbox::kUnackedMax) +
                      " messages unacknowledged; not sending more until some are");
    return;
  }
  auto seq = room_.checker.next_seq(slot_);
  auto sent_us = now_us();
  ++engine_.stats().messages_sent;
  outbox_.add(seq, sent_us);
  connection_->send(
      v2_frame(message_id(id_prefix(slot_), seq), encode_message(slot_, seq, sent_us, pad_to_bytes)));
}

void Bot::resend() {
  if (!connection_) return;
  for (const auto& entry : outbox_.unacknowledged()) {
    ++engine_.stats().messages_resent;
    connection_->send(v2_frame(message_id(id_prefix(slot_), entry.seq),
                               encode_message(slot_, entry.seq, entry.sent_us,
                                              engine_.pad_to_bytes())));
  }
}

void Bot::on_joined() {
  state_ = State::open;
  room_.checker.joined(slot_);
  engine_.stats().bot_connected();
}

void Bot::on_rejoined(const FrameEvent& snapshot) {
  Snapshot held;
  held.entries = snapshot.history.size();
  if (snapshot.history_window) held.window = snapshot.history_window;
  for (auto msg : snapshot.history) {
    if (auto message = parse_message(msg)) held.ours.push_back({message->slot, message->seq});
  }
  engine_.stats().deliveries += room_.checker.rejoined(slot_, held);
  state_ = State::open;
  reconnecting_ = false;
  --engine_.stats().bots_reconnecting;
  engine_.stats().bot_connected();
  engine_.on_reconnected(*this, outage_start_us_, now_us());
  resend();
}

void Bot::on_chat_message(std::string_view msg, std::string_view id) {
  auto message = parse_message(msg);
  if (!message) return;  // someone else's
  if (engine_.config().acks()) {
    if (id != message_id(id_prefix(message->slot), message->seq)) {
      engine_.error("v2_wrong_id", user_ + " got id '" + std::string(id) + "' with '" +
                                       std::string(msg.substr(0, 40)) + "'");
    }
    room_.checker.seen(message->slot, message->seq);
    if (message->slot == slot_) on_ack(id);
  }
  auto verdict = room_.checker.received(slot_, message->slot, message->seq);
  if (verdict == RoomChecker::Verdict::in_order || verdict == RoomChecker::Verdict::gap ||
      verdict == RoomChecker::Verdict::late) {
    ++engine_.stats().deliveries;
    auto now = now_us();
    engine_.on_latency(now > message->sent_us ? now - message->sent_us : 0);
  }
}

// Our own message coming back, or an `ack` frame for one the server had already.
void Bot::on_ack(std::string_view id) {
  auto seq = parse_message_id(id, id_prefix(slot_));
  if (!seq) return engine_.error("v2_bad_ack", user_ + ": id '" + std::string(id) + "'");
  if (outbox_.acknowledge(*seq) == Outbox::Ack::out_of_order) {
    engine_.error("v2_ack_out_of_order",
                  user_ + ": " + std::string(id) + " acknowledged before older messages");
  }
  room_.checker.acknowledged(slot_, *seq);
}

void Bot::on_refused(std::string_view id) {
  auto seq = parse_message_id(id, id_prefix(slot_));
  if (!seq) return;
  outbox_.refuse(*seq);
  room_.checker.refused(slot_, *seq);
}

void Bot::on_frame(std::string_view text) {
  if (engine_.ws_settings().subprotocol.empty()) {
    on_snapshot_frame(text);
  } else {
    on_event_frame(text);
  }
}

void Bot::on_event_frame(std::string_view text) {
  auto problem = parse_event_frame(text, [&](const FrameEvent& event) {
    if (event.type == "message") {
      on_chat_message(event.msg, event.id);
    } else if (event.type == "ack") {
      ++engine_.stats().acks_for_duplicates;
      on_ack(event.id);
    } else if (event.type == "snapshot") {
      if (state_ != State::joining) return;
      if (event.history_window) room_.history_window = event.history_window;
      if (reconnecting_) return on_rejoined(event);
      on_joined();
    } else if (event.type == "error") {
      if (!event.id.empty()) on_refused(event.id);
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
      if (messages[i]) on_chat_message(snapshot.messages[i], {});
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
  bool was_open = state_ == State::open;
  if (was_open) --engine_.stats().bots_connected;
  close_code_ = closed.close_code;
  close_reason_ = std::string(closed.close_code ? closed.reason : closed.detail);
  connection_.reset();
  if (!expect_close_ && !engine_.stopping() && come_back(closed, was_open)) return;
  if (was_open) room_.checker.left(slot_);
  if (reconnecting_) stop_coming_back("");
  state_ = State::closed;
  if (expect_close_ || engine_.stopping()) return;
  std::string detail = user_ + " on " + host_;
  if (closed.close_code) {
    detail += ": " + std::string(closed.reason);
  } else if (!closed.detail.empty()) {
    detail += ": " + std::string(closed.detail);
  }
  engine_.error(closed.category(), detail);
}

bool Bot::come_back(const WsClosed& closed, bool was_open) {
  if (!engine_.config().acks() || (!was_open && !reconnecting_)) return false;
  // No close frame: the server may be gone, and the backend is told which.
  bool unreachable = closed.close_code == 0 &&
                     (closed.failure == WsFailure::read || closed.failure == WsFailure::connect ||
                      closed.failure == WsFailure::handshake || closed.failure == WsFailure::tls);
  // A server draining or moving the room.
  bool moved = closed.close_code == 1012 || closed.close_code == 1001 ||
               closed.close_code == 1011;
  auto now = now_us();
  if (!reconnecting_) {
    if (!unreachable && !moved) return false;
    reconnecting_ = true;
    outage_start_us_ = now;
    rejoin_attempts_ = 0;
    ++engine_.stats().bots_reconnecting;
    std::string detail = user_ + " on " + host_ + ": " +
                         std::string(closed.close_code ? closed.reason : closed.detail);
    engine_.connection_lost(closed.category(), detail);
  } else {
    // On the way back anything may fail for a while (a look-up still naming
    // the old server, which refuses or is gone; the old connection not yet
    // noticed gone: Duplicate user): again, until the patience runs out.
    ++engine_.stats().rejoin_attempts_failed;
    ++engine_.stats().rejoin_failures[closed.category()];
    if (now - outage_start_us_ > kRejoinPatienceUs) {
      stop_coming_back("not back in the room after " +
                       std::to_string(kRejoinPatienceUs / 1'000'000) + " s; last: " +
                       closed.category() + " " +
                       std::string(closed.close_code ? closed.reason : closed.detail));
      state_ = State::closed;
      return true;
    }
  }
  state_ = State::joining;
  net::co_spawn(engine_.io(),
                rejoin_steps(unreachable ? host_ : std::string(),
                             rejoin_delay_us(rejoin_attempts_++)),
                net::detached);
  return true;
}

net::awaitable<void> Bot::rejoin_steps(std::string unreachable, std::uint64_t delay_us) {
  if (delay_us) {
    net::steady_timer timer(engine_.io(), std::chrono::microseconds(delay_us));
    boost::system::error_code ignored;
    co_await timer.async_wait(net::redirect_error(net::use_awaitable, ignored));
  }
  if (!reconnecting_) co_return;  // left meanwhile
  if (engine_.stopping()) {
    stop_coming_back("");
    state_ = State::closed;
    co_return;
  }
  auto deadline_us = outage_start_us_ + kRejoinPatienceUs;
  auto placement =
      co_await engine_.find_room_again(user_token_, room_.id, std::move(unreachable), deadline_us);
  if (!reconnecting_) co_return;
  if (!placement) {
    stop_coming_back("look-up failed after a lost connection");
    state_ = State::closed;
    co_return;
  }
  connect(placement->host, placement->token);
}

// The way back ends without the bot in its room: nothing more is owed to it.
void Bot::stop_coming_back(const std::string& why) {
  reconnecting_ = false;
  --engine_.stats().bots_reconnecting;
  room_.checker.left(slot_);
  if (why.empty()) return;
  close_reason_ = why;
  engine_.error("rejoin_failed", user_ + " in " + room_.id + ": " + why);
}

}  // namespace loadgen
