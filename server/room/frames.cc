#include "server/room/frames.h"

#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <cstdio>
#include <ctime>

namespace chat::frames {
namespace {

std::string quoted(std::string_view text) {
  return boost::json::serialize(boost::json::string_view(text));
}

std::string users_json(const std::vector<std::string>& users) {
  std::string out = "[";
  for (std::size_t i = 0; i < users.size(); ++i) {
    if (i) out += ',';
    out += quoted(users[i]);
  }
  return out + "]";
}

std::string messages_array(const std::deque<std::string>& messages_json) {
  std::size_t size = 2;
  for (const auto& m : messages_json) size += m.size() + 1;
  std::string out;
  out.reserve(size);
  out += '[';
  for (std::size_t i = 0; i < messages_json.size(); ++i) {
    if (i) out += ',';
    out += messages_json[i];
  }
  out += ']';
  return out;
}

}  // namespace

std::string iso_timestamp(std::chrono::system_clock::time_point time) {
  using namespace std::chrono;
  auto ms = duration_cast<milliseconds>(time.time_since_epoch()).count();
  std::time_t seconds = static_cast<std::time_t>(ms / 1000);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char text[80];  // ample for any int fields, so no truncation
  std::snprintf(text, sizeof text, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", utc.tm_year + 1900,
                utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec,
                static_cast<int>(ms % 1000));
  return text;
}

std::string message_json(std::string_view user_id, std::string_view text, std::string_view ts) {
  return "{\"userId\":" + quoted(user_id) + ",\"msg\":" + quoted(text) + ",\"ts\":" + quoted(ts) +
         "}";
}

std::string seed_snapshot(const std::deque<std::string>& messages_json,
                          const std::vector<std::string>& users) {
  return "{\"messages\":" + messages_array(messages_json) +
         ",\"connectedUsers\":" + users_json(users) + "}";
}

std::string event_snapshot(std::string_view room_id, const std::deque<std::string>& messages_json,
                           const std::vector<std::string>& users, const RoomLimits& limits) {
  boost::json::object limits_json{
      {"maxUsers", limits.users_max},
      {"maxMessageLength", limits.message_chars_max},
      {"historyMessages", limits.history_messages_max},
      {"messagesPerSecond", limits.messages_per_second},
  };
  return "{\"type\":\"snapshot\",\"roomId\":" + quoted(room_id) +
         ",\"messages\":" + messages_array(messages_json) +
         ",\"connectedUsers\":" + users_json(users) +
         ",\"limits\":" + boost::json::serialize(limits_json) + "}";
}

std::string event_message(const std::string& message_json, std::string_view client_id) {
  // message_json is {"userId":..}: splice the type in front of its fields,
  // and the id (valid ids need no escaping, but quote them all the same) last.
  std::string frame = "{\"type\":\"message\"," + message_json.substr(1);
  if (!client_id.empty()) {
    frame.pop_back();
    frame += ",\"id\":" + quoted(client_id) + "}";
  }
  return frame;
}

std::string event_ack(std::string_view client_id) {
  return "{\"type\":\"ack\",\"id\":" + quoted(client_id) + "}";
}

std::string event_presence(std::string_view type, std::string_view user_id, std::string_view ts) {
  return "{\"type\":" + quoted(type) + ",\"userId\":" + quoted(user_id) + ",\"ts\":" + quoted(ts) +
         "}";
}

std::string event_error(std::string_view code, std::string_view message,
                        std::string_view client_id) {
  boost::json::object error{{"type", "error"}, {"code", code}, {"message", message}};
  if (!client_id.empty()) error["id"] = client_id;
  return boost::json::serialize(error);
}

}  // namespace chat::frames
