#include "trace/anonymise.h"

#include <cstring>

namespace trace {
namespace {

std::uint64_t rotl(std::uint64_t x, int b) { return (x << b) | (x >> (64 - b)); }

std::uint64_t load_le64(const unsigned char* p) {
  std::uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}

struct State {
  std::uint64_t v0, v1, v2, v3;
  void round() {
    v0 += v1;
    v1 = rotl(v1, 13);
    v1 ^= v0;
    v0 = rotl(v0, 32);
    v2 += v3;
    v3 = rotl(v3, 16);
    v3 ^= v2;
    v0 += v3;
    v3 = rotl(v3, 21);
    v3 ^= v0;
    v2 += v1;
    v1 = rotl(v1, 17);
    v1 ^= v2;
    v2 = rotl(v2, 32);
  }
  void absorb(std::uint64_t m) {
    v3 ^= m;
    round();
    round();
    v0 ^= m;
  }
};

}  // namespace

std::uint64_t siphash24(std::uint64_t k0, std::uint64_t k1, std::string_view data) {
  State s{k0 ^ 0x736f6d6570736575ULL, k1 ^ 0x646f72616e646f6dULL, k0 ^ 0x6c7967656e657261ULL,
          k1 ^ 0x7465646279746573ULL};
  const auto* bytes = reinterpret_cast<const unsigned char*>(data.data());
  const std::size_t whole = data.size() / 8 * 8;
  for (std::size_t i = 0; i < whole; i += 8) s.absorb(load_le64(bytes + i));
  unsigned char last[8] = {};
  std::memcpy(last, bytes + whole, data.size() - whole);
  last[7] = static_cast<unsigned char>(data.size());
  s.absorb(load_le64(last));
  s.v2 ^= 0xff;
  for (int i = 0; i < 4; ++i) s.round();
  return s.v0 ^ s.v1 ^ s.v2 ^ s.v3;
}

// The secret is stretched into a key with two fixed keys, so a secret of any
// length gives a full 128-bit key.
Anonymiser::Anonymiser(std::string_view secret)
    : k0_(siphash24(0x7472616365206b30ULL, 0x73657373696f6e31ULL, secret)),
      k1_(siphash24(0x7472616365206b31ULL, 0x6261636b656e6432ULL, secret)) {}

std::string Anonymiser::room_token(std::string_view room_id) const {
  return token('r', room_id);
}

std::string Anonymiser::user_token(std::string_view user_id) const {
  return token('u', user_id);
}

std::string Anonymiser::token(char prefix, std::string_view id) const {
  // The prefix is hashed too: a user named like a room id gets another token.
  std::string keyed;
  keyed.reserve(id.size() + 1);
  keyed += prefix;
  keyed += id;
  std::uint64_t h = siphash24(k0_, k1_, keyed);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(17, prefix);
  for (int i = 16; i >= 1; --i, h >>= 4) out[static_cast<std::size_t>(i)] = kHex[h & 0xf];
  return out;
}

}  // namespace trace
