// Knows what every member of a room must receive, and counts what went wrong.
// A message is "lg:<slot>:<seq>:<send-time-us>:" (+ padding): slot is the
// sender's index in its room, seq counts its messages from 0, and the send
// time is on the process's steady clock, so latency needs no clock sync.
//
// The rule checked: a member that has joined (its snapshot arrived) receives
// every message sent after that, once, in each sender's order, for as long
// as it stays. Asio-free; one room is used from one thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace loadgen {

struct ChatMessage {
  std::uint32_t slot = 0;
  std::uint32_t seq = 0;
  std::uint64_t sent_us = 0;
};

std::string encode_message(std::uint32_t slot, std::uint32_t seq, std::uint64_t sent_us,
                           int pad_to_bytes);
// nullopt for text that is not ours (another client's message).
std::optional<ChatMessage> parse_message(std::string_view text);

struct DeliveryCounts {
  std::uint64_t sent = 0;
  std::uint64_t delivered = 0;      // in order, expected
  std::uint64_t gaps = 0;           // messages skipped over when a later one arrived
  std::uint64_t late = 0;           // arrived after a later one, or twice
  std::uint64_t tail_missing = 0;   // never arrived by the end (members still joined)
  std::uint64_t unknown_sender = 0; // a slot this room never gave out
  // Lost messages: skipped and never made up for, plus the tail.
  std::uint64_t missing() const {
    return gaps + tail_missing > late ? gaps + tail_missing - late : 0;
  }
  void add(const DeliveryCounts& other);
};

class RoomChecker {
 public:
  enum class Verdict { in_order, before_join, gap, late, unknown_sender, not_joined };

  std::uint32_t add_member();
  std::uint32_t members() const { return static_cast<std::uint32_t>(sent_.size()); }
  // The receiver's snapshot arrived: from now on it must see every message.
  void joined(std::uint32_t receiver);
  // The receiver left (or was dropped): nothing more is expected of it.
  void left(std::uint32_t receiver);
  bool is_joined(std::uint32_t receiver) const { return joined_[receiver]; }
  // Takes the sender's next sequence number (the message counts as sent).
  std::uint32_t next_seq(std::uint32_t sender);
  Verdict received(std::uint32_t receiver, std::uint32_t sender, std::uint32_t seq);
  // Counts the messages never delivered to members still joined; call once.
  void finish();
  // Deliveries still owed to joined members (0 when everything arrived).
  std::uint64_t outstanding() const;
  const DeliveryCounts& counts() const { return counts_; }

 private:
  struct Pair {
    std::uint32_t base = 0;      // the sender's seq when the receiver joined
    std::uint32_t expected = 0;  // next seq the receiver should get
  };
  std::vector<std::uint32_t> sent_;  // per sender
  std::vector<bool> joined_;
  std::vector<std::vector<Pair>> rows_;  // rows_[receiver][sender]
  DeliveryCounts counts_;
};

// Compatibility mode: which messages of a snapshot are new. `last_seen` is the
// last of our messages the receiver saw; returns the index of the first new
// entry (messages.size() when none is new). When last_seen is not in the
// snapshot, everything is new (the window of history moved past it).
struct SeenMark {
  std::uint32_t slot = UINT32_MAX;  // UINT32_MAX: nothing seen yet
  std::uint32_t seq = 0;
};
std::size_t first_new_message(const std::vector<std::optional<ChatMessage>>& messages,
                              SeenMark last_seen);

}  // namespace loadgen
