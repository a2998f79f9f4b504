// The bots and the engine without a deployment: frames are handed to bots
// directly, and the backend is a closed loopback port.
#include "loadgen/engine.h"

#include <gtest/gtest.h>

#include <boost/asio/ip/tcp.hpp>

namespace loadgen {
namespace {

namespace net = boost::asio;

// A loopback port nobody listens on: the backend refuses every call.
std::uint16_t closed_port() {
  net::io_context io;
  net::ip::tcp::acceptor acceptor(io, {net::ip::address_v4::loopback(), 0});
  return acceptor.local_endpoint().port();
}

Config config_for(bool compat) {
  Config config;
  config.target_url = "http://127.0.0.1:" + std::to_string(closed_port());
  config.scenario = "chat";
  config.compat = compat;
  EXPECT_TRUE(validate(config).empty());
  return config;
}

std::string event(const std::string& type, const std::string& extra = {}) {
  return R"({"type":")" + type + R"(")" + extra + "}";
}

std::string message_event(const std::string& msg) {
  return event("message", R"(,"userId":"u","msg":")" + msg + R"(")");
}

// Two bots in a room that exists; both joined by the snapshot that opens them.
struct TwoBots : ::testing::Test {
  explicit TwoBots(bool compat = false)
      : config(config_for(compat)), engine(io, config, nullptr), room(engine.add_room("r")) {
    room.id = "room-1";  // as if created; join() is not called, so nothing is looked up
    sender = &engine.add_bot(room, "sender");
    receiver = &engine.add_bot(room, "receiver");
  }
  net::io_context io;
  Config config;
  Engine engine;
  ScenarioRoom& room;
  Bot* sender;
  Bot* receiver;
};

TEST_F(TwoBots, WaitingBotsOpenOnTheirSnapshotAndCountDeliveries) {
  // The join is what join() starts; bots are marked joining by a room that waits.
  room.id.clear();
  sender->join();
  receiver->join();
  EXPECT_EQ(room.waiting.size(), 2u);
  sender->on_frame(event("snapshot", R"(,"messages":[],"connectedUsers":[])"));
  receiver->on_frame(event("snapshot", R"(,"messages":[],"connectedUsers":[])"));
  EXPECT_EQ(sender->state(), Bot::State::open);
  EXPECT_EQ(engine.stats().bots_connected, 2u);

  auto seq = room.checker.next_seq(0);  // the sender's slot sends
  receiver->on_frame("[" + event("join", R"(,"userId":"x")") + "," +
                     message_event(encode_message(0, seq, now_us(), 0)) + "]");
  EXPECT_EQ(engine.stats().deliveries, 1u);
  EXPECT_EQ(engine.stats().latency.count(), 1u);
  // Someone else's text is not ours to check.
  receiver->on_frame(message_event("hello from a person"));
  EXPECT_EQ(engine.stats().deliveries, 1u);
  EXPECT_EQ(engine.stats().errors_total, 0u);
}

TEST_F(TwoBots, ServerErrorsAndBadFramesAreCountedByCategory) {
  receiver->on_frame(event("error", R"(,"code":"rate_limited","message":"slow down")"));
  receiver->on_frame("{not json");
  EXPECT_EQ(engine.stats().errors["server_error_rate_limited"], 1u);
  EXPECT_EQ(engine.stats().errors["bad_frame"], 1u);
}

TEST_F(TwoBots, ACloseIsAnErrorUnlessExpected) {
  WsClosed full;
  full.close_code = 1013;
  full.reason = "Server is full";
  receiver->on_closed(full);
  EXPECT_EQ(receiver->state(), Bot::State::closed);
  EXPECT_EQ(receiver->close_code(), 1013);
  EXPECT_EQ(receiver->close_reason(), "Server is full");
  EXPECT_EQ(engine.stats().errors["ws_close_1013"], 1u);

  WsClosed refused;
  refused.failure = WsFailure::refused;
  refused.http_status = 401;
  refused.detail = "http 401: bad token";
  sender->expect_close();
  sender->on_closed(refused);
  EXPECT_EQ(sender->close_reason(), "http 401: bad token");
  EXPECT_EQ(engine.stats().errors.count("ws_http_401"), 0u);
  EXPECT_EQ(engine.stats().errors_total, 1u);
}

struct CompatBots : TwoBots {
  CompatBots() : TwoBots(true) {}
};

TEST_F(CompatBots, SnapshotsDeliverOnlyWhatIsNew) {
  room.id.clear();
  sender->join();
  receiver->join();
  auto snapshot = [](const std::vector<std::string>& messages) {
    std::string list;
    for (const auto& m : messages)
      list += std::string(list.empty() ? "" : ",") + R"({"msg":")" + m + R"("})";
    return R"({"messages":[)" + list + R"(],"connectedUsers":[]})";
  };
  sender->on_frame(snapshot({}));
  receiver->on_frame(snapshot({"older"}));  // its own join: history, not deliveries
  EXPECT_EQ(engine.stats().deliveries, 0u);
  auto first = encode_message(0, room.checker.next_seq(0), now_us(), 0);
  receiver->on_frame(snapshot({"older", first}));
  auto second = encode_message(0, room.checker.next_seq(0), now_us(), 0);
  receiver->on_frame(snapshot({"older", first, second}));
  EXPECT_EQ(engine.stats().deliveries, 2u);  // each once, though `first` came twice
  receiver->on_frame(R"({"connectedUsers":[]})");
  EXPECT_EQ(engine.stats().errors["bad_snapshot"], 1u);
}

TEST(Engine, ARoomTheBackendCannotCreateFailsItsWaitingBots) {
  net::io_context io;
  auto config = config_for(false);
  Engine engine(io, config, nullptr);
  auto& room = engine.add_room("r");
  auto& bot = engine.add_bot(room, engine.user_id("b"));
  bot.join();  // waits for the room
  engine.create(room, engine.user_id("owner"));
  io.run();  // until the refused login has been handled
  EXPECT_TRUE(room.create_failed);
  EXPECT_EQ(bot.state(), Bot::State::closed);
  EXPECT_EQ(bot.close_reason(), "room was not created");
  EXPECT_EQ(engine.stats().errors["login_transport"], 1u);
  EXPECT_EQ(engine.stats().bots_started, 1u);  // the join counted once
}

}  // namespace
}  // namespace loadgen
