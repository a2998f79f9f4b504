// Tokens for the ids a recording sees: a keyed hash (SipHash-2-4), so a
// trace names no room or user, yet every process of one recording that holds
// the same key names the same room with the same token, and the per-process
// files can be merged. Without the key, a token cannot be tied back to an id
// (user ids are guessable, so an unkeyed hash would not hide them).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace trace {

// SipHash-2-4 of `data` under the 128-bit key (k0, k1).
std::uint64_t siphash24(std::uint64_t k0, std::uint64_t k1, std::string_view data);

class Anonymiser {
 public:
  // Any secret the recording processes share (the servers use their JWT
  // secret, which every one of them already holds).
  explicit Anonymiser(std::string_view secret);

  // "r" and 16 hex digits; "u" and 16 hex digits. 64 bits: two of a
  // million rooms share a token with odds of about 3 in 100 million.
  std::string room_token(std::string_view room_id) const;
  std::string user_token(std::string_view user_id) const;

 private:
  std::string token(char prefix, std::string_view id) const;

  std::uint64_t k0_;
  std::uint64_t k1_;
};

}  // namespace trace
