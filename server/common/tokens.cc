#include "server/common/tokens.h"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <sstream>

namespace chat {
namespace {

// A required non-empty string claim, or nullopt.
std::optional<std::string> string_claim(const boost::json::object& claims, const char* name) {
  const auto* value = claims.if_contains(name);
  if (value == nullptr || !value->is_string() || value->as_string().empty()) return std::nullopt;
  return std::string(value->as_string());
}

boost::json::object stamped(std::string_view type, std::int64_t now_seconds,
                            std::chrono::seconds lifetime) {
  return {{"typ", type}, {"iat", now_seconds}, {"exp", now_seconds + lifetime.count()}};
}

// Why a verified token is not of `wanted` type, with what to do instead;
// empty when it is.
std::string type_problem(const boost::json::object& claims, std::string_view wanted) {
  const auto* type = claims.if_contains("typ");
  if (type == nullptr || !type->is_string()) return "token has no typ claim";
  if (type->as_string() == wanted) return "";
  if (wanted == kUserTokenType && type->as_string() == kSessionTokenType) {
    return "a session token (for connecting to a room) is not a user token; use the token "
           "from POST /api/login";
  }
  if (wanted == kSessionTokenType && type->as_string() == kUserTokenType) {
    return "a user token is not a session token; connect with the token from "
           "GET /api/rooms/:roomId";
  }
  return "token typ is not " + std::string(wanted);
}

}  // namespace

std::optional<std::string> secret_problem(std::string_view secret, std::string_view name) {
  if (secret.size() >= kSecretBytesMin) return std::nullopt;
  return std::string(name) + " is " + std::to_string(secret.size()) +
         " bytes; it must be at least " + std::to_string(kSecretBytesMin) +
         " (a shorter one can be guessed from any token). Make one with: "
         "head -c 32 /dev/urandom | base64";
}

std::variant<jwt::Keys, std::string> read_keys_file(const std::string& path) {
  std::ifstream file(path);
  if (!file) return path + ": cannot be read";
  jwt::Keys keys;
  std::string line;
  for (int number = 1; std::getline(file, line); ++number) {
    const auto first = line.find_first_not_of(" \t\r");
    if (first == std::string::npos || line[first] == '#') continue;
    std::istringstream fields(line);
    std::string id, secret, extra;
    fields >> id >> secret >> extra;
    const std::string where = path + " line " + std::to_string(number) + ": ";
    if (secret.empty() || !extra.empty()) {
      return where + "write \"<key id> <secret>\" (two words)";
    }
    const bool id_ok = id.size() <= 64 && std::all_of(id.begin(), id.end(), [](char c) {
      return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.';
    });
    if (!id_ok) return where + "a key id is 1 to 64 of A-Z a-z 0-9 - _ .";
    if (auto problem = secret_problem(secret, "the secret of key " + id)) return where + *problem;
    for (const auto& key : keys) {
      if (key.id == id) return where + "key id " + id + " is used twice";
    }
    keys.push_back({id, secret});
  }
  if (keys.empty()) return path + ": no key (one a line: \"<key id> <secret>\", signing key first)";
  return keys;
}

std::int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string issue_user_token(const TokenPolicy& policy, const UserClaims& claims,
                             std::int64_t now_seconds) {
  boost::json::object payload = stamped(kUserTokenType, now_seconds, policy.user_token_lifetime);
  payload["userId"] = claims.user_id;
  return jwt::sign(payload, policy.keys->get()->front());
}

std::string issue_session_token(const TokenPolicy& policy, const SessionClaims& claims,
                                std::int64_t now_seconds) {
  boost::json::object payload =
      stamped(kSessionTokenType, now_seconds, policy.session_token_lifetime);
  payload["userId"] = claims.user_id;
  payload["roomId"] = claims.room_id;
  payload["host"] = claims.host;
  return jwt::sign(payload, policy.keys->get()->front());
}

TokenCheck<UserClaims> check_user_token(const TokenPolicy& policy, std::string_view token,
                                        std::int64_t now_seconds) {
  TokenCheck<UserClaims> check;
  jwt::Verified verified = jwt::verify(token, *policy.keys->get(), now_seconds);
  if (!verified) {
    check.error = jwt::describe(verified.error);
    return check;
  }
  check.error = type_problem(verified.claims, kUserTokenType);
  if (!check.error.empty()) return check;
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
  jwt::Verified verified = jwt::verify(token, *policy.keys->get(), now_seconds);
  if (!verified) {
    check.error = jwt::describe(verified.error);
    return check;
  }
  check.error = type_problem(verified.claims, kSessionTokenType);
  if (!check.error.empty()) return check;
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
