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

Config config_for(const std::string& protocol) {
  Config config;
  config.target_url = "http://127.0.0.1:" + std::to_string(closed_port());
  config.scenario = "chat";
  config.protocol = protocol;
  config.run_id = "t1";
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
  explicit TwoBots(const std::string& protocol = "v1")
      : config(config_for(protocol)), engine(io, config, nullptr), room(engine.add_room("r")) {
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
  CompatBots() : TwoBots("compat") {}
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

// v2: ids, acknowledgements, and the way back after a lost connection. The
// look-ups a lost connection starts are not run (the io_context is not).
struct V2Bots : TwoBots {
  V2Bots() : TwoBots("v2") {
    room.id.clear();
    sender->join();
    receiver->join();
    room.id = "room-1";
    sender->on_frame(snapshot({}));
    receiver->on_frame(snapshot({}));
  }
  static std::string snapshot(const std::vector<std::string>& messages) {
    std::string list;
    for (const auto& m : messages) {
      list += std::string(list.empty() ? "" : ",") + R"({"userId":"u","msg":")" + m + R"("})";
    }
    return event("snapshot", R"(,"messages":[)" + list +
                                 R"(],"connectedUsers":[],"limits":{"historyMessages":100})");
  }
  // Slot 0 sends; the message and its id as the server echoes them.
  std::string sent(std::uint32_t* seq_out = nullptr) {
    auto seq = room.checker.next_seq(0);
    if (seq_out) *seq_out = seq;
    return encode_message(0, seq, now_us(), 0);
  }
  static std::string echo(const std::string& msg, const std::string& id) {
    return event("message", R"(,"userId":"u","msg":")" + msg + R"(","id":")" + id + R"(")");
  }
};

TEST_F(V2Bots, TheEchoWithTheSendersIdIsTheAcknowledgement) {
  ASSERT_EQ(sender->state(), Bot::State::open);
  auto msg = sent();
  sender->on_frame(echo(msg, "t1.0-0"));
  receiver->on_frame(echo(msg, "t1.0-0"));
  EXPECT_EQ(room.checker.counts().acknowledged, 1u);
  EXPECT_EQ(engine.stats().deliveries, 2u);
  EXPECT_EQ(engine.stats().errors_total, 0u);
  // An `ack` frame: the server had it already (a re-send).
  sent();
  sender->on_frame(event("ack", R"(,"id":"t1.0-1")"));
  EXPECT_EQ(room.checker.counts().acknowledged, 2u);
  EXPECT_EQ(engine.stats().acks_for_duplicates, 1u);
  // A message whose id does not match its sender and number.
  auto third = sent();
  receiver->on_frame(echo(third, "t1.0-7"));
  EXPECT_EQ(engine.stats().errors["v2_wrong_id"], 1u);
}

TEST_F(V2Bots, ARefusalNamingTheIdIsOwedToNoOne) {
  sent();
  sender->on_frame(event("error", R"(,"code":"rate_limited","message":"slow","id":"t1.0-0")"));
  EXPECT_EQ(room.checker.counts().refused, 1u);
  EXPECT_EQ(room.checker.outstanding(), 0u);
  EXPECT_EQ(engine.stats().errors["server_error_rate_limited"], 1u);
}

TEST_F(V2Bots, ALostConnectionEndsWithTheSnapshotOfTheWayBack) {
  auto first = sent();
  sender->on_frame(echo(first, "t1.0-0"));
  receiver->on_frame(echo(first, "t1.0-0"));
  WsClosed dropped;
  dropped.failure = WsFailure::read;
  dropped.detail = "read: end of stream";
  receiver->on_closed(dropped);  // no close frame: 1006
  EXPECT_TRUE(receiver->reconnecting());
  EXPECT_EQ(receiver->state(), Bot::State::joining);
  EXPECT_EQ(engine.stats().bots_reconnecting, 1u);
  EXPECT_EQ(engine.stats().errors["ws_read"], 1u);  // no scenario expected it
  // Stored while it was away.
  auto second = sent();
  sender->on_frame(echo(second, "t1.0-1"));
  receiver->on_frame(snapshot({first, second}));
  EXPECT_EQ(receiver->state(), Bot::State::open);
  EXPECT_FALSE(receiver->reconnecting());
  EXPECT_EQ(engine.stats().reconnects, 1u);
  EXPECT_EQ(engine.stats().bots_reconnecting, 0u);
  EXPECT_EQ(engine.stats().deliveries, 4u);  // 2 live, 1 echo, 1 from the snapshot
  EXPECT_EQ(room.checker.outstanding(), 0u);
}

TEST_F(V2Bots, MovesAreExpectedInAFailoverAndRefusalsEndTheBot) {
  engine.expect_disconnects();
  WsClosed moving;
  moving.close_code = 1012;
  moving.reason = "Room moving";
  receiver->on_closed(moving);
  EXPECT_TRUE(receiver->reconnecting());
  EXPECT_EQ(engine.stats().disconnects["ws_close_1012"], 1u);
  EXPECT_EQ(engine.stats().errors_total, 0u);
  WsClosed full;
  full.close_code = 1008;
  full.reason = "Room is full";
  sender->on_closed(full);  // not a reason to come back
  EXPECT_FALSE(sender->reconnecting());
  EXPECT_EQ(sender->state(), Bot::State::closed);
  EXPECT_EQ(engine.stats().errors["ws_close_1008"], 1u);
  // Leaving while on the way back ends it.
  receiver->leave();
  EXPECT_EQ(receiver->state(), Bot::State::closed);
  EXPECT_EQ(engine.stats().bots_reconnecting, 0u);
}

TEST(Engine, ARoomTheBackendCannotCreateFailsItsWaitingBots) {
  net::io_context io;
  auto config = config_for("v1");
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
