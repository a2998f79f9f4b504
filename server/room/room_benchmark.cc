// Cost of the room layer per chat message: rules, serialising once, and
// handing the shared frame to every member (members here only count).
//   bazel run -c opt //server/room:room_benchmark
#include <benchmark/benchmark.h>

#include <memory>
#include <vector>

#include "server/room/room.h"

namespace chat {
namespace {

class CountingMember : public Member {
 public:
  CountingMember(std::string user_id, bool events)
      : user_id_(std::move(user_id)), events_(events) {}
  const std::string& user_id() const override { return user_id_; }
  bool wants_events() const override { return events_; }
  void deliver(const Frame& frame, Delivery) override {
    ++frames;
    bytes += frame->size();
  }
  std::size_t frames = 0;
  std::size_t bytes = 0;

 private:
  std::string user_id_;
  bool events_;
};

void BM_PostToRoom(benchmark::State& state) {
  const bool events = state.range(0) == 1;
  const int members_count = static_cast<int>(state.range(1));
  RoomLimits limits;
  limits.messages_per_second = 0;
  Room room("bench", limits);
  std::vector<std::unique_ptr<CountingMember>> members;
  RoomTime now{std::chrono::system_clock::now(), std::chrono::steady_clock::now()};
  for (int i = 0; i < members_count; ++i) {
    members.push_back(std::make_unique<CountingMember>("user" + std::to_string(i), events));
    room.join(*members.back(), now);
  }
  const std::string text(100, 'x');  // a typical short chat line
  for (auto _ : state) room.post(*members[0], text, now);
  std::size_t bytes = 0;
  for (const auto& m : members) bytes += m->bytes;
  state.counters["deliveries_per_s"] = benchmark::Counter(
      static_cast<double>(state.iterations()) * members_count, benchmark::Counter::kIsRate);
  state.counters["bytes_per_delivery"] =
      static_cast<double>(bytes) / (static_cast<double>(state.iterations() + 1) * members_count);
  state.SetLabel(events ? "event subprotocol" : "seed snapshots (100 messages)");
}

BENCHMARK(BM_PostToRoom)->ArgsProduct({{0, 1}, {10, 100}})->ArgNames({"events", "members"});

}  // namespace
}  // namespace chat
