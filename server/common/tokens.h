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

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

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

struct TokenPolicy {
  std::string secret;
  std::chrono::seconds user_token_lifetime{std::chrono::hours(24)};
  std::chrono::seconds session_token_lifetime{std::chrono::minutes(5)};
};

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
