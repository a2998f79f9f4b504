#include "server/backend/session_drain.h"

#include <boost/asio/bind_executor.hpp>
#include <boost/json/parse.hpp>

namespace chat {

network::Result<SessionDrained> parse_session_drained(std::string_view body) {
  using Drained = network::Result<SessionDrained>;
  boost::system::error_code ec;
  boost::json::value json = boost::json::parse(body, ec);
  const boost::json::object* object = ec ? nullptr : json.if_object();
  if (object == nullptr) return Drained::failure("not a JSON object");
  SessionDrained drained;
  const auto* rooms = object->if_contains("rooms");
  if (rooms == nullptr || !rooms->is_array()) return Drained::failure("\"rooms\" is not an array");
  for (const auto& room : rooms->as_array()) {
    if (!room.is_string()) return Drained::failure("\"rooms\" holds something not a string");
    drained.rooms.emplace_back(room.as_string());
  }
  const auto* unstored = object->if_contains("unstored");
  if (unstored != nullptr && unstored->is_uint64()) {
    drained.unstored = static_cast<long long>(unstored->as_uint64());
  } else if (unstored != nullptr && unstored->is_int64() && unstored->as_int64() >= 0) {
    drained.unstored = unstored->as_int64();
  } else {
    return Drained::failure("\"unstored\" is not a whole number from 0 up");
  }
  return drained;
}

SessionDrain::SessionDrain(boost::asio::any_io_executor executor, SessionDrainOptions options)
    : executor_(executor),
      options_(std::move(options)),
      client_(executor, network::HttpClientOptions{.connections_per_origin_max = 1,
                                                   .user_agent = "scalable-chat-backend"}) {}

void SessionDrain::drain(const std::string& admin_host,
                         std::function<void(SessionDrainResult)> done) {
  network::HttpRequest request;
  request.method = "POST";
  request.url = options_.scheme + "://" + admin_host + "/drain";
  request.timeout = options_.timeout;
  request.bearer = options_.admin_token;
  client_.async_fetch(std::move(request),
                      boost::asio::bind_executor(executor_, [admin_host, done = std::move(done)](
                                                                network::HttpResponse response) {
                        const std::string where = "POST /drain at " + admin_host;
                        if (!response.answered())
                          return done(SessionDrainFailed{where + ": " + response.error});
                        if (response.status != 200) {
                          return done(SessionDrainFailed{where + " answered HTTP " +
                                                         std::to_string(response.status) + ": " +
                                                         response.body.substr(0, 200)});
                        }
                        auto drained = parse_session_drained(response.body);
                        if (!drained)
                          return done(SessionDrainFailed{where + ": " + drained.error()});
                        done(std::move(drained).value());
                      }));
}

}  // namespace chat
