// A v2 sender's side of acknowledgements (docs/PROTOCOL.md, subprotocol
// scalable-chat.events.v2): each message carries an id, "<prefix>-<seq>";
// what the server has not acknowledged is kept, in the order sent, and sent
// again after a reconnect; an acknowledgement or a refusal drops it.
// Asio-free: the bot feeds it what its connection says.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace loadgen {

// "<prefix>-<seq>": the prefix is one bot's (the run and the bot's slot), so
// ids are unique for a user in a room, as the protocol asks.
std::string message_id(std::string_view prefix, std::uint32_t seq);
// The seq of an id with this prefix; nullopt for anyone else's id.
std::optional<std::uint32_t> parse_message_id(std::string_view id, std::string_view prefix);
// The client frame {"id":"...","msg":"..."}; both are ours, so nothing to escape.
std::string v2_frame(std::string_view id, std::string_view msg);

class Outbox {
 public:
  // The server remembers a user's last 1,000 ids in a room: past that, a
  // re-sent message could be delivered twice, so no more are sent.
  static constexpr std::size_t kUnackedMax = 1000;

  struct Entry {
    std::uint32_t seq = 0;
    std::uint64_t sent_us = 0;  // the first send: latency counts from it
  };
  enum class Ack {
    in_order,      // the oldest unacknowledged one, as the protocol orders them
    out_of_order,  // a later one while older ones are still unacknowledged
    unknown,       // not waiting: acknowledged before, or never sent
  };

  bool full() const { return entries_.size() >= kUnackedMax; }
  std::size_t size() const { return entries_.size(); }
  void add(std::uint32_t seq, std::uint64_t sent_us);
  Ack acknowledge(std::uint32_t seq);
  // The server refused it (rate limit, ...): never delivered, never re-sent.
  bool refuse(std::uint32_t seq);
  // What to send again after a reconnect, oldest first.
  const std::vector<Entry>& unacknowledged() const { return entries_; }

 private:
  bool remove(std::uint32_t seq, bool& was_oldest);

  std::vector<Entry> entries_;  // ascending seq; a few at a time, so a vector
};

}  // namespace loadgen
