#include "loadgen/delivery_checker.h"

#include <algorithm>
#include <charconv>

namespace loadgen {

std::string encode_message(std::uint32_t slot, std::uint32_t seq, std::uint64_t sent_us,
                           int pad_to_bytes) {
  std::string text = "lg:" + std::to_string(slot) + ":" + std::to_string(seq) + ":" +
                     std::to_string(sent_us) + ":";
  if (static_cast<int>(text.size()) < pad_to_bytes) text.resize(pad_to_bytes, 'x');
  return text;
}

namespace {

template <class Int>
bool take_number(std::string_view& text, Int& value) {
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end == text.data() || end == text.data() + text.size() ||
      *end != ':') {
    return false;
  }
  text.remove_prefix(static_cast<std::size_t>(end - text.data()) + 1);
  return true;
}

}  // namespace

std::optional<ChatMessage> parse_message(std::string_view text) {
  if (text.substr(0, 3) != "lg:") return std::nullopt;
  text.remove_prefix(3);
  ChatMessage message;
  if (!take_number(text, message.slot) || !take_number(text, message.seq) ||
      !take_number(text, message.sent_us)) {
    return std::nullopt;
  }
  return message;
}

void DeliveryCounts::add(const DeliveryCounts& other) {
  sent += other.sent;
  delivered += other.delivered;
  gaps += other.gaps;
  late += other.late;
  duplicates += other.duplicates;
  tail_missing += other.tail_missing;
  unknown_sender += other.unknown_sender;
  acknowledged += other.acknowledged;
  refused += other.refused;
  lost += other.lost;
  outside_window += other.outside_window;
  history_missing += other.history_missing;
  history_checked += other.history_checked;
}

std::uint32_t RoomChecker::add_member() {
  sent_.push_back(0);
  joined_.push_back(false);
  rows_.emplace_back();
  messages_.emplace_back();
  refused_.emplace_back();
  history_checked_.push_back(false);
  return static_cast<std::uint32_t>(sent_.size() - 1);
}

void RoomChecker::joined(std::uint32_t receiver) {
  joined_[receiver] = true;
  auto& row = rows_[receiver];
  row.assign(sent_.size(), Pair{});
  for (std::size_t sender = 0; sender < sent_.size(); ++sender) {
    row[sender] = Pair{sent_[sender], sent_[sender]};
  }
}

void RoomChecker::left(std::uint32_t receiver) {
  joined_[receiver] = false;
  std::vector<Pair>().swap(rows_[receiver]);
}

std::uint32_t RoomChecker::next_seq(std::uint32_t sender) {
  ++counts_.sent;
  if (tracking_) messages_[sender].push_back(Sent{});
  return sent_[sender]++;
}

std::uint64_t RoomChecker::skip(std::uint32_t receiver, std::uint32_t sender, std::uint32_t from,
                                std::uint32_t to) {
  std::uint64_t skipped = 0;
  for (auto seq = from; seq < to; ++seq) {
    if (is_refused(sender, seq)) continue;
    ++skipped;
    if (skipped_.size() < kSkippedMax) skipped_.emplace(receiver, sender, seq);
  }
  counts_.gaps += skipped;
  return skipped;
}

RoomChecker::Verdict RoomChecker::received(std::uint32_t receiver, std::uint32_t sender,
                                           std::uint32_t seq) {
  if (sender >= sent_.size() || seq >= sent_[sender]) {
    ++counts_.unknown_sender;
    return Verdict::unknown_sender;
  }
  if (!joined_[receiver]) return Verdict::not_joined;
  auto& row = rows_[receiver];
  // A sender that joined after this receiver: it had sent nothing then.
  if (row.size() <= sender) row.resize(sent_.size(), Pair{});
  auto& pair = row[sender];
  if (seq < pair.base) return Verdict::before_join;
  if (seq >= pair.expected) {
    auto skipped = skip(receiver, sender, pair.expected, seq);
    pair.expected = seq + 1;
    ++counts_.delivered;
    return skipped ? Verdict::gap : Verdict::in_order;
  }
  if (skipped_.erase({receiver, sender, seq})) {
    ++counts_.late;
    return Verdict::late;
  }
  ++counts_.duplicates;
  return Verdict::duplicate;
}

std::uint64_t RoomChecker::outstanding() const {
  std::uint64_t owed = 0;
  for (std::size_t receiver = 0; receiver < rows_.size(); ++receiver) {
    if (!joined_[receiver]) continue;
    const auto& row = rows_[receiver];
    for (std::uint32_t sender = 0; sender < sent_.size(); ++sender) {
      std::uint32_t expected = sender < row.size() ? row[sender].expected : 0;
      if (sent_[sender] > expected) {
        owed += sent_[sender] - expected - refused_between(sender, expected, sent_[sender]);
      }
    }
  }
  return owed;
}

void RoomChecker::finish() {
  for (std::uint32_t receiver = 0; receiver < rows_.size(); ++receiver) {
    if (!joined_[receiver]) continue;
    const auto& row = rows_[receiver];
    for (std::uint32_t sender = 0; sender < sent_.size(); ++sender) {
      std::uint32_t expected = sender < row.size() ? row[sender].expected : 0;
      for (auto seq = expected; seq < sent_[sender]; ++seq) {
        if (is_refused(sender, seq)) continue;
        ++counts_.tail_missing;
        if (is_acknowledged(sender, seq)) lost_.insert({sender, seq});
      }
    }
  }
  for (const auto& [receiver, sender, seq] : skipped_) {
    if (is_acknowledged(sender, seq)) lost_.insert({sender, seq});
  }
  counts_.lost = lost_.size();
}

// --- with acknowledgements ---------------------------------------------------------

bool RoomChecker::is_refused(std::uint32_t sender, std::uint32_t seq) const {
  return tracking_ && seq < messages_[sender].size() && messages_[sender][seq].state == kRefused;
}

bool RoomChecker::is_acknowledged(std::uint32_t sender, std::uint32_t seq) const {
  return tracking_ && seq < messages_[sender].size() &&
         messages_[sender][seq].state == kAcknowledged;
}

std::uint32_t RoomChecker::position(std::uint32_t sender, std::uint32_t seq) const {
  return tracking_ && seq < messages_[sender].size() ? messages_[sender][seq].position : kUnseen;
}

std::uint64_t RoomChecker::refused_between(std::uint32_t sender, std::uint32_t from,
                                           std::uint32_t to) const {
  const auto& refused = refused_[sender];
  if (refused.empty()) return 0;
  return static_cast<std::uint64_t>(std::lower_bound(refused.begin(), refused.end(), to) -
                                    std::lower_bound(refused.begin(), refused.end(), from));
}

void RoomChecker::seen(std::uint32_t sender, std::uint32_t seq) {
  if (!tracking_ || sender >= sent_.size() || seq >= sent_[sender]) return;
  auto& record = messages_[sender][seq];
  if (record.position != kUnseen) return;
  record.position = static_cast<std::uint32_t>(order_.size());
  order_.push_back({sender, seq});
}

void RoomChecker::acknowledged(std::uint32_t sender, std::uint32_t seq) {
  if (!tracking_ || sender >= sent_.size() || seq >= sent_[sender]) return;
  auto& record = messages_[sender][seq];
  if (record.state != kPending) return;
  record.state = kAcknowledged;
  ++counts_.acknowledged;
}

void RoomChecker::refused(std::uint32_t sender, std::uint32_t seq) {
  if (!tracking_ || sender >= sent_.size() || seq >= sent_[sender]) return;
  auto& record = messages_[sender][seq];
  if (record.state != kPending) return;
  record.state = kRefused;
  ++counts_.refused;
  auto& refused = refused_[sender];
  refused.insert(std::upper_bound(refused.begin(), refused.end(), seq), seq);
}

std::uint64_t RoomChecker::rejoined(std::uint32_t receiver, const Snapshot& snapshot) {
  if (!joined_[receiver]) {
    joined(receiver);
    return 0;
  }
  // Where the window starts in the room's order: a full window may have
  // pushed out what was stored while the member was away; a window with room
  // to spare holds the whole history. Placed before the snapshot's unseen
  // entries take places at the end of the order.
  std::uint32_t window_start = 0;
  if (snapshot.entries >= snapshot.window) {
    window_start = static_cast<std::uint32_t>(order_.size());
    for (const auto& entry : snapshot.ours) {
      window_start = std::min(window_start, position(entry.sender, entry.seq));
    }
  }
  for (const auto& entry : snapshot.ours) seen(entry.sender, entry.seq);
  check_history(receiver, snapshot);

  auto& row = rows_[receiver];
  if (row.size() < sent_.size()) row.resize(sent_.size(), Pair{});
  for (std::uint32_t sender = 0; sender < sent_.size(); ++sender) {
    auto& pair = row[sender];
    while (pair.expected < sent_[sender]) {
      if (is_refused(sender, pair.expected)) {
        ++pair.expected;
      } else if (position(sender, pair.expected) < window_start) {
        ++counts_.outside_window;
        ++pair.expected;
      } else {
        break;
      }
    }
  }
  std::uint64_t delivered = 0;
  for (const auto& [sender, seq] : snapshot.ours) {
    if (sender >= sent_.size() || seq >= sent_[sender]) {
      ++counts_.unknown_sender;
      continue;
    }
    auto& pair = row[sender];
    if (seq < pair.base) continue;
    if (seq < pair.expected) {
      // History this member already had, or a skipped one made up for.
      if (skipped_.erase({receiver, sender, seq})) ++counts_.late;
      continue;
    }
    skip(receiver, sender, pair.expected, seq);
    pair.expected = seq + 1;
    ++counts_.delivered;
    ++delivered;
  }
  return delivered;
}

void RoomChecker::mark_fault(std::size_t window) {
  fault_position_ = static_cast<std::uint32_t>(order_.size());
  fault_window_.clear();
  auto first = order_.size() > window ? order_.size() - window : 0;
  for (auto p = first; p < order_.size(); ++p) {
    if (is_acknowledged(order_[p].sender, order_[p].seq)) {
      fault_window_.push_back(static_cast<std::uint32_t>(p));
    }
  }
  history_checked_.assign(sent_.size(), false);
}

void RoomChecker::check_history(std::uint32_t receiver, const Snapshot& snapshot) {
  if (!fault_position_ || history_checked_[receiver]) return;
  history_checked_[receiver] = true;
  ++counts_.history_checked;
  // Entries stored since the fault take the newest places of the window;
  // the places left must hold the newest messages acknowledged before it.
  std::size_t newer = snapshot.entries - std::min(snapshot.entries, snapshot.ours.size());
  std::set<std::uint32_t> present;
  for (const auto& entry : snapshot.ours) {
    auto at = position(entry.sender, entry.seq);
    if (at >= *fault_position_) {
      ++newer;
    } else {
      present.insert(at);
    }
  }
  std::size_t places = snapshot.window > newer ? snapshot.window - newer : 0;
  std::uint32_t oldest = *fault_position_ > places ? *fault_position_ - places : 0;
  std::uint64_t missing = 0;
  for (auto at : fault_window_) missing += at >= oldest && !present.count(at);
  history_missing_room_ = std::max(history_missing_room_, missing);
  counts_.history_missing = history_missing_room_;
}

std::uint64_t RoomChecker::lost_so_far() const {
  if (counts_.lost) return counts_.lost;
  std::set<MessageRef> lost;
  for (const auto& [receiver, sender, seq] : skipped_) {
    if (is_acknowledged(sender, seq)) lost.insert({sender, seq});
  }
  return lost.size();
}

std::size_t first_new_message(const std::vector<std::optional<ChatMessage>>& messages,
                              SeenMark last_seen) {
  if (last_seen.slot == UINT32_MAX) return 0;
  for (std::size_t i = messages.size(); i-- > 0;) {
    const auto& message = messages[i];
    if (message && message->slot == last_seen.slot && message->seq == last_seen.seq) {
      return i + 1;
    }
  }
  return 0;
}

}  // namespace loadgen
