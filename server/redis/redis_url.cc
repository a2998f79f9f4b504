#include "server/redis/redis_url.h"

#include <charconv>
#include <optional>
#include "network/percent_encoding.h"

namespace chat::redis {

namespace {

using R = network::Result<RedisUrl>;

constexpr std::string_view scheme = "redis://";
constexpr std::string_view form =
    "write redis://host:port, redis://host:port/db or "
    "redis://:password@host:port";

std::string quoted(std::string_view text) { return "'" + std::string(text) + "'"; }

// The URL as it may appear in an error: the credentials replaced, so a
// refusal printed at start never shows a password.
std::string shown(std::string_view text) {
  auto at = text.rfind('@');
  if (at == std::string_view::npos || !text.starts_with(scheme)) return quoted(text);
  return quoted(std::string(scheme) + "...@" + std::string(text.substr(at + 1)));
}

std::optional<int> parse_database(std::string_view text) {
  if (text.empty()) return 0;  // "redis://host/" is database 0, as without the slash
  if (text.find_first_not_of("0123456789") != std::string_view::npos) return std::nullopt;
  int value = 0;
  auto parsed = std::from_chars(text.data(), text.data() + text.size(), value);
  if (parsed.ec != std::errc{}) return std::nullopt;
  return value;
}

}  // namespace

std::string RedisUrl::to_string() const {
  std::string text = std::string(scheme) + endpoint.to_string();
  if (database != 0) text += "/" + std::to_string(database);
  return text;
}

R RedisUrl::parse(std::string_view text) {
  if (!text.starts_with(scheme)) {
    if (text.starts_with("rediss://")) {
      return R::failure("TLS to Redis (rediss://) is not supported: " + std::string(form));
    }
    return R::failure("the Redis URL " + shown(text) +
                      " does not start with redis://: " + std::string(form));
  }
  RedisUrl url;
  auto rest = text.substr(scheme.size());
  // The last '@': a password may hold an unescaped '@', a host never does.
  if (auto at = rest.rfind('@'); at != std::string_view::npos) {
    auto userinfo = rest.substr(0, at);
    rest = rest.substr(at + 1);
    auto colon = userinfo.find(':');
    if (colon == std::string_view::npos) {
      return R::failure("the part before '@' in " + shown(text) +
                        " is user:password or :password (a colon is missing)");
    }
    auto username = network::percent_decode(userinfo.substr(0, colon));
    auto password = network::percent_decode(userinfo.substr(colon + 1));
    if (!username || !password) {
      return R::failure("a '%' in the user or password of " + shown(text) +
                        " starts no escape like %40: write '%25' for a '%'");
    }
    if (password->empty()) {
      return R::failure("the password in " + shown(text) + " is empty: leave out the '@' part");
    }
    url.username = std::move(*username);
    url.password = std::move(*password);
  }
  if (auto query = rest.find_first_of("?#"); query != std::string_view::npos) {
    return R::failure("the Redis URL " + shown(text) + " has a " + quoted(rest.substr(query, 1)) +
                      " part, which is not supported: " + std::string(form));
  }
  std::string_view host_port = rest, database;
  if (auto slash = rest.find('/'); slash != std::string_view::npos) {
    host_port = rest.substr(0, slash);
    database = rest.substr(slash + 1);
  }
  auto endpoint = network::parse_host_port(host_port, default_port);
  if (!endpoint) {
    return R::failure("the Redis URL " + shown(text) + ": " + endpoint.error() + "; " +
                      std::string(form));
  }
  url.endpoint = std::move(endpoint).value();
  auto number = parse_database(database);
  if (!number) {
    return R::failure("the database " + quoted(database) + " in " + shown(text) +
                      " is not a number: write redis://host:port/0 (or no /db for 0)");
  }
  url.database = *number;
  return url;
}

}  // namespace chat::redis
