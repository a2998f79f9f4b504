// JSON Web Tokens, HS256 only (RFC 7519 / RFC 7515), as the seed uses them.
//
// Deliberately small: we sign and verify exactly one algorithm, so a token
// that names any other `alg` (including "none") is refused before its
// signature is looked at. No Asio here: the token code is tested in isolation.
#pragma once

#include <boost/json/object.hpp>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace chat::jwt {

// A secret with its key id (`kid`), so that tokens name the key that signed
// them and an operator can rotate secrets without logging anybody out. An
// empty id: tokens carry no `kid` (as JWT_SECRET's do).
struct Key {
  std::string id;
  std::string secret;
};
using Keys = std::vector<Key>;

// Signs `payload` with HMAC-SHA256 and returns the compact serialisation;
// the header names `key.id` as `kid` when it has one.
std::string sign(const boost::json::object& payload, const Key& key);
std::string sign(const boost::json::object& payload, std::string_view secret);

enum class Error {
  none,
  malformed,      // not three parts, or a part is not a JSON object
  bad_encoding,   // a part is not canonical base64url
  bad_algorithm,  // header `alg` is not HS256 (e.g. "none")
  bad_signature,  // HMAC does not match
  expired,        // `exp` is in the past
  no_expiry,      // no `exp`: every token must end
  not_yet_valid,  // `nbf` is in the future
  unknown_key,    // `kid` names no key this server has (retired, or never ours)
};

// A word an HTTP client or an operator can act on ("expired", ...).
std::string_view describe(Error error);

struct Verified {
  Error error = Error::none;
  boost::json::object claims;  // empty unless error == none
  explicit operator bool() const { return error == Error::none; }
};

// Checks form, algorithm, signature (in constant time) and the time claims
// against `now_seconds` (Unix time). `exp` is required: a token without one
// (as the seed issues them) would be valid forever once leaked. `nbf` is
// optional. Both must be numbers.
Verified verify(std::string_view token, std::string_view secret, std::int64_t now_seconds);
// The same against several keys: the one the token's `kid` names, or, for a
// token without one, any of them.
Verified verify(std::string_view token, const Keys& keys, std::int64_t now_seconds);

// base64url without padding (RFC 4648 section 5), exposed for tests.
std::string base64url_encode(std::string_view bytes);
// Accepts only the canonical form: the URL-safe alphabet, no padding, and
// zero bits after the last byte. Anything else has another spelling of the
// same bytes, which would let one token be presented under many strings.
bool base64url_decode(std::string_view text, std::string& out);

}  // namespace chat::jwt
