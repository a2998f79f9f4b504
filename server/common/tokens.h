// The two tokens of the wire contract (PROTOCOL.md), typed.
//
// User token:    {"userId", "iat", "exp"}            - proves who you are.
// Session token: {"userId", "roomId", "host", "iat", "exp"} - lets you connect
//                to one room on one session server, for a few minutes.
// The seed's tokens carry no `exp`; we accept those (as the seed does) only
// when the verifier is told to (`require_expiry = false`).
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "server/common/jwt.h"

namespace chat {

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
