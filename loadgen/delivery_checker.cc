#include "loadgen/delivery_checker.h"

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
  tail_missing += other.tail_missing;
  unknown_sender += other.unknown_sender;
}

std::uint32_t RoomChecker::add_member() {
  sent_.push_back(0);
  joined_.push_back(false);
  rows_.emplace_back();
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
  return sent_[sender]++;
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
  if (seq == pair.expected) {
    ++pair.expected;
    ++counts_.delivered;
    return Verdict::in_order;
  }
  if (seq > pair.expected) {
    counts_.gaps += seq - pair.expected;
    pair.expected = seq + 1;
    ++counts_.delivered;
    return Verdict::gap;
  }
  ++counts_.late;
  return Verdict::late;
}

std::uint64_t RoomChecker::outstanding() const {
  std::uint64_t owed = 0;
  for (std::size_t receiver = 0; receiver < rows_.size(); ++receiver) {
    if (!joined_[receiver]) continue;
    const auto& row = rows_[receiver];
    for (std::size_t sender = 0; sender < sent_.size(); ++sender) {
      std::uint32_t expected = sender < row.size() ? row[sender].expected : 0;
      if (sent_[sender] > expected) owed += sent_[sender] - expected;
    }
  }
  return owed;
}

void RoomChecker::finish() { counts_.tail_missing += outstanding(); }

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
