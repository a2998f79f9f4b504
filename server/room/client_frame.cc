#include "server/room/client_frame.h"

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

namespace chat {

bool valid_client_message_id(std::string_view id) {
  if (id.empty() || id.size() > kClientMessageIdMax) return false;
  for (char c : id) {
    bool allowed = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                   c == '-' || c == '_' || c == '.' || c == ':';
    if (!allowed) return false;
  }
  return true;
}

std::optional<ClientMessage> parse_client_message(std::string_view frame) {
  boost::system::error_code ec;
  boost::json::value value = boost::json::parse(frame, ec);
  if (ec || !value.is_object()) return std::nullopt;
  const boost::json::object& object = value.get_object();
  const boost::json::value* id = object.if_contains("id");
  const boost::json::value* msg = object.if_contains("msg");
  if (id == nullptr || msg == nullptr || !id->is_string() || !msg->is_string()) {
    return std::nullopt;
  }
  std::string_view id_text = id->get_string();
  if (!valid_client_message_id(id_text)) return std::nullopt;
  return ClientMessage{std::string(id_text), std::string(msg->get_string())};
}

}  // namespace chat
