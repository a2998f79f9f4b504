// Properties of 1 to 3 control cores (replicas) run in any interleaving
// against one simulated world: a shared store (a directory of rooms with
// compare-and-set moves, the fleet's members, a lease with a fencing token
// held by one core at a time, the shortage flag), session servers that judge
// reservations and joins against their own room limit and answer polls with
// what they hold, a fleet that starts and stops them, and clients that
// create rooms, look them up (naming the host they could not reach after a
// crash), join and leave them. Every effect is executed at once by the world
// and its result comes back as an event later, in any order across
// requests (in order within one), or is lost and comes back as a failure.
// After every event:
// - every Answer is to a request that core was asked, of the request's
//   kind, and no request is answered twice;
// - a core without the lease emits no StartServer, StopServer,
//   DrainSession, AddMember or RemoveMember;
// - no simulated server holds more reserved and joined rooms than its limit;
// - a room answered as created was admitted by a server's reservation;
// - each core's scheduler keeps its invariants.
// At the end, once the world is quiet, every request has been answered; a
// final Stop then answers nothing twice.
#include <cxxabi.h>
#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <tuple>
#include <typeinfo>
#include <vector>

#include "control/control_core.h"
#include "scheduler/testing.h"

namespace core {
namespace {

using sched::Millis;
using sched::RoomId;
using sched::ServerId;
using sched::testing::seconds;

constexpr int kCapacity = 2;  // every session server's limit, as the cores know it too
constexpr int kStaticServers = 3;
constexpr int kServersMax = 6;

// A session server as it really is: the judge of its own limit.
struct SimServer {
  Member member;
  bool up = false;  // answering: started, neither crashed nor stopped
  bool stopped = false;
  bool draining = false;
  std::map<RoomId, Millis> reserved;  // until
  std::map<RoomId, int> joined;       // users
  int used() const { return static_cast<int>(reserved.size() + joined.size()); }
  void expire(Millis now) {
    std::erase_if(reserved, [now](const auto& entry) { return entry.second <= now; });
  }
  void lose_everything() {
    up = false;
    reserved.clear();
    joined.clear();
  }
};

// A result on its way back to the core that asked for it. Messages on one
// channel (one request, one server's polls, ...) arrive in order; channels
// interleave freely.
struct Message {
  int core = 0;
  std::string channel;
  Event event;
};

struct Timer {
  int core = 0;
  Millis at{0};
  RequestId request = kNoRequest;
};

enum class Kind { create, find, drain };

enum class Op {
  create,
  find,          // a room a client knows, naming its host if it could not reach it
  find_unknown,  // a room nobody created
  join,
  leave,
  deliver,       // one result, picked among the channels
  deliver_some,  // the oldest few
  tick,
  advance,  // time passes; deadlines come
  crash,    // a session server dies with its rooms
  lease,    // the store hands the lease on, or it lapses
  drain,    // an operator's
  stop,     // a backend shuts down
};
// The steps drawn, by index: an operation listed more often happens more.
constexpr Op kOps[] = {Op::create,       Op::create,  Op::find,    Op::find,         Op::find,
                       Op::find_unknown, Op::join,    Op::join,    Op::leave,        Op::deliver,
                       Op::deliver,      Op::deliver, Op::deliver, Op::deliver_some, Op::tick,
                       Op::advance,      Op::crash,   Op::lease,   Op::drain,        Op::stop};

// For failure messages: the name of the alternative a variant holds.
template <class... Ts>
std::string name_of(const std::variant<Ts...>& variant) {
  return std::visit(
      [](const auto& each) {
        int status = 0;
        char* name = abi::__cxa_demangle(typeid(each).name(), nullptr, nullptr, &status);
        std::string readable = status == 0 ? name : typeid(each).name();
        std::free(name);
        return readable;
      },
      variant);
}

// A room a client knows of, and where it was last sent for it.
struct KnownRoom {
  RoomId room_id;
  std::optional<std::string> host;
  bool unreachable = false;  // its host crashed under the client
};

class World {
 public:
  World(int cores, bool replicated, std::uint64_t seed, int loss_percent)
      : replicated_(replicated || cores > 1), random_(seed), loss_percent_(loss_percent) {
    for (int n = 1; n <= kStaticServers; ++n) {
      SimServer& server = add_server("s" + std::to_string(n), 0);
      server.up = true;
      store_members_[server.member.id] = server.member;
    }
    for (int c = 0; c < cores; ++c) {
      ControlOptions options;
      options.scheduler.policy = "random";
      options.scheduler.room_capacity = kCapacity;
      options.scheduler.failed_polls_before_gone = 2;
      options.scheduler.autoscaler.max_servers = kServersMax;
      options.scheduler.autoscaler.idle_before_stop = seconds(30);
      options.scheduler.autoscaler.start_timeout = seconds(40);
      options.fleet.can_start = true;
      options.fleet.can_stop = true;
      options.fleet.members_shared = replicated_;
      options.fleet.failed_adoption_means_exited = true;
      // Unique across the cores, as a real fleet's ids are.
      options.server_ids = [c, n = 0]() mutable {
        return "c" + std::to_string(c) + "-" + std::to_string(++n);
      };
      options.replicated = replicated_;
      const std::string prefix = "c" + std::to_string(c) + "r";
      cores_.push_back(std::make_unique<ControlCore>(options, sched::sequential_room_ids(prefix),
                                                     sched::Random(seed + c)));
      for (int n = 1; n <= kStaticServers; ++n) {
        handle(c, ServerStarted{servers_.at("s" + std::to_string(n)).member});
      }
    }
  }

  // One thing happens: `a` picks the core, `b` the rest.
  void step(Op op, int a, int b) {
    const int core = a % static_cast<int>(cores_.size());
    switch (op) {
      case Op::create:
        create(core, "client" + std::to_string(b % 3), b % 4);  // a cap of 0 is none
        break;
      case Op::find:
        if (!known_.empty()) find_known(core, known_[b % known_.size()], a % 5 == 0);
        break;
      case Op::find_unknown:
        ask(core, Kind::find, [&](RequestId request) {
          return FindRoom{request, "nowhere" + std::to_string(b % 2), std::nullopt};
        });
        break;
      case Op::join:
        if (!known_.empty()) join(known_[b % known_.size()]);
        break;
      case Op::leave:
        leave(b);
        break;
      case Op::deliver:
        if (!pending_.empty()) deliver(b % pending_.size());
        break;
      case Op::deliver_some:
        for (int i = 0; i < 1 + b % 8 && !pending_.empty(); ++i) deliver(0);
        break;
      case Op::tick:
        // As the backend does: a poll round with every tick.
        handle(core, Tick{});
        handle(core, PollRound{});
        break;
      case Op::advance:
        advance(seconds(1 + b % 30));
        break;
      case Op::crash:
        crash(b);
        break;
      case Op::lease:
        if (b % 3 == 0) {
          end_lease();
        } else {
          move_lease(core);
        }
        break;
      case Op::drain: {
        std::vector<ServerId> ids;
        for (const auto& [id, server] : servers_) ids.push_back(id);
        const ServerId id = b % 7 == 0 ? "s9" : ids[b % ids.size()];
        ask(core, Kind::drain, [&](RequestId request) { return DrainServer{request, id}; });
        break;
      }
      case Op::stop:
        // Rarely: a backend shuts down in the middle of things.
        if (b % 5 == 0) handle(core, Stop{});
        break;
    }
    check_world();
  }

  // Lets every result arrive and every deadline pass.
  void quiesce() {
    for (int round = 0; round < 100'000; ++round) {
      if (!pending_.empty()) {
        deliver(0);
        continue;
      }
      if (timers_.empty()) return;
      const auto next =
          std::min_element(timers_.begin(), timers_.end(),
                           [](const Timer& x, const Timer& y) { return x.at < y.at; });
      advance(std::max(Millis(0), next->at - now_));
    }
    RC_FAIL("the world never went quiet");
  }

  void check_all_answered() const {
    for (const auto& [request, asked] : asked_) {
      const auto found = answers_.find(request);
      RC_ASSERT(found != answers_.end());
      RC_ASSERT(found->second == 1);
    }
  }

  void stop_all() {
    for (int c = 0; c < static_cast<int>(cores_.size()); ++c) handle(c, Stop{});
  }

 private:
  SimServer& add_server(const ServerId& id, long long pid) {
    const int port = 9000 + static_cast<int>(servers_.size()) + 1;
    SimServer& server = servers_[id];
    server.member = {id, "127.0.0.1:" + std::to_string(port),
                     "127.0.0.1:" + std::to_string(port + 1000), pid};
    by_admin_[server.member.admin_host] = id;
    return server;
  }
  SimServer* server_at_admin(const std::string& admin_host) {
    auto found = by_admin_.find(admin_host);
    return found == by_admin_.end() ? nullptr : &servers_.at(found->second);
  }
  SimServer* server_at_host(const std::string& host) {
    for (auto& [id, server] : servers_) {
      if (server.member.host == host) return &server;
    }
    return nullptr;
  }

  template <class MakeRequest>
  void ask(int core, Kind kind, MakeRequest make) {
    const RequestId request = next_request_++;
    asked_[request] = {core, kind};
    handle(core, make(request));
  }

  void create(int core, const std::string& creator, int unjoined_rooms_max) {
    ask(core, Kind::create, [&](RequestId request) {
      return CreateRoom{request, creator, unjoined_rooms_max};
    });
  }

  void find_known(int core, KnownRoom room, bool blip) {  // a copy: answers add rooms
    // The host it could not reach: after a crash, or a client's own blip.
    std::optional<std::string> unreachable;
    if (room.host && (room.unreachable || blip)) unreachable = room.host;
    ask(core, Kind::find, [&](RequestId request) {
      finding_[request] = room.room_id;
      return FindRoom{request, room.room_id, unreachable};
    });
  }

  // A client joins at the host it was given: the server admits it if the
  // room is there or reserved, or a slot is free.
  void join(KnownRoom& room) {
    if (!room.host) return;
    SimServer* server = server_at_host(*room.host);
    if (server == nullptr || !server->up) {
      room.unreachable = true;
      return;
    }
    if (server->draining) return;
    server->expire(now_);
    if (auto joined = server->joined.find(room.room_id); joined != server->joined.end()) {
      ++joined->second;
    } else if (server->reserved.erase(room.room_id) > 0 || server->used() < kCapacity) {
      server->joined[room.room_id] = 1;
    }
  }

  void leave(int b) {
    std::vector<std::pair<SimServer*, RoomId>> rooms;
    for (auto& [id, server] : servers_) {
      for (const auto& [room_id, users] : server.joined) rooms.emplace_back(&server, room_id);
    }
    if (rooms.empty()) return;
    auto& [server, room_id] = rooms[b % rooms.size()];
    // The last member gone, the session server lets the room go.
    if (--server->joined.at(room_id) == 0) server->joined.erase(room_id);
  }

  void crash(int b) {
    std::vector<SimServer*> up;
    for (auto& [id, server] : servers_) {
      if (server.up) up.push_back(&server);
    }
    if (up.empty()) return;
    SimServer& server = *up[b % up.size()];
    server.lose_everything();
    server.stopped = true;
    for (KnownRoom& room : known_) {
      if (room.host == server.member.host) room.unreachable = true;
    }
  }

  void advance(Millis by) {
    now_ += by;
    // Deadlines in order; each may add more (none sooner than now).
    std::stable_sort(timers_.begin(), timers_.end(),
                     [](const Timer& x, const Timer& y) { return x.at < y.at; });
    std::vector<Timer> due;
    while (!timers_.empty() && timers_.front().at <= now_) {
      due.push_back(timers_.front());
      timers_.erase(timers_.begin());
    }
    for (const Timer& timer : due) handle(timer.core, WakeUp{timer.request});
  }

  // The store hands the lease to `core`: the previous holder hears it lost
  // first, so at most one core holds it at any time.
  void move_lease(int core) {
    if (!replicated_ || cores_[core]->stopped() || holder_ == core) return;
    end_lease();
    holder_ = core;
    ++token_;
    handle(core, LeaseGained{token_});
    for (int c = 0; c < static_cast<int>(cores_.size()); ++c) {
      handle(c, LeaseSeen{"core" + std::to_string(core), token_});
    }
  }
  void end_lease() {
    if (holder_ < 0) return;
    const int was = holder_;
    holder_ = -1;
    handle(was, LeaseLost{});
  }

  bool lost() { return std::uniform_int_distribution<int>(0, 99)(random_) < loss_percent_; }

  void send(int core, std::string channel, Event event) {
    pending_.push_back({core, std::move(channel), std::move(event)});
  }

  // Delivers the pending message at `index`, or the one before it on its
  // channel.
  void deliver(std::size_t index) {
    for (std::size_t i = 0; i < index; ++i) {
      if (pending_[i].channel == pending_[index].channel) {
        index = i;
        break;
      }
    }
    Message message = std::move(pending_[index]);
    pending_.erase(pending_.begin() + static_cast<std::ptrdiff_t>(index));
    if (auto* started = std::get_if<ServerStarted>(&message.event)) {
      // Stopped while it started (the core gave up on it): it never answers.
      SimServer& server = servers_.at(started->server.id);
      if (server.stopped) {
        message.event = ServerStartFailed{started->server.id, "stopped while starting"};
      } else {
        server.up = true;
      }
    }
    handle(message.core, message.event);
  }

  void handle(int core, const Event& event) {
    const Effects effects = cores_[core]->handle(now_, event);
    for (const Effect& effect : effects) {
      const bool fleet_action = std::holds_alternative<StartServer>(effect) ||
                                std::holds_alternative<StopServer>(effect) ||
                                std::holds_alternative<DrainSession>(effect) ||
                                std::holds_alternative<AddMember>(effect) ||
                                std::holds_alternative<RemoveMember>(effect);
      if (fleet_action && replicated_ && holder_ != core) {
        RC_FAIL("core " + std::to_string(core) + " without the lease emitted " + name_of(effect) +
                " for " + name_of(event));
      }
    }
    for (const Effect& effect : effects) execute(core, effect);
    for (const std::string& broken : cores_[core]->scheduler().check_invariants()) {
      // A server taken as gone on lost polls and replaced, then heard again,
      // is revived past max_servers: the scheduler's known limit (see
      // scheduler_prop_test.cc), not the core's.
      if (broken == "more live servers than max_servers") continue;
      RC_FAIL("core " + std::to_string(core) + "'s scheduler after " + name_of(event) + ": " +
              broken);
    }
    check_world();
  }

  void check_world() const {
    for (const auto& [id, server] : servers_) RC_ASSERT(server.used() <= kCapacity);
  }

  StatusResult status_of(const std::string& admin_host) {
    SimServer* server = server_at_admin(admin_host);
    if (lost()) return NotHeard{"timed out", false};
    if (server == nullptr || !server->up) return NotHeard{"connection refused", true};
    server->expire(now_);
    sched::StatusReport report{server->member.host, server->draining, {}, 0};
    for (const auto& [room_id, users] : server->joined) report.rooms.push_back({room_id, users});
    report.reserved = static_cast<int>(server->reserved.size());
    return report;
  }

  ReserveOutcome reserve(const Reserve& asked) {
    SimServer* server = server_at_admin(asked.admin_host);
    if (server == nullptr || !server->up) return ReservationFailed{"connection refused"};
    server->expire(now_);
    ReserveOutcome outcome;
    if (server->draining) {
      outcome = ReservationRefused{"draining"};
    } else if (server->joined.contains(asked.room_id) || server->reserved.contains(asked.room_id) ||
               server->used() < kCapacity) {
      if (!server->joined.contains(asked.room_id)) {
        server->reserved[asked.room_id] = now_ + Millis(asked.ttl);
      }
      admitted_.insert(asked.room_id);
      outcome = Reserved{};
    } else {
      outcome = ReservationRefused{"full"};
    }
    // The answer lost on its way back: whatever the server did, a failure.
    if (lost()) return ReservationFailed{"timed out"};
    return outcome;
  }

  std::optional<DirectoryEntry> directory_entry(const RoomId& room_id) {
    auto found = directory_.find(room_id);
    if (found == directory_.end()) return std::nullopt;
    if (found->second.second && *found->second.second <= now_) {
      directory_.erase(found);
      return std::nullopt;
    }
    return found->second.first;
  }
  void write_directory(const RoomId& room_id, const DirectoryEntry& entry, Millis ttl) {
    directory_[room_id] = {entry,
                           ttl > Millis(0) ? std::optional<Millis>(now_ + ttl) : std::nullopt};
  }

  void answered(int core, const Answer& answer) {
    auto asked = asked_.find(answer.request);
    RC_ASSERT(asked != asked_.end());
    RC_ASSERT(asked->second.first == core);
    RC_ASSERT(static_cast<int>(answer.reply.index()) == static_cast<int>(asked->second.second));
    RC_ASSERT(++answers_[answer.request] == 1);
    if (const auto* created = std::get_if<CreateRoomResult>(&answer.reply)) {
      if (const auto* room = std::get_if<RoomCreated>(created)) {
        // Only a room some server reserved is handed out.
        RC_ASSERT(admitted_.contains(room->room_id));
        known_.push_back({room->room_id, std::nullopt, false});
      }
    }
    if (const auto* found = std::get_if<FindRoomResult>(&answer.reply)) {
      const auto* at = std::get_if<RoomAt>(found);
      auto room_id = finding_.find(answer.request);
      if (at != nullptr && room_id != finding_.end()) {
        for (KnownRoom& room : known_) {
          if (room.room_id == room_id->second) room = {room.room_id, at->host, false};
        }
      }
    }
  }

  void execute(int core, const Effect& effect) {
    const std::string c = std::to_string(core) + ":";
    std::visit(
        [&](const auto& e) {
          using E = std::decay_t<decltype(e)>;
          if constexpr (std::is_same_v<E, Answer>) {
            answered(core, e);
          } else if constexpr (std::is_same_v<E, WakeAt>) {
            timers_.push_back({core, e.at, e.request});
          } else if constexpr (std::is_same_v<E, StartServer>) {
            RC_ASSERT(!servers_.contains(e.server_id));
            SimServer& server =
                add_server(e.server_id, 1000 + static_cast<long long>(servers_.size()));
            if (lost()) {
              server.stopped = true;
              send(core, c + "start:" + e.server_id, ServerStartFailed{e.server_id, "no"});
            } else {
              send(core, c + "start:" + e.server_id, ServerStarted{server.member});
            }
          } else if constexpr (std::is_same_v<E, StopServer>) {
            auto found = servers_.find(e.server_id);
            if (found != servers_.end()) {
              found->second.lose_everything();
              found->second.stopped = true;
            }
          } else if constexpr (std::is_same_v<E, AdoptServer>) {
            auto found = servers_.find(e.server.id);
            if (found == servers_.end() || found->second.stopped) {
              send(core, c + "adopt:" + e.server.id, AdoptionFailed{e.server.id});
            }
          } else if constexpr (std::is_same_v<E, Poll>) {
            send(core, c + "poll:" + e.server_id, Polled{e.server_id, status_of(e.admin_host)});
          } else if constexpr (std::is_same_v<E, Probe>) {
            send(core, c + "probe:" + e.server_id, Probed{e.server_id, status_of(e.admin_host)});
          } else if constexpr (std::is_same_v<E, Reserve>) {
            send(core, "r" + std::to_string(e.request), ReservationAnswered{e.request, reserve(e)});
          } else if constexpr (std::is_same_v<E, DrainSession>) {
            SimServer* server = server_at_admin(e.admin_host);
            if (server == nullptr || !server->up || lost()) {
              send(core, c + "drain:" + e.server_id, DrainFailed{e.server_id, "not heard"});
            } else {
              // Its clients are closed and its rooms handed over.
              std::vector<std::string> rooms;
              for (const auto& [room_id, users] : server->joined) rooms.push_back(room_id);
              server->draining = true;
              server->joined.clear();
              server->reserved.clear();
              send(core, c + "drain:" + e.server_id, DrainConfirmed{e.server_id, rooms, 0});
            }
          } else if constexpr (std::is_same_v<E, ReadDirectory>) {
            DirectoryResult result = DirectoryAbsent{};
            if (lost()) {
              result = DirectoryDown{"timed out"};
            } else if (auto entry = directory_entry(e.room_id)) {
              result = *entry;
            }
            send(core, "r" + std::to_string(e.request), DirectoryRead{e.request, result});
          } else if constexpr (std::is_same_v<E, PlaceInDirectory>) {
            const bool written = !lost();
            if (written) write_directory(e.room_id, e.entry, e.ttl);
            if (e.request != kNoRequest) {
              send(core, "r" + std::to_string(e.request), DirectoryPlaced{e.request, written});
            }
          } else if constexpr (std::is_same_v<E, MoveInDirectory>) {
            std::optional<DirectoryEntry> elsewhere;
            if (!lost()) {
              auto current = directory_entry(e.room_id);
              if (!current || current->server_id == e.from) {
                write_directory(e.room_id, e.to, e.ttl);
              } else {
                elsewhere = current;
              }
            }
            if (e.request != kNoRequest) {
              send(core, "r" + std::to_string(e.request), DirectoryMoved{e.request, elsewhere});
            }
          } else if constexpr (std::is_same_v<E, FreeInDirectory>) {
            auto current = directory_entry(e.room_id);
            if (current && current->server_id == e.server_id) directory_.erase(e.room_id);
          } else if constexpr (std::is_same_v<E, ReadMembers>) {
            std::optional<std::vector<Member>> members;
            if (!lost()) {
              members.emplace();
              for (const auto& [id, member] : store_members_) members->push_back(member);
            }
            send(core, c + "members", MembersRead{members});
          } else if constexpr (std::is_same_v<E, AddMember>) {
            if (e.fencing_token >= token_) store_members_[e.member.id] = e.member;
          } else if constexpr (std::is_same_v<E, RemoveMember>) {
            if (e.fencing_token >= token_) store_members_.erase(e.server_id);
          } else if constexpr (std::is_same_v<E, ReportShortage>) {
            shortage_ = "core" + std::to_string(core);
          } else if constexpr (std::is_same_v<E, ReadShortage>) {
            if (shortage_) {
              send(core, c + "shortage", ShortageSeen{*shortage_});
              shortage_.reset();
            }
          } else if constexpr (std::is_same_v<E, ReleaseLease>) {
            if (holder_ == core) holder_ = -1;
          }
          // Log and Count: nothing to do.
        },
        effect);
  }

  const bool replicated_;
  std::mt19937_64 random_;
  const int loss_percent_;
  Millis now_{0};
  std::vector<std::unique_ptr<ControlCore>> cores_;
  std::map<ServerId, SimServer> servers_;
  std::map<std::string, ServerId> by_admin_;
  std::vector<Message> pending_;
  std::vector<Timer> timers_;

  // The store.
  std::map<RoomId, std::pair<DirectoryEntry, std::optional<Millis>>> directory_;  // until
  std::map<ServerId, Member> store_members_;
  int holder_ = -1;
  std::uint64_t token_ = 0;
  std::optional<std::string> shortage_;

  // The clients.
  RequestId next_request_ = 1;
  std::map<RequestId, std::pair<int, Kind>> asked_;  // by which core, what kind
  std::map<RequestId, int> answers_;
  std::map<RequestId, RoomId> finding_;
  std::vector<KnownRoom> known_;
  std::set<RoomId> admitted_;  // every room a server ever reserved
};

using Steps = std::vector<std::tuple<int, int, int>>;

// At full size, whatever the run's size: inRange scales with it, and a
// small range would leave the rarer steps (leases, drains, stops) out.
template <class T>
T pick(T min, T max) {
  return *rc::gen::resize(100, rc::gen::inRange(min, max));
}

// A world of 1 to 3 cores, replicated or not (more than one always is), and
// up to 80 steps through it.
std::unique_ptr<World> run_steps() {
  const int cores = pick(1, 4);
  const bool replicated = pick(0, 2) == 1;
  const auto seed = pick<std::uint64_t>(0, 1'000'000);
  const int loss_percent = pick(0, 30);
  const auto steps = *rc::gen::container<Steps>(
      static_cast<std::size_t>(pick(1, 151)),
      rc::gen::resize(100, rc::gen::tuple(rc::gen::inRange(0, static_cast<int>(std::size(kOps))),
                                          rc::gen::inRange(0, 1000), rc::gen::inRange(0, 1000))));
  auto world = std::make_unique<World>(cores, replicated, seed, loss_percent);
  for (const auto& [op, a, b] : steps) world->step(kOps[op], a, b);
  return world;
}

RC_GTEST_PROP(ControlCoreProperties, EveryRequestIsAnsweredOnceAndOnlyTheHolderManagesTheFleet,
              ()) {
  auto world = run_steps();
  world->quiesce();
  world->stop_all();
  world->quiesce();
  world->check_all_answered();
}

// Nothing waits for Stop: once every result has come back and every
// deadline has passed, each request has its answer.
RC_GTEST_PROP(ControlCoreProperties, OnceTheWorldIsQuietEveryRequestHasItsAnswer, ()) {
  auto world = run_steps();
  world->quiesce();
  world->check_all_answered();
}

}  // namespace
}  // namespace core
