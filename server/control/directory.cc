#include "server/control/directory.h"

#include <algorithm>

namespace chat::control {

namespace {

// KEYS[1] the room's key; ARGV[1] the server it leaves, ARGV[2] the new
// entry, ARGV[3] its time to live in ms ('0': none).
// Returns "OK" when written, else the entry that stands.
constexpr const char* kMoveScript = R"lua(
local current = redis.call('GET', KEYS[1])
if current then
  local server = string.match(current, '^(%S+)')
  if server and server ~= ARGV[1] and current ~= ARGV[2] then return {current} end
end
if ARGV[3] ~= '0' then
  redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
else
  redis.call('SET', KEYS[1], ARGV[2])
end
return 'OK'
)lua";

// KEYS[1] the room's key; ARGV[1] the server that freed it.
constexpr const char* kFreeScript = R"lua(
local current = redis.call('GET', KEYS[1])
if current and string.match(current, '^(%S+)') == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
)lua";

}  // namespace

std::string encode_entry(const RoomEntry& entry) { return entry.server_id + " " + entry.host; }

std::optional<RoomEntry> decode_entry(std::string_view text) {
  auto space = text.find(' ');
  if (space == std::string_view::npos || space == 0 || space + 1 >= text.size()) {
    return std::nullopt;
  }
  return RoomEntry{std::string(text.substr(0, space)), std::string(text.substr(space + 1))};
}

std::string RoomDirectory::key_of(const std::string& room_id) const {
  return "room:" + room_id + ":server";
}

void RoomDirectory::find(const std::string& room_id, std::function<void(DirectoryRead)> done) {
  redis_->command({"GET", redis_->key(key_of(room_id))},
                  [done = std::move(done)](const redisReply* reply) {
                    if (reply_is_error(reply)) return done(DirectoryDown{reply_error(reply)});
                    if (reply->type == REDIS_REPLY_NIL) return done(NoEntry{});
                    auto text = reply_string(reply);
                    auto entry = text ? decode_entry(*text) : std::nullopt;
                    if (!entry) return done(NoEntry{});  // not ours to read: as absent
                    done(*entry);
                  });
}

void RoomDirectory::place(const std::string& room_id, const RoomEntry& entry,
                          std::chrono::milliseconds ttl, std::function<void(bool)> done) {
  std::vector<std::string> command{"SET", redis_->key(key_of(room_id)), encode_entry(entry)};
  if (ttl.count() > 0) {
    command.push_back("PX");
    command.push_back(std::to_string(ttl.count()));
  }
  redis_->command(std::move(command), [done = std::move(done)](const redisReply* reply) {
    if (done) done(!reply_is_error(reply));
  });
}

void RoomDirectory::move(const std::string& room_id, const std::string& from_server,
                         const RoomEntry& entry, std::chrono::milliseconds ttl,
                         std::function<void(MoveResult)> done) {
  redis_->eval(
      kMoveScript, {key_of(room_id)},
      {from_server, encode_entry(entry), std::to_string(std::max<long long>(0, ttl.count()))},
      [done = std::move(done)](const redisReply* reply) {
        MoveResult result;
        if (reply_is_error(reply)) {
          result.error = reply_error(reply);
        } else if (reply->type == REDIS_REPLY_ARRAY && reply->elements == 1) {
          auto text = reply_string(reply->element[0]);
          result.current = text ? decode_entry(*text) : std::nullopt;
          result.moved = !result.current;  // an unreadable entry is overwritten
        } else {
          result.moved = true;
        }
        if (done) done(std::move(result));
      });
}

void RoomDirectory::free(const std::string& room_id, const std::string& server_id) {
  redis_->eval(kFreeScript, {key_of(room_id)}, {server_id}, nullptr);
}

}  // namespace chat::control
