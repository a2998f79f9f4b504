#include "loadgen/frames.h"

#include <boost/json/monotonic_resource.hpp>
#include <boost/json/parse.hpp>

namespace loadgen {

namespace json = boost::json;

namespace {

std::string_view string_field(const json::object& object, std::string_view name) {
  auto it = object.find(name);
  if (it == object.end() || !it->value().is_string()) return {};
  return it->value().get_string();
}

FrameEvent event_of(const json::object& object) {
  FrameEvent event{string_field(object, "type"), string_field(object, "msg"),
                   string_field(object, "code"), string_field(object, "message"),
                   string_field(object, "id")};
  if (event.type != "snapshot") return event;
  if (auto messages = object.find("messages");
      messages != object.end() && messages->value().is_array()) {
    event.history.reserve(messages->value().get_array().size());
    for (const auto& entry : messages->value().get_array()) {
      event.history.push_back(entry.is_object() ? string_field(entry.get_object(), "msg")
                                                : std::string_view());
    }
  }
  if (auto limits = object.find("limits"); limits != object.end() && limits->value().is_object()) {
    const auto* window = limits->value().get_object().if_contains("historyMessages");
    if (window && window->is_int64() && window->get_int64() > 0) {
      event.history_window = static_cast<std::size_t>(window->get_int64());
    }
  }
  return event;
}

}  // namespace

FrameError parse_event_frame(std::string_view text,
                             const std::function<void(const FrameEvent&)>& use) {
  // Batches of events arrive as one array: a larger scratch than a snapshot's.
  unsigned char scratch[16384];
  json::monotonic_resource resource(scratch, sizeof scratch);
  boost::system::error_code ec;
  auto value = json::parse(text, ec, &resource);
  if (ec) return FrameError::not_json;
  if (value.is_object()) {
    use(event_of(value.get_object()));
    return FrameError::none;
  }
  if (!value.is_array()) return FrameError::not_json;
  // Checked before any is used: a frame is taken whole or not at all.
  for (const auto& event : value.get_array()) {
    if (!event.is_object()) return FrameError::not_json;
  }
  for (const auto& event : value.get_array()) use(event_of(event.get_object()));
  return FrameError::none;
}

FrameError parse_snapshot_frame(std::string_view text,
                                const std::function<void(const SnapshotFrame&)>& use) {
  unsigned char scratch[4096];
  json::monotonic_resource resource(scratch, sizeof scratch);
  boost::system::error_code ec;
  auto value = json::parse(text, ec, &resource);
  if (ec || !value.is_object()) return FrameError::not_json;
  const auto& frame = value.get_object();
  auto messages = frame.find("messages");
  if (messages == frame.end() || !messages->value().is_array()) return FrameError::no_messages;
  SnapshotFrame snapshot;
  snapshot.messages.reserve(messages->value().get_array().size());
  for (const auto& entry : messages->value().get_array()) {
    snapshot.messages.push_back(entry.is_object() ? string_field(entry.get_object(), "msg")
                                                  : std::string_view());
  }
  if (auto error = frame.find("error"); error != frame.end() && error->value().is_object()) {
    snapshot.error_code = string_field(error->value().get_object(), "code");
  }
  use(snapshot);
  return FrameError::none;
}

}  // namespace loadgen
