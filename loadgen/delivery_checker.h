// Knows what every member of a room must receive, and counts what went wrong.
// A message is "lg:<slot>:<seq>:<send-time-us>:" (+ padding): slot is the
// sender's index in its room, seq counts its messages from 0, and the send
// time is on the process's steady clock, so latency needs no clock sync.
//
// The rule checked: a member that has joined (its snapshot arrived) receives
// every message sent after that, once, in each sender's order, for as long
// as it stays. Asio-free; one room is used from one thread.
//
// With acknowledgements (scalable-chat.events.v2, track_acks()) a member may
// also lose its connection and come back: what was stored while it was away
// must then be in its new snapshot, as far as the history window reaches,
// and what is stored afterwards arrives live. Each sender's messages are
// stored in its order, so a hole in a sender's run is a loss; the room's
// order (needed to tell "older than the window" from "lost") is the order in
// which any member first saw each message, since every member sees the
// room's events in the same order.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <tuple>
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
  std::uint64_t late = 0;           // a skipped-over message that arrived after all
  std::uint64_t duplicates = 0;     // a message this member had already received
  std::uint64_t tail_missing = 0;   // never arrived by the end (members still joined)
  std::uint64_t unknown_sender = 0; // a slot this room never gave out
  // With acknowledgements:
  std::uint64_t acknowledged = 0;    // messages their sender saw acknowledged
  std::uint64_t refused = 0;         // messages the server refused (never to be delivered)
  std::uint64_t lost = 0;            // acknowledged, yet some member never received them
  std::uint64_t outside_window = 0;  // missed while away, older than the history window
  std::uint64_t history_missing = 0; // acknowledged before the fault, absent from a snapshot
  std::uint64_t history_checked = 0; // snapshots after the fault compared with the history

  // Lost deliveries: skipped and never made up for, plus the tail.
  std::uint64_t missing() const {
    return gaps + tail_missing > late ? gaps + tail_missing - late : 0;
  }
  void add(const DeliveryCounts& other);
};

// One of our messages in a snapshot, oldest first.
struct MessageRef {
  std::uint32_t sender = 0;
  std::uint32_t seq = 0;
  bool operator<(const MessageRef& other) const {
    return std::tie(sender, seq) < std::tie(other.sender, other.seq);
  }
  bool operator==(const MessageRef& other) const {
    return sender == other.sender && seq == other.seq;
  }
};

// What a member's snapshot held on its return.
struct Snapshot {
  std::vector<MessageRef> ours;   // our messages in it, oldest first
  std::size_t entries = 0;        // every entry, ours or not
  std::size_t window = 100;       // the server's history size (limits.historyMessages)
};

class RoomChecker {
 public:
  enum class Verdict { in_order, before_join, gap, late, duplicate, unknown_sender, not_joined };

  // Keeps, for each message, whether it was acknowledged and where it stands
  // in the room's order (a few bytes a message): v2 rooms only.
  void track_acks() { tracking_ = true; }
  bool tracking_acks() const { return tracking_; }

  std::uint32_t add_member();
  std::uint32_t members() const { return static_cast<std::uint32_t>(sent_.size()); }
  // The receiver's snapshot arrived: from now on it must see every message.
  void joined(std::uint32_t receiver);
  // The receiver left (or was dropped for good): nothing more is expected of it.
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

  // --- with acknowledgements ---------------------------------------------------
  // A member saw the message come by: the first sighting fixes its place in
  // the room's order. Call before received().
  void seen(std::uint32_t sender, std::uint32_t seq);
  void acknowledged(std::uint32_t sender, std::uint32_t seq);
  void refused(std::uint32_t sender, std::uint32_t seq);
  // A joined member is back after a lost connection, with this snapshot: what
  // it holds that the member had not received counts as delivered now; what
  // was stored while it was away and is older than the window is excused.
  // Returns the deliveries it made.
  std::uint64_t rejoined(std::uint32_t receiver, const Snapshot& snapshot);
  // The fault happens now: the acknowledged messages of the last history
  // window are what every snapshot after it must still hold.
  void mark_fault(std::size_t window);
  // Acknowledged messages some member skipped over (and, after finish(),
  // never received): distinct messages.
  std::uint64_t lost_so_far() const;

 private:
  struct Pair {
    std::uint32_t base = 0;      // the sender's seq when the receiver joined
    std::uint32_t expected = 0;  // next seq the receiver should get
  };
  static constexpr std::uint32_t kUnseen = UINT32_MAX;
  struct Sent {
    std::uint32_t position = kUnseen;  // in the room's order; kUnseen until someone saw it
    std::uint8_t state = 0;            // kPending, kAcknowledged, kRefused
  };
  static constexpr std::uint8_t kPending = 0, kAcknowledged = 1, kRefused = 2;
  // Deliveries skipped over and not yet made up for, per room: tells a late
  // delivery from a duplicate. Bounded: past it, a late one reads as a duplicate.
  static constexpr std::size_t kSkippedMax = 100000;
  using Skipped = std::tuple<std::uint32_t, std::uint32_t, std::uint32_t>;  // receiver, sender, seq

  bool is_refused(std::uint32_t sender, std::uint32_t seq) const;
  bool is_acknowledged(std::uint32_t sender, std::uint32_t seq) const;
  std::uint32_t position(std::uint32_t sender, std::uint32_t seq) const;
  std::uint64_t refused_between(std::uint32_t sender, std::uint32_t from, std::uint32_t to) const;
  // Counts [from, to) of the sender as skipped over by the receiver; returns how many.
  std::uint64_t skip(std::uint32_t receiver, std::uint32_t sender, std::uint32_t from,
                     std::uint32_t to);
  void check_history(std::uint32_t receiver, const Snapshot& snapshot);

  std::vector<std::uint32_t> sent_;  // per sender
  std::vector<bool> joined_;
  std::vector<std::vector<Pair>> rows_;  // rows_[receiver][sender]
  std::set<Skipped> skipped_;
  DeliveryCounts counts_;

  bool tracking_ = false;
  std::vector<std::vector<Sent>> messages_;  // messages_[sender][seq], when tracking
  std::vector<MessageRef> order_;            // the room's order: position -> message
  std::vector<std::vector<std::uint32_t>> refused_;  // per sender, ascending: owed to no one
  // The fault: the room's order up to then, and the acknowledged messages of its last window.
  std::optional<std::uint32_t> fault_position_;
  std::vector<std::uint32_t> fault_window_;  // positions, ascending
  std::vector<bool> history_checked_;        // per receiver, once after the fault
  std::uint64_t history_missing_room_ = 0;   // the worst snapshot's count
  std::set<MessageRef> lost_;                // filled by finish()
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
