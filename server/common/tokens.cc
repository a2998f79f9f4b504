#include "server/common/tokens.h"

namespace chat {
namespace {

// A required non-empty string claim, or nullopt.
std::optional<std::string> string_claim(const boost::json::object& claims, const char* name) {
  const auto* value = claims.if_contains(name);
  if (value == nullptr || !value->is_string() || value->as_string().empty()) return std::nullopt;
  return std::string(value->as_string());
}

boost::json::object stamped(std::int64_t now_seconds, std::chrono::seconds lifetime) {
  return {{"iat", now_seconds}, {"exp", now_seconds + lifetime.count()}};
}

}  // namespace

std::int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string issue_user_token(const TokenPolicy& policy, const UserClaims& claims,
                             std::int64_t now_seconds) {
  boost::json::object payload = stamped(now_seconds, policy.user_token_lifetime);
  payload["userId"] = claims.user_id;
  return jwt::sign(payload, policy.secret);
}

std::string issue_session_token(const TokenPolicy& policy, const SessionClaims& claims,
                                std::int64_t now_seconds) {
  boost::json::object payload = stamped(now_seconds, policy.session_token_lifetime);
  payload["userId"] = claims.user_id;
  payload["roomId"] = claims.room_id;
  payload["host"] = claims.host;
  return jwt::sign(payload, policy.secret);
}

TokenCheck<UserClaims> check_user_token(const TokenPolicy& policy, std::string_view token,
                                        std::int64_t now_seconds) {
  TokenCheck<UserClaims> check;
  jwt::Verified verified = jwt::verify(token, policy.secret, now_seconds);
  if (!verified) {
    check.error = jwt::describe(verified.error);
    return check;
  }
  auto user_id = string_claim(verified.claims, "userId");
  if (!user_id) {
    check.error = "token has no userId";
    return check;
  }
  check.claims = UserClaims{*user_id};
  return check;
}

TokenCheck<SessionClaims> check_session_token(const TokenPolicy& policy, std::string_view token,
                                              std::int64_t now_seconds) {
  TokenCheck<SessionClaims> check;
  jwt::Verified verified = jwt::verify(token, policy.secret, now_seconds);
  if (!verified) {
    check.error = jwt::describe(verified.error);
    return check;
  }
  auto user_id = string_claim(verified.claims, "userId");
  auto room_id = string_claim(verified.claims, "roomId");
  auto host = string_claim(verified.claims, "host");
  if (!user_id || !room_id || !host) {
    check.error = "not a session token (needs userId, roomId and host)";
    return check;
  }
  check.claims = SessionClaims{*user_id, *room_id, *host};
  return check;
}

}  // namespace chat
