#include "loadgen/outbox.h"

#include <algorithm>
#include <charconv>

namespace loadgen {

std::string message_id(std::string_view prefix, std::uint32_t seq) {
  std::string id(prefix);
  id += '-';
  id += std::to_string(seq);
  return id;
}

std::optional<std::uint32_t> parse_message_id(std::string_view id, std::string_view prefix) {
  if (id.size() <= prefix.size() + 1 || id.substr(0, prefix.size()) != prefix ||
      id[prefix.size()] != '-') {
    return std::nullopt;
  }
  auto digits = id.substr(prefix.size() + 1);
  std::uint32_t seq = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), seq);
  if (ec != std::errc() || end != digits.data() + digits.size()) return std::nullopt;
  return seq;
}

std::string v2_frame(std::string_view id, std::string_view msg) {
  std::string frame;
  frame.reserve(id.size() + msg.size() + 20);
  frame += R"({"id":")";
  frame += id;
  frame += R"(","msg":")";
  frame += msg;
  frame += R"("})";
  return frame;
}

void Outbox::add(std::uint32_t seq, std::uint64_t sent_us) { entries_.push_back({seq, sent_us}); }

bool Outbox::remove(std::uint32_t seq, bool& was_oldest) {
  auto it = std::lower_bound(entries_.begin(), entries_.end(), seq,
                             [](const Entry& entry, std::uint32_t s) { return entry.seq < s; });
  if (it == entries_.end() || it->seq != seq) return false;
  was_oldest = it == entries_.begin();
  entries_.erase(it);
  return true;
}

Outbox::Ack Outbox::acknowledge(std::uint32_t seq) {
  bool oldest = false;
  if (!remove(seq, oldest)) return Ack::unknown;
  return oldest ? Ack::in_order : Ack::out_of_order;
}

bool Outbox::refuse(std::uint32_t seq) {
  bool oldest = false;
  return remove(seq, oldest);
}

}  // namespace loadgen
