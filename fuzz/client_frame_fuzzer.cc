// What a v2 client sends (server/room/client_frame.*): any bytes are either
// refused or read as an id and a text, and what is read always holds the
// rules every member's frames rely on (a plain id of 1 to 64 characters),
// and comes back the same when written as the client would write it.
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz/fuzz_util.h"
#include "server/room/client_frame.h"
#include "server/room/frames.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view frame(reinterpret_cast<const char*>(data), size);
  auto message = chat::parse_client_message(frame);
  if (!message) return 0;
  FUZZ_CHECK(chat::valid_client_message_id(message->id));
  FUZZ_CHECK(message->id.size() <= chat::kClientMessageIdMax);
  std::string again = boost::json::serialize(
      boost::json::object{{"id", message->id}, {"msg", message->text}});
  auto reread = chat::parse_client_message(again);
  FUZZ_CHECK(reread && reread->id == message->id && reread->text == message->text);
  // The acknowledgement a member gets names the id as valid JSON.
  FUZZ_CHECK(boost::json::parse(chat::frames::event_ack(message->id)).is_object());
  return 0;
}
