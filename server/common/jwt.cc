#include "server/common/jwt.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <array>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

namespace chat::jwt {
namespace {

using Digest = std::array<unsigned char, 32>;

Digest hmac_sha256(std::string_view key, std::string_view data) {
  Digest digest{};
  unsigned int length = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest.data(), &length);
  return digest;
}

// Parses one token part as a JSON object: bad_encoding when the part is not
// canonical base64url, malformed when it is not a JSON object.
Error decode_object(std::string_view part, boost::json::object& out) {
  std::string json;
  if (!base64url_decode(part, json)) return Error::bad_encoding;
  boost::system::error_code ec;
  boost::json::value value = boost::json::parse(json, ec);
  if (ec || !value.is_object()) return Error::malformed;
  out = std::move(value.as_object());
  return Error::none;
}

// Reads an optional numeric time claim; false when present but not a number
// of seconds that fits in 64 bits (converting 1e300 would be undefined, and a
// wrapped value could turn a far `nbf` into a past one).
bool time_claim(const boost::json::object& claims, const char* name, std::int64_t& out,
                bool& present) {
  present = false;
  const auto* value = claims.if_contains(name);
  if (value == nullptr) return true;
  if (value->is_int64()) {
    out = value->as_int64();
  } else if (value->is_double() && value->as_double() >= -0x1p63 &&
             value->as_double() < 0x1p63) {
    out = static_cast<std::int64_t>(value->as_double());
  } else {
    return false;  // not a number, or one beyond int64 (a uint64 is: JSON keeps the others int64)
  }
  present = true;
  return true;
}

// The value of one character of the URL-safe alphabet, or -1.
int base64url_value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '-') return 62;
  if (c == '_') return 63;
  return -1;
}

}  // namespace

std::string base64url_encode(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3), '\0');
  int written = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(bytes.data()),
                                static_cast<int>(bytes.size()));
  out.resize(static_cast<std::size_t>(written));
  while (!out.empty() && out.back() == '=') out.pop_back();
  for (char& c : out) {
    if (c == '+') c = '-';
    if (c == '/') c = '_';
  }
  return out;
}

bool base64url_decode(std::string_view text, std::string& out) {
  // Four characters carry three bytes; a final group of one character
  // cannot carry a whole byte.
  if (text.size() % 4 == 1) return false;
  out.clear();
  out.reserve(3 * text.size() / 4);
  std::uint32_t bits = 0;
  int bit_count = 0;
  for (char c : text) {
    int value = base64url_value(c);
    if (value < 0) return false;  // '+', '/', '=' and everything else
    bits = (bits << 6) | static_cast<std::uint32_t>(value);
    bit_count += 6;
    if (bit_count >= 8) {
      bit_count -= 8;
      out.push_back(static_cast<char>((bits >> bit_count) & 0xFF));
    }
  }
  // The bits left over after the last byte must be zero: otherwise several
  // strings decode to the same bytes ("YQ" and "YR" both to "a").
  return (bits & ((1u << bit_count) - 1)) == 0;
}

std::string sign(const boost::json::object& payload, std::string_view secret) {
  return sign(payload, Key{"", std::string(secret)});
}

std::string sign(const boost::json::object& payload, const Key& key) {
  static const std::string plain_header = base64url_encode(R"({"alg":"HS256","typ":"JWT"})");
  const std::string header =
      key.id.empty() ? plain_header
                     : base64url_encode(boost::json::serialize(
                           boost::json::object{{"alg", "HS256"}, {"typ", "JWT"}, {"kid", key.id}}));
  std::string signing_input = header + "." + base64url_encode(boost::json::serialize(payload));
  Digest digest = hmac_sha256(key.secret, signing_input);
  return signing_input + "." +
         base64url_encode({reinterpret_cast<const char*>(digest.data()), digest.size()});
}

std::string_view describe(Error error) {
  switch (error) {
    case Error::none:
      return "valid";
    case Error::malformed:
      return "malformed token";
    case Error::bad_encoding:
      return "token is not canonical base64url (no padding, no '+' or '/', no stray bits)";
    case Error::bad_algorithm:
      return "token algorithm is not HS256";
    case Error::bad_signature:
      return "bad token signature";
    case Error::expired:
      return "token expired";
    case Error::no_expiry:
      return "token has no expiry (exp)";
    case Error::not_yet_valid:
      return "token not yet valid";
    case Error::unknown_key:
      return "token signed with a key this server does not have (kid); log in again";
  }
  return "invalid token";
}

Verified verify(std::string_view token, std::string_view secret, std::int64_t now_seconds) {
  return verify(token, Keys{Key{"", std::string(secret)}}, now_seconds);
}

Verified verify(std::string_view token, const Keys& keys, std::int64_t now_seconds) {
  Verified result;
  auto first_dot = token.find('.');
  auto last_dot = token.rfind('.');
  if (first_dot == std::string_view::npos || first_dot == last_dot ||
      token.find('.', first_dot + 1) != last_dot) {
    result.error = Error::malformed;
    return result;
  }
  boost::json::object header, claims;
  result.error = decode_object(token.substr(0, first_dot), header);
  if (result.error == Error::none) {
    result.error = decode_object(token.substr(first_dot + 1, last_dot - first_dot - 1), claims);
  }
  if (result.error != Error::none) return result;
  // Refuse other algorithms before looking at the signature: the classic
  // `alg: none` and algorithm-confusion attacks start here.
  const auto* alg = header.if_contains("alg");
  if (alg == nullptr || !alg->is_string() || alg->as_string() != "HS256") {
    result.error = Error::bad_algorithm;
    return result;
  }
  std::string signature;
  if (!base64url_decode(token.substr(last_dot + 1), signature)) {
    result.error = Error::bad_encoding;
    return result;
  }
  if (signature.size() != 32) {
    result.error = Error::bad_signature;
    return result;
  }
  // The key the token names, or, without a name, whichever signed it.
  const auto* kid = header.if_contains("kid");
  if (kid != nullptr && !kid->is_string()) {
    result.error = Error::malformed;
    return result;
  }
  bool named = false, signed_by_ours = false;
  for (const Key& key : keys) {
    if (kid != nullptr && key.id != kid->as_string()) continue;
    named = true;
    Digest expected = hmac_sha256(key.secret, token.substr(0, last_dot));
    if (CRYPTO_memcmp(expected.data(), signature.data(), expected.size()) == 0) {
      signed_by_ours = true;
      break;
    }
  }
  if (!named) {
    result.error = Error::unknown_key;
    return result;
  }
  if (!signed_by_ours) {
    result.error = Error::bad_signature;
    return result;
  }
  std::int64_t exp = 0, nbf = 0;
  bool has_exp = false, has_nbf = false;
  if (!time_claim(claims, "exp", exp, has_exp) || !time_claim(claims, "nbf", nbf, has_nbf)) {
    result.error = Error::malformed;
    return result;
  }
  if (!has_exp) {
    result.error = Error::no_expiry;
    return result;
  }
  if (now_seconds >= exp) {
    result.error = Error::expired;
    return result;
  }
  if (has_nbf && now_seconds < nbf) {
    result.error = Error::not_yet_valid;
    return result;
  }
  result.claims = std::move(claims);
  return result;
}

}  // namespace chat::jwt
