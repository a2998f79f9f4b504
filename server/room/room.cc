#include "server/room/room.h"

#include <algorithm>

#include "server/room/frames.h"

namespace chat {

std::size_t utf8_code_points(std::string_view text) {
  return static_cast<std::size_t>(std::count_if(text.begin(), text.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xC0) != 0x80;  // not a continuation byte
  }));
}

Room::Room(std::string id, RoomLimits limits, std::shared_ptr<MessageLog> log)
    : id_(std::move(id)), limits_(limits), log_(std::move(log)) {}

std::vector<std::string> Room::user_ids_locked() const {
  std::vector<std::string> ids;
  ids.reserve(seats_.size());
  for (const auto& seat : seats_) ids.push_back(seat.member->user_id());
  return ids;
}

Room::Seat* Room::find_locked(const Member& member) {
  for (auto& seat : seats_) {
    if (seat.member == &member) return &seat;
  }
  return nullptr;
}

// Event members get `event_frame`; seed (compatibility) members get the
// whole snapshot, serialised at most once for all of them.
void Room::broadcast_locked(const std::string& event_frame, const Member* skip_event_for) {
  Frame event, snapshot;
  for (auto& seat : seats_) {
    Member& member = *seat.member;
    if (member.wants_events()) {
      if (&member == skip_event_for) continue;
      if (!event) event = std::make_shared<const std::string>(event_frame);
      member.deliver(event, Delivery::every_frame);
    } else {
      if (!snapshot) {
        snapshot =
            std::make_shared<const std::string>(frames::seed_snapshot(history_, user_ids_locked()));
      }
      member.deliver(snapshot, Delivery::latest_snapshot);
    }
  }
}

JoinResult Room::join(Member& member, RoomTime now) {
  std::lock_guard lock(mutex_);
  if (seats_.size() >= limits_.users_max) return JoinResult::room_full;
  for (const auto& seat : seats_) {
    if (seat.member->user_id() == member.user_id()) return JoinResult::duplicate_user;
  }
  seats_.push_back({&member, TokenBucket(limits_.messages_per_second, limits_.messages_burst),
                    TokenBucket(limits_.refused_messages_per_minute / 60.0,
                                limits_.refused_messages_per_minute)});
  empty_since_.reset();
  if (member.wants_events()) {
    member.deliver(std::make_shared<const std::string>(
                       frames::event_snapshot(id_, history_, user_ids_locked(), limits_)),
                   Delivery::every_frame);
  }
  std::string ts = frames::iso_timestamp(now.wall);
  broadcast_locked(frames::event_presence("join", member.user_id(), ts), &member);
  return JoinResult::joined;
}

void Room::leave(Member& member, RoomTime now) {
  std::lock_guard lock(mutex_);
  auto it = std::find_if(seats_.begin(), seats_.end(),
                         [&](const Seat& seat) { return seat.member == &member; });
  if (it == seats_.end()) return;
  seats_.erase(it);
  if (seats_.empty()) {
    empty_since_ = now.steady;
    return;
  }
  std::string ts = frames::iso_timestamp(now.wall);
  broadcast_locked(frames::event_presence("leave", member.user_id(), ts), nullptr);
}

Refusal Room::refusal_for(PostResult result) const {
  switch (result) {
    case PostResult::empty:
      return {"empty_message", "Message is empty."};
    case PostResult::too_long:
      return {"message_too_long", "Message is longer than " +
                                      std::to_string(limits_.message_chars_max) + " characters."};
    case PostResult::binary:
      return {"binary_not_supported", "Send chat messages as text frames."};
    case PostResult::invalid_frame:
      return {"invalid_frame",
              "Send each message as {\"id\":\"<1 to 64 of A-Z a-z 0-9 - _ . :>\",\"msg\":\"<text>\"}."};
    case PostResult::rate_limited:
      return {"rate_limited", "Too many messages: at most " +
                                  std::to_string(static_cast<int>(limits_.messages_per_second)) +
                                  " a second. Wait a moment and send again."};
    case PostResult::accepted:
    case PostResult::refused_too_often:
    case PostResult::not_in_room:
    case PostResult::duplicate:
    case PostResult::moving:
      break;
  }
  return {"", ""};
}

PostResult Room::post(Member& member, std::string_view text, RoomTime now) {
  return receive(member, text, {}, FrameKind::text, now);
}

PostResult Room::post(Member& member, const ClientMessage& message, RoomTime now) {
  return receive(member, message.text, message.id, FrameKind::text, now);
}

PostResult Room::post_binary(Member& member, RoomTime now) {
  return receive(member, {}, {}, FrameKind::binary, now);
}

PostResult Room::post_invalid(Member& member, RoomTime now) {
  return receive(member, {}, {}, FrameKind::invalid, now);
}

PostResult Room::receive(Member& member, std::string_view text, std::string_view client_id,
                         FrameKind kind, RoomTime now) {
  std::lock_guard lock(mutex_);
  Seat* seat = find_locked(member);
  if (seat == nullptr) return PostResult::not_in_room;  // left meanwhile: nobody to tell
  if (!accepting_) return PostResult::moving;
  PostResult result = judge(*seat, text, kind, now.steady);
  if (result != PostResult::accepted) return refuse_locked(*seat, result, client_id, now.steady);
  if (!client_id.empty() && !remember_id_locked(member.user_id(), std::string(client_id))) {
    // Sent before (a resend after a reconnect). If it is still waiting for
    // the log, its delivery will acknowledge it; otherwise say so now.
    bool waiting = std::any_of(pending_.begin(), pending_.end(), [&](const Pending& p) {
      return p.client_id == client_id && p.user_id == member.user_id();
    });
    if (!waiting) {
      member.deliver(std::make_shared<const std::string>(frames::event_ack(client_id)),
                     Delivery::every_frame);
    }
    return PostResult::duplicate;
  }
  accept_locked(member, text, client_id, now);
  return PostResult::accepted;
}

// Remembers the id; false if this user already sent it here.
bool Room::remember_id_locked(const std::string& user_id, const std::string& client_id) {
  auto [it, inserted] = remembered_ids_.insert(user_id + '\x1f' + client_id);
  if (!inserted) return false;
  // Pointers to an unordered_set's elements survive rehashing.
  remembered_order_.push_back(&*it);
  while (remembered_order_.size() > limits_.remembered_ids_max) {
    std::string oldest = *remembered_order_.front();
    remembered_order_.pop_front();
    remembered_ids_.erase(oldest);
  }
  return true;
}

void Room::accept_locked(const Member& sender, std::string_view text, std::string_view client_id,
                         RoomTime now) {
  std::string ts = frames::iso_timestamp(now.wall);
  std::string message = frames::message_json(sender.user_id(), text, ts);
  if (!log_) return deliver_locked(message, std::string(client_id));
  const std::uint64_t sequence = next_sequence_++;
  pending_.push_back({sequence, message, sender.user_id(), std::string(client_id)});
  // Answered later, on the log's thread; the room may be gone by then.
  log_->append(id_, {sender.user_id(), std::string(client_id), std::string(text), std::move(ts)},
               [weak = weak_from_this(), sequence](AppendResult result) {
                 if (auto room = weak.lock()) room->on_logged(sequence, result);
               });
}

// Delivers every message at the head of the queue the log has answered for,
// so members see messages in the order they were accepted.
void Room::on_logged(std::uint64_t sequence, AppendResult result) {
  std::lock_guard lock(mutex_);
  if (pending_.empty() || sequence < pending_.front().sequence) return;
  std::size_t index = static_cast<std::size_t>(sequence - pending_.front().sequence);
  if (index >= pending_.size() || pending_[index].answered) return;
  pending_[index].answered = true;
  // Not stored: chat goes on from memory (the log counts and reports it).
  if (result != AppendResult::stored) ++unstored_total_;
  while (!pending_.empty() && pending_.front().answered) {
    deliver_locked(pending_.front().message_json, pending_.front().client_id);
    pending_.pop_front();
  }
}

void Room::deliver_locked(const std::string& message_json, const std::string& client_id) {
  history_.push_back(message_json);
  // Unlike the seed, the room never stops accepting: it keeps the most recent.
  while (history_.size() > limits_.history_messages_max) history_.pop_front();
  ++messages_total_;
  broadcast_locked(frames::event_message(message_json, client_id), nullptr);
}

void Room::restore(const std::vector<LoggedMessage>& messages, RoomTime now) {
  std::lock_guard lock(mutex_);
  std::size_t first_shown =
      messages.size() > limits_.history_messages_max ? messages.size() - limits_.history_messages_max
                                                     : 0;
  for (std::size_t i = 0; i < messages.size(); ++i) {
    const LoggedMessage& logged = messages[i];
    if (!logged.client_id.empty()) remember_id_locked(logged.user_id, logged.client_id);
    if (i >= first_shown) {
      history_.push_back(frames::message_json(logged.user_id, logged.text, logged.ts));
    }
  }
  while (history_.size() > limits_.history_messages_max) history_.pop_front();
  if (seats_.empty()) empty_since_ = now.steady;
}

void Room::stop_accepting() {
  std::lock_guard lock(mutex_);
  accepting_ = false;
}

std::size_t Room::appends_in_flight() const {
  std::lock_guard lock(mutex_);
  return pending_.size();
}

std::uint64_t Room::unstored_total() const {
  std::lock_guard lock(mutex_);
  return unstored_total_;
}

// The rate limit first: a frame refused for any reason still costs a token,
// so refused frames come no faster than accepted ones could.
PostResult Room::judge(Seat& seat, std::string_view text, FrameKind kind,
                       std::chrono::steady_clock::time_point now) const {
  if (!seat.messages.try_take(now)) return PostResult::rate_limited;
  if (kind == FrameKind::binary) return PostResult::binary;
  if (kind == FrameKind::invalid) return PostResult::invalid_frame;
  if (text.empty()) return PostResult::empty;
  if (utf8_code_points(text) > limits_.message_chars_max) return PostResult::too_long;
  return PostResult::accepted;
}

// A refusal reaches the sender alone, as one small error frame in event
// mode. A compatibility (seed) client is told nothing: its client replaces
// its screen with every frame it receives, so only a whole snapshot could
// carry the error, and a snapshot can be hundreds of KB (a 100-message
// history) for a 6-byte frame. Past its allowance of refusals the sender is
// told nothing either: the session closes it.
PostResult Room::refuse_locked(Seat& seat, PostResult result, std::string_view client_id,
                               std::chrono::steady_clock::time_point now) {
  if (!seat.refusals.try_take(now)) return PostResult::refused_too_often;
  if (seat.member->wants_events()) {
    Refusal refusal = refusal_for(result);
    seat.member->deliver(std::make_shared<const std::string>(
                             frames::event_error(refusal.code, refusal.message, client_id)),
                         Delivery::every_frame);
  }
  return result;
}

std::size_t Room::user_count() const {
  std::lock_guard lock(mutex_);
  return seats_.size();
}

std::optional<std::chrono::steady_clock::time_point> Room::empty_since() const {
  std::lock_guard lock(mutex_);
  return empty_since_;
}

std::uint64_t Room::messages_total() const {
  std::lock_guard lock(mutex_);
  return messages_total_;
}

}  // namespace chat
