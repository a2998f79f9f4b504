// WebSocket message handling in both protocols, on the room model
// (server/room/): the input is a script of members joining and leaving
// rooms (each in compatibility or event mode, with user ids that may
// collide), posting arbitrary text and binary frames, the clock moving on
// and empty rooms being swept, on small limits so that every rule is hit.
// Text frames are valid UTF-8, as the WebSocket layer guarantees.
// Invariants: every frame a member gets is the JSON of its protocol within
// the limits; a room counts exactly its joined members; the registry stays
// within its room limit; an accepted message goes once to every member; a
// refusal costs nobody but the sender, and the sender at most one frame.
#include <array>
#include <boost/json/parse.hpp>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "fuzz/fuzz_util.h"
#include "server/room/room_registry.h"

namespace {

constexpr chat::RoomLimits kLimits{.users_max = 3,
                                   .message_chars_max = 20,
                                   .history_messages_max = 4,
                                   .messages_per_second = 2,
                                   .messages_burst = 3,
                                   .refused_messages_per_minute = 5};
constexpr std::size_t kRoomsMax = 2;

class FakeMember : public chat::Member {
 public:
  FakeMember(std::string user_id, bool events) : user_id_(std::move(user_id)), events_(events) {}
  const std::string& user_id() const override { return user_id_; }
  bool wants_events() const override { return events_; }
  void deliver(const chat::Frame& frame, chat::Delivery) override {
    FUZZ_CHECK(frame != nullptr);
    check_frame(*frame);
    ++frames;
  }

  std::shared_ptr<chat::Room> room;       // while joined
  std::shared_ptr<chat::Room> last_room;  // kept after leaving: a read racing the leave
  std::size_t frames = 0;

 private:
  void check_frame(const std::string& text) const {
    boost::system::error_code ec;
    boost::json::value value = boost::json::parse(text, ec);
    FUZZ_CHECK(!ec && value.is_object());
    const auto& object = value.as_object();
    if (events_) {
      FUZZ_CHECK(object.contains("type") && object.at("type").is_string());
      return;
    }
    const auto* messages = object.if_contains("messages");
    const auto* users = object.if_contains("connectedUsers");
    FUZZ_CHECK(messages && messages->is_array() && users && users->is_array());
    FUZZ_CHECK(messages->as_array().size() <= kLimits.history_messages_max);
    FUZZ_CHECK(users->as_array().size() <= kLimits.users_max);
  }

  std::string user_id_;
  bool events_;
};

struct World {
  chat::RoomRegistry registry{kRoomsMax, kLimits, std::chrono::seconds(10)};
  std::vector<std::unique_ptr<FakeMember>> members;
  std::int64_t now_ms = 0;

  chat::RoomTime now() const {
    auto since = std::chrono::milliseconds(now_ms);
    return {std::chrono::system_clock::time_point(std::chrono::seconds(1'704'110'400) + since),
            std::chrono::steady_clock::time_point(since)};
  }

  void check_counts() const {
    FUZZ_CHECK(registry.room_count() <= kRoomsMax);
    for (const auto& member : members) {
      if (!member->room) continue;
      std::size_t joined = 0;
      for (const auto& other : members) joined += other->room == member->room;
      FUZZ_CHECK(member->room->user_count() == joined);
      FUZZ_CHECK(joined <= kLimits.users_max);
    }
  }
};

void join(World& world, FakeMember& member, std::string_view room) {
  if (member.room) return;  // one room per connection
  // Room ids come from session tokens, which only carry ids the backend
  // checked (plausible_room_id): three of them are enough here.
  std::string room_id = "r" + std::to_string(static_cast<unsigned char>(room[0]) % 3);
  auto admission = world.registry.join(room_id, member, world.now());
  FUZZ_CHECK((admission.result == chat::JoinResult::joined) == (admission.room != nullptr));
  if (admission.room) member.room = member.last_room = admission.room;
}

void post(World& world, FakeMember& sender, std::string_view text, bool binary) {
  if (!binary && !fuzz::valid_utf8(text)) return;  // the WebSocket layer refuses it first
  auto room = sender.room ? sender.room : sender.last_room;
  if (!room) return;
  std::vector<std::size_t> before;
  for (const auto& member : world.members) before.push_back(member->frames);
  auto result =
      binary ? room->post_binary(sender, world.now()) : room->post(sender, text, world.now());
  for (std::size_t i = 0; i < world.members.size(); ++i) {
    const FakeMember& member = *world.members[i];
    std::size_t got = member.frames - before[i];
    bool in_room = member.room == room;
    if (result == chat::PostResult::accepted) {
      FUZZ_CHECK(!binary && !text.empty());
      FUZZ_CHECK(chat::utf8_code_points(text) <= kLimits.message_chars_max);
      FUZZ_CHECK(got == (in_room ? 1u : 0u));
    } else if (&member == &sender) {
      FUZZ_CHECK(got <= 1);
    } else {
      FUZZ_CHECK(got == 0);
    }
  }
  if (result == chat::PostResult::not_in_room) FUZZ_CHECK(sender.room != room);
}

void run(World& world, char op, FakeMember& member, std::string_view argument) {
  switch (op) {
    case 'j':
      return join(world, member, argument.empty() ? "0" : argument);
    case 'l':
      if (member.room) member.room->leave(member, world.now());
      member.room.reset();
      return;
    case 'p':
      return post(world, member, argument, false);
    case 'b':
      return post(world, member, argument, true);
    case 't': {
      std::int64_t ms = 0;
      for (char c : argument.substr(0, 6)) {
        if (c >= '0' && c <= '9') ms = ms * 10 + (c - '0');
      }
      world.now_ms += ms;
      return;
    }
    case 's':
      world.registry.sweep(world.now().steady);
      return;
    case 'q':
      for (const auto& status : world.registry.status(world.now().steady)) {
        FUZZ_CHECK(status.users <= kLimits.users_max);
      }
      return;
  }
}

}  // namespace

// One command a line: "j<member><room>" join, "l<member>" leave,
// "p<member><text>" post text, "b<member><bytes>" post binary, "t<ms>" let
// time pass, "s" sweep empty rooms, "q" read the rooms' status. Members are
// 0 to 5: even ones in compatibility mode, odd ones in event mode; 0 and 2
// are both "alice".
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view script(reinterpret_cast<const char*>(data), size);
  World world;
  static const std::array<std::string, 6> names = {"alice",      "bob",   "alice",
                                                   "\xC3\xA9ve", "carol", "dave"};
  for (std::size_t i = 0; i < names.size(); ++i) {
    world.members.push_back(std::make_unique<FakeMember>(names[i], i % 2 == 1));
  }
  for (int steps = 0; !script.empty() && steps < 500; ++steps) {
    auto newline = script.find('\n');
    std::string_view line = script.substr(0, newline);
    script = newline == std::string_view::npos ? "" : script.substr(newline + 1);
    if (line.empty()) continue;
    char op = line[0];
    bool with_member = op == 'j' || op == 'l' || op == 'p' || op == 'b';
    std::size_t index =
        with_member && line.size() > 1 ? static_cast<unsigned char>(line[1]) % 6 : 0;
    FakeMember& member = *world.members[index];
    run(world, op, member, line.substr(with_member ? std::min<std::size_t>(2, line.size()) : 1));
    world.check_counts();
  }
  for (auto& member : world.members) {
    if (member->room) member->room->leave(*member, world.now());
  }
  return 0;
}
