// The two tokens of the wire contract (PROTOCOL.md), typed.
//
// User token:    {"typ":"user", "userId", "iat", "exp"} - proves who you are.
// Session token: {"typ":"session", "userId", "roomId", "host", "iat", "exp"}
//                - lets you connect to one room on one session server, for a
//                few minutes.
// Both are signed with the same secret, so `typ` is what keeps one from
// being used where the other belongs. The seed's tokens carry neither `typ`
// nor `exp` and are refused: a token that never expires is a password that
// cannot be changed. The seed's client only ever carries tokens our backend
// issued, so it is unaffected.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "server/common/jwt.h"

namespace chat {

// The `typ` claim of each kind of token.
inline constexpr std::string_view kUserTokenType = "user";
inline constexpr std::string_view kSessionTokenType = "session";

// HS256's key is 256 bits; a shorter secret can be found by brute force from
// any one token, and with it every token can be forged.
inline constexpr std::size_t kSecretBytesMin = 32;

// Why `secret` must not be used to sign tokens, saying how to make a good
// one; nullopt when it is long enough. `name` is how the operator set it.
std::optional<std::string> secret_problem(std::string_view secret,
                                          std::string_view name = "JWT_SECRET");

struct UserClaims {
  std::string user_id;
};

struct SessionClaims {
  std::string user_id;
  std::string room_id;
  std::string host;  // "host:port" the client must connect to
};

// The keys tokens are signed and checked with: the first signs, every one
// checks (docs/DEPLOY.md, rotating the secret). Replaced whole when the
// operator reloads them (SIGHUP) while other threads check tokens.
class TokenKeys {
 public:
  explicit TokenKeys(jwt::Keys keys) : keys_(std::make_shared<const jwt::Keys>(std::move(keys))) {}
  std::shared_ptr<const jwt::Keys> get() const { return keys_.load(); }
  void replace(jwt::Keys keys) { keys_.store(std::make_shared<const jwt::Keys>(std::move(keys))); }

 private:
  std::atomic<std::shared_ptr<const jwt::Keys>> keys_;
};

struct TokenPolicy {
  // One secret without a key id (JWT_SECRET), or a set of keys.
  TokenPolicy(std::string secret, std::chrono::seconds user_lifetime = std::chrono::hours(24),
              std::chrono::seconds session_lifetime = std::chrono::minutes(5))
      : TokenPolicy(std::make_shared<TokenKeys>(jwt::Keys{{"", std::move(secret)}}),
                    user_lifetime, session_lifetime) {}
  TokenPolicy(std::shared_ptr<TokenKeys> keys,
              std::chrono::seconds user_lifetime = std::chrono::hours(24),
              std::chrono::seconds session_lifetime = std::chrono::minutes(5))
      : keys(std::move(keys)),
        user_token_lifetime(user_lifetime),
        session_token_lifetime(session_lifetime) {}

  std::shared_ptr<TokenKeys> keys;
  std::chrono::seconds user_token_lifetime;
  std::chrono::seconds session_token_lifetime;
};

// Reads a keys file: one key a line, "<kid> <secret>", the signing key
// first; blank lines and lines starting with '#' are skipped. The keys, or
// what is wrong with the file (naming the line), for the operator.
std::variant<jwt::Keys, std::string> read_keys_file(const std::string& path);

template <typename Claims>
struct TokenCheck {
  std::optional<Claims> claims;
  std::string error;  // why it was refused, for the 401 body
};

std::string issue_user_token(const TokenPolicy& policy, const UserClaims& claims,
                             std::int64_t now_seconds);
std::string issue_session_token(const TokenPolicy& policy, const SessionClaims& claims,
                                std::int64_t now_seconds);

TokenCheck<UserClaims> check_user_token(const TokenPolicy& policy, std::string_view token,
                                        std::int64_t now_seconds);
TokenCheck<SessionClaims> check_session_token(const TokenPolicy& policy, std::string_view token,
                                              std::int64_t now_seconds);

// Seconds since the Unix epoch on the system clock.
std::int64_t unix_now();

}  // namespace chat
